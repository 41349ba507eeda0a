import type { CimEvent } from '@dac/normalise';

/** A result row: column name → value (strings, as Splunk returns them; multivalue as a list). */
export type Row = Record<string, string | string[]>;

/** The part of @dac/matchers' `TstatsPlan` the aggregation needs. */
export interface AggregationPlan {
  by: string[];
  aggregates: { fn: string; field?: string; as?: string }[];
  options: Record<string, string>;
  span?: string;
  eventKey(written: string): string;
}

type Value = CimEvent[string];

interface Acc {
  add(v: Value, ev: CimEvent, seq: number): void;
  result(): string | string[] | undefined;
}

const NUM = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
function num(v: string | number): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  return NUM.test(v) ? Number(v) : undefined;
}

/** Splunk prints numbers without exponent noise: integers as is, fractions to at most 6 places. */
export function formatNumber(n: number): string {
  if (Number.isInteger(n)) return String(n);
  return n.toFixed(6).replace(/0+$/, '').replace(/\.$/, '');
}

function scalars(v: Value): (string | number)[] {
  if (v === null || v === undefined || v === '') return [];
  if (Array.isArray(v)) return v.filter((x) => x !== '');
  return [v];
}

function lexCompare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Min/max: numerically when every value is a number, else lexicographically (stats semantics [unverified]). */
function extreme(sign: 1 | -1): () => Acc {
  return () => {
    let allNum = true;
    let best: number | undefined;
    let bestStr: string | undefined;
    return {
      add(v) {
        for (const s of scalars(v)) {
          const n = num(s);
          if (n === undefined) allNum = false;
          else if (best === undefined || (sign > 0 ? n > best : n < best)) best = n;
          const str = typeof s === 'number' ? formatNumber(s) : s;
          if (bestStr === undefined || sign * lexCompare(str, bestStr) > 0) bestStr = str;
        }
      },
      result: () => (allNum ? (best === undefined ? undefined : formatNumber(best)) : bestStr),
    };
  };
}

function numeric(reduce: (xs: number[]) => number | undefined): () => Acc {
  return () => {
    const xs: number[] = [];
    return {
      add(v) {
        for (const s of scalars(v)) {
          const n = num(s);
          if (n !== undefined) xs.push(n);
        }
      },
      result: () => {
        const r = xs.length ? reduce(xs) : undefined;
        return r === undefined ? undefined : formatNumber(r);
      },
    };
  };
}

function variance(xs: number[], sample: boolean): number | undefined {
  if (xs.length < (sample ? 2 : 1)) return undefined;
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - (sample ? 1 : 0));
}

function timed(pick: 'earliest' | 'latest', timeOnly: boolean): () => Acc {
  return () => {
    let t: number | undefined;
    let val: string | string[] | undefined;
    return {
      add(v, ev) {
        const tt = typeof ev._time === 'number' ? ev._time : undefined;
        const vals = scalars(v);
        if (tt === undefined || vals.length === 0) return;
        if (t === undefined || (pick === 'earliest' ? tt < t : tt > t)) {
          t = tt;
          const strs = vals.map((x) => (typeof x === 'number' ? formatNumber(x) : x));
          val = strs.length === 1 ? strs[0] : strs;
        }
      },
      result: () => (timeOnly ? (t === undefined ? undefined : formatNumber(t)) : val),
    };
  };
}

/**
 * The stats functions tstats allows (splunk-semantics.md §1.10) that this engine evaluates.
 * `first`/`last` are first/last in fixture order (Splunk's order is newest first [unverified]).
 */
const AGGREGATES: Record<string, () => Acc> = {
  count: () => {
    let n = 0;
    return {
      add(v) {
        n += scalars(v).length > 0 ? 1 : 0;
      },
      result: () => String(n),
    };
  },
  dc: () => {
    const s = new Set<string>();
    return {
      add(v) {
        for (const x of scalars(v)) s.add(String(x));
      },
      result: () => String(s.size),
    };
  },
  values: () => {
    const s = new Set<string>();
    return {
      add(v) {
        for (const x of scalars(v)) s.add(typeof x === 'number' ? formatNumber(x) : x);
      },
      result: () => (s.size ? [...s].sort(lexCompare) : undefined),
    };
  },
  list: () => {
    const l: string[] = [];
    return {
      add(v) {
        for (const x of scalars(v)) if (l.length < 100) l.push(typeof x === 'number' ? formatNumber(x) : x);
      },
      result: () => (l.length ? l : undefined),
    };
  },
  min: extreme(-1),
  max: extreme(1),
  sum: numeric((xs) => xs.reduce((a, b) => a + b, 0)),
  sumsq: numeric((xs) => xs.reduce((a, b) => a + b * b, 0)),
  avg: numeric((xs) => xs.reduce((a, b) => a + b, 0) / xs.length),
  mean: numeric((xs) => xs.reduce((a, b) => a + b, 0) / xs.length),
  range: numeric((xs) => Math.max(...xs) - Math.min(...xs)),
  median: numeric((xs) => {
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.floor((s.length - 1) / 2)];
  }),
  var: numeric((xs) => variance(xs, true)),
  varp: numeric((xs) => variance(xs, false)),
  stdev: numeric((xs) => {
    const v = variance(xs, true);
    return v === undefined ? undefined : Math.sqrt(v);
  }),
  stdevp: numeric((xs) => {
    const v = variance(xs, false);
    return v === undefined ? undefined : Math.sqrt(v);
  }),
  mode: () => {
    const m = new Map<string, number>();
    return {
      add(v) {
        for (const x of scalars(v)) {
          const k = typeof x === 'number' ? formatNumber(x) : x;
          m.set(k, (m.get(k) ?? 0) + 1);
        }
      },
      result: () => {
        let best: string | undefined;
        let c = 0;
        for (const [k, n] of m)
          if (n > c) {
            best = k;
            c = n;
          }
        return best;
      },
    };
  },
  first: () => {
    let val: string | undefined;
    return {
      add(v) {
        const s = scalars(v);
        if (val === undefined && s.length) val = String(s[0]);
      },
      result: () => val,
    };
  },
  last: () => {
    let val: string | undefined;
    return {
      add(v) {
        const s = scalars(v);
        if (s.length) val = String(s[s.length - 1]);
      },
      result: () => val,
    };
  },
  earliest: timed('earliest', false),
  latest: timed('latest', false),
  earliest_time: timed('earliest', true),
  latest_time: timed('latest', true),
};
const ALIASES: Record<string, string> = { distinct_count: 'dc', estdc: 'dc' };

export function aggregateName(a: { fn: string; field?: string; as?: string }): string {
  return a.as ?? (a.field ? `${a.fn}(${a.field})` : a.fn);
}

/** Seconds of a tstats `span=` (`30s`, `5m`, `1h`, `1d`, `1w`); undefined when not understood. */
export function spanSeconds(span: string): number | undefined {
  const m =
    /^(\d+)\s*(s|sec|secs|second|seconds|m|min|mins|minute|minutes|h|hr|hrs|hour|hours|d|day|days|w|week|weeks)?$/i.exec(
      span.trim(),
    );
  if (!m) return undefined;
  const n = Number(m[1]);
  const u = (m[2] ?? 's').toLowerCase();
  const mult = u.startsWith('w')
    ? 604800
    : u.startsWith('d')
      ? 86400
      : u.startsWith('h')
        ? 3600
        : u.startsWith('m')
          ? 60
          : 1;
  return n > 0 ? n * mult : undefined;
}

/** Why an aggregation plan cannot be executed, or undefined. */
export function checkAggregationPlan(plan: AggregationPlan): string | undefined {
  for (const a of plan.aggregates) {
    const fn = ALIASES[a.fn.toLowerCase()] ?? a.fn.toLowerCase();
    if (!AGGREGATES[fn])
      return `aggregate ${a.fn}() is not replayable (supported: ${[...Object.keys(AGGREGATES), ...Object.keys(ALIASES)].join(', ')})`;
  }
  if (plan.by.some((b) => plan.eventKey(b) === '_time')) {
    if (!plan.span) return 'grouping by _time needs span=';
    if (spanSeconds(plan.span) === undefined) return `span=${plan.span} is not replayable`;
  }
  if (plan.options.prestats && /^(t|true|1)$/i.test(plan.options.prestats)) return 'prestats=true is not replayable';
  return undefined;
}

interface Group {
  by: string[];
  accs: Acc[];
}

/**
 * tstats aggregation over matched events, as tstats does it (splunk-semantics.md §1.10):
 * one row per distinct combination of BY values; a multivalue BY field splits the event into one
 * row per value; an event with a null (missing or empty) BY field is dropped unless
 * `fillnull_value` is set, which then stands in for the null (ESCU's
 * `security_content_summariesonly` sets it to the literal `null`, §2). Rows come out sorted by
 * their BY values (lexicographically), as stats sorts its groups.
 */
export class TstatsAggregator {
  readonly plan: AggregationPlan;
  private readonly byKeys: string[];
  private readonly aggKeys: (string | undefined)[];
  private readonly factories: (() => Acc)[];
  private readonly groups = new Map<string, Group>();
  private readonly fill: string | undefined;
  private readonly spanSec: number | undefined;
  private seq = 0;
  /** Matched events dropped because a BY field was null and no fillnull_value was set. */
  droppedNull = 0;
  events = 0;

  constructor(plan: AggregationPlan) {
    const problem = checkAggregationPlan(plan);
    if (problem) throw new Error(problem);
    this.plan = plan;
    this.byKeys = plan.by.map((b) => plan.eventKey(b));
    this.aggKeys = plan.aggregates.map((a) => (a.field ? plan.eventKey(a.field) : undefined));
    this.factories = plan.aggregates.map((a) => AGGREGATES[ALIASES[a.fn.toLowerCase()] ?? a.fn.toLowerCase()]!);
    const fv = plan.options.fillnull_value;
    this.fill = fv === undefined ? undefined : fv;
    this.spanSec = plan.span ? spanSeconds(plan.span) : undefined;
  }

  private byValues(ev: CimEvent, i: number): string[] | undefined {
    const key = this.byKeys[i]!;
    let v = ev[key];
    if (key === '_time' && typeof v === 'number' && this.spanSec) v = Math.floor(v / this.spanSec) * this.spanSec;
    const vals = scalars(v).map((x) => (typeof x === 'number' ? formatNumber(x) : x));
    if (vals.length) return [...new Set(vals)];
    return this.fill === undefined ? undefined : [this.fill];
  }

  add(ev: CimEvent): void {
    this.events++;
    const seq = this.seq++;
    let combos: string[][] = [[]];
    for (let i = 0; i < this.byKeys.length; i++) {
      const vals = this.byValues(ev, i);
      if (!vals) {
        this.droppedNull++;
        return;
      }
      if (vals.length === 1) for (const c of combos) c.push(vals[0]!);
      else combos = combos.flatMap((c) => vals.map((v) => [...c, v]));
    }
    for (const combo of combos) {
      const k = combo.join('\u0000');
      let g = this.groups.get(k);
      if (!g) {
        g = { by: combo, accs: this.factories.map((f) => f()) };
        this.groups.set(k, g);
      }
      for (let a = 0; a < g.accs.length; a++) {
        const key = this.aggKeys[a];
        g.accs[a]!.add(key === undefined ? 1 : ev[key], ev, seq);
      }
    }
  }

  /** The result rows, columns named as tstats names them (`Processes.dest`, `count`, `firstTime`). */
  rows(): Row[] {
    const groups = [...this.groups.values()];
    groups.sort((x, y) => {
      for (let i = 0; i < x.by.length; i++) {
        const c = lexCompare(x.by[i]!, y.by[i]!);
        if (c) return c;
      }
      return 0;
    });
    const names = this.plan.aggregates.map(aggregateName);
    const out: Row[] = [];
    // tstats with no BY clause returns one row even over zero events (count=0).
    if (groups.length === 0 && this.plan.by.length === 0) groups.push({ by: [], accs: this.factories.map((f) => f()) });
    for (const g of groups) {
      const row: Row = {};
      this.plan.by.forEach((b, i) => {
        row[b] = g.by[i]!;
      });
      g.accs.forEach((acc, i) => {
        const r = acc.result();
        if (r !== undefined) row[names[i]!] = r;
      });
      out.push(row);
    }
    return out;
  }
}
