/**
 * The statistical functions of stats, eventstats, streamstats and tstats, and grouping by
 * fields. Facts ("Statistical and charting functions", Search Reference 9.x):
 * - `count` counts events, `count(X)` events where X is not null; `dc(X)` distinct values;
 * - `values(X)` the distinct values in lexicographical order; `list(X)` the values in event order,
 *   at most 100 (limits.conf `list_maxsize = 100`);
 * - `min`/`max`: numbers numerically, strings lexicographically, every number below every string
 *   (so max is a string when there is one); `avg`, `sum`, `stdev`, `var`, `range`, … use the numeric values and ignore the rest;
 * - `stdev`/`var` are the sample statistics (n − 1), `stdevp`/`varp` the population ones;
 * - `earliest(X)`/`latest(X)`: the value of X in the event with the lowest/highest `_time`;
 *   `earliest_time`/`latest_time` that `_time`;
 * - `first`/`last`: the first/last value in search order (here: input order; Splunk's historical
 *   searches run newest first [unverified for replayed fixtures]);
 * - `median`, `perc<N>`, `exactperc<N>`, `upperperc<N>`: see PERCENTILE_RANK;
 * - `mode`: the most frequent value (ties: the first seen);
 * - `<fn>(eval(<expr>))`: the function over the expression's value per event (a false result
 *   counts as null), which needs an `AS` name.
 * A group-by field that is null drops the event from stats (a multivalue one puts it in every
 * value's group).
 */
import { compareCodePoints, type EvalExpr, evaluateEval, type Span } from '@dac/spl';
import { parseEvalAt, type Word } from './args.js';
import type { Row, Scalar, Value } from './types.js';
import { type FieldPattern, fieldPattern } from './values.js';
import {
  compareAuto as compareAutoScalar,
  compareCodeUnits,
  compareLex,
  isNull,
  normaliseList,
  sortLex,
  text,
  toNumber,
  valuesOf,
  withoutSurrogates,
} from './values.js';

/** `list()` keeps at most this many values (limits.conf [stats] list_maxsize). */
export const LIST_MAXSIZE = 100;

/**
 * Rank used by `median`/`perc<N>`: the value at index floor(N/100 × (count − 1)) of the sorted
 * numbers (so the median of an even count is the lower middle value); `upperperc` rounds up.
 * Splunk computes perc approximately above 1000 distinct values [unverified: exact rule].
 */
export const PERCENTILE_RANK = 'lower' as const;

export interface AggSpec {
  /** Canonical function name (`dc` for distinct_count, `perc` for p50/perc95). */
  fn: string;
  /** Field argument as written (absent for bare `count`). */
  field?: string;
  /** `fn(eval(expr))`. */
  eval?: EvalExpr;
  /** perc/exactperc/upperperc: the percentile. */
  percentile?: number;
  /** `values(*) as *`: the function over every field the pattern matches; `name` has the `*`. */
  wildcard?: FieldPattern;
  /** Fields a wildcard never takes (the by-fields). */
  exclude?: ReadonlySet<string>;
  /** Output column name. */
  name: string;
  span: Span;
}

export interface Accumulator {
  add(v: Value | undefined, row: Row): void;
  result(): Value | undefined;
  /** A wildcard aggregate's results: one per matched field. */
  results?(): [string, Value][];
}

/**
 * A wildcard aggregate (`values(*) as *`): one accumulator per matching field, named by putting
 * the matched text in the name's `*`. Internal fields (leading `_`) are not matched
 * [unverified], nor are the by-fields.
 */
function wildcardAccumulator(spec: AggSpec): Accumulator {
  const per = new Map<string, Accumulator>();
  const factory = FACTORIES[spec.fn]!;
  const pat = spec.wildcard!;
  return {
    add(_v, row) {
      for (const k in row) {
        if (k.startsWith('_') || spec.exclude?.has(k)) continue;
        const caps = pat.capture(k);
        if (!caps) continue;
        let acc = per.get(k);
        if (!acc) per.set(k, (acc = factory({ ...spec, field: k, wildcard: undefined })));
        const v = row[k];
        acc.add(v === null ? undefined : v, row);
      }
    },
    result: () => undefined,
    results() {
      const out: [string, Value][] = [];
      for (const [k, acc] of per) {
        const r = acc.result();
        if (r === undefined) continue;
        const caps = pat.capture(k)!;
        let n = 0;
        out.push([spec.name.includes('*') ? spec.name.replace(/\*/g, () => caps[n++] ?? '') : `${spec.name}`, r]);
      }
      return out;
    },
  };
}

const ALIASES: Record<string, string> = {
  distinct_count: 'dc',
  estdc: 'dc',
  mean: 'avg',
  c: 'count',
  median: 'perc',
};

type Factory = (spec: AggSpec) => Accumulator;

/** Calls `f` for each value of a field (no allocation for a single value). */
function each(v: Value | undefined, f: (s: Scalar) => void): void {
  if (v === undefined || v === null) return;
  if (Array.isArray(v)) for (const s of v) f(s);
  else f(v);
}

function numbersOf(v: Value | undefined, out: number[]): void {
  if (v === undefined) return;
  if (!Array.isArray(v)) {
    const n = typeof v === 'number' ? v : toNumber(v);
    if (n !== undefined && Number.isFinite(n)) out.push(n);
    return;
  }
  for (const s of v) {
    const n = toNumber(s);
    if (n !== undefined) out.push(n);
  }
}

function numeric(reduce: (xs: number[], spec: AggSpec) => number | undefined): Factory {
  return (spec) => {
    const xs: number[] = [];
    return {
      add: (v) => numbersOf(v, xs),
      result: () => (xs.length === 0 ? undefined : reduce(xs, spec)),
    };
  };
}

function sum(xs: number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s;
}

function variance(xs: number[], sample: boolean): number | undefined {
  if (xs.length < (sample ? 2 : 1)) return undefined;
  const mean = sum(xs) / xs.length;
  let acc = 0;
  for (const x of xs) acc += (x - mean) ** 2;
  return acc / (xs.length - (sample ? 1 : 0));
}

function percentile(xs: number[], p: number, upper: boolean): number {
  const s = [...xs].sort((a, b) => a - b);
  const rank = (Math.min(100, Math.max(0, p)) / 100) * (s.length - 1);
  return s[upper ? Math.ceil(rank) : Math.floor(rank)]!;
}

/**
 * min/max order numbers numerically and strings lexicographically, with every number below every
 * string ("Strings are greater than numbers", Search Reference, max()/min() eval functions).
 */
function extreme(sign: 1 | -1): Factory {
  return () => {
    let num: number | undefined;
    let str: string | undefined;
    const one = (s: Scalar): void => {
      const n = typeof s === 'number' ? (Number.isFinite(s) ? s : undefined) : toNumber(s);
      if (n !== undefined) {
        if (num === undefined || (sign > 0 ? n > num : n < num)) num = n;
        return;
      }
      const t = text(s);
      if (str === undefined || sign * compareLex(t, str) > 0) str = t;
    };
    return {
      add: (v) => each(v, one),
      result: () => (sign > 0 ? (str ?? num) : (num ?? str)),
    };
  };
}

function timed(pick: 'earliest' | 'latest', timeOnly: boolean): Factory {
  return () => {
    let t: number | undefined;
    let val: Value | undefined;
    return {
      add(v, row) {
        const tt = toNumber(row._time as Scalar | undefined);
        if (tt === undefined || isNull(v)) return;
        if (t === undefined || (pick === 'earliest' ? tt < t : tt > t)) {
          t = tt;
          val = v;
        }
      },
      result: () => (timeOnly ? t : val),
    };
  };
}

const FACTORIES: Record<string, Factory> = {
  count: (spec) => {
    let n = 0;
    if (!spec.field && !spec.eval)
      return {
        add: () => {
          n++;
        },
        result: () => n,
      };
    return {
      add(v) {
        if (!isNull(v)) n++;
      },
      result: () => n,
    };
  },
  dc: () => {
    const s = new Set<string>();
    return {
      add: (v) => each(v, (x) => s.add(text(x))),
      result: () => s.size,
    };
  },
  values: () => {
    const s = new Set<string>();
    return {
      add: (v) => each(v, (x) => s.add(text(x))),
      result: () => normaliseList(sortLex([...s])),
    };
  },
  list: () => {
    const l: Scalar[] = [];
    return {
      add(v) {
        for (const x of valuesOf(v)) if (l.length < LIST_MAXSIZE) l.push(x);
      },
      result: () => normaliseList(l),
    };
  },
  min: extreme(-1),
  max: extreme(1),
  sum: numeric(sum),
  sumsq: numeric((xs) => sum(xs.map((x) => x * x))),
  avg: numeric((xs) => sum(xs) / xs.length),
  range: numeric((xs) => Math.max(...xs) - Math.min(...xs)),
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
  perc: numeric((xs, spec) => percentile(xs, spec.percentile ?? 50, false)),
  exactperc: numeric((xs, spec) => percentile(xs, spec.percentile ?? 50, false)),
  upperperc: numeric((xs, spec) => percentile(xs, spec.percentile ?? 50, true)),
  mode: () => {
    const m = new Map<string, { n: number; v: Scalar }>();
    return {
      add(v) {
        for (const x of valuesOf(v)) {
          const k = text(x);
          const e = m.get(k);
          if (e) e.n++;
          else m.set(k, { n: 1, v: x });
        }
      },
      result: () => {
        let best: Scalar | undefined;
        let c = 0;
        for (const e of m.values())
          if (e.n > c) {
            best = e.v;
            c = e.n;
          }
        return best;
      },
    };
  },
  first: () => {
    let val: Value | undefined;
    return {
      add(v) {
        if (val === undefined && !isNull(v)) val = v;
      },
      result: () => val,
    };
  },
  last: () => {
    let val: Value | undefined;
    return {
      add(v) {
        if (!isNull(v)) val = v;
      },
      result: () => val,
    };
  },
  earliest: timed('earliest', false),
  latest: timed('latest', false),
  earliest_time: timed('earliest', true),
  latest_time: timed('latest', true),
};

/** Functions the engine implements (canonical names and aliases). */
export const AGGREGATE_FUNCTIONS: readonly string[] = [
  ...Object.keys(FACTORIES),
  ...Object.keys(ALIASES),
  'p<N>',
  'perc<N>',
  'exactperc<N>',
  'upperperc<N>',
];

/** The value an aggregate reads from a row. */
export function aggregateInput(
  spec: AggSpec,
  row: Row,
  now: number | undefined,
  key?: (f: string) => string,
): Value | undefined {
  if (spec.eval) {
    const r = evaluateEval(spec.eval, row, { now });
    if (!r.ok) return undefined;
    const v = r.value;
    if (v === null || v === false) return undefined;
    if (v === true) return 'True';
    if (Array.isArray(v)) return normaliseList(v as Scalar[]);
    return v as Scalar;
  }
  if (!spec.field) return 1;
  const v = row[key ? key(spec.field) : spec.field];
  return v === null ? undefined : v;
}

export function newAccumulator(spec: AggSpec): Accumulator {
  return spec.wildcard ? wildcardAccumulator(spec) : FACTORIES[spec.fn]!(spec);
}

export type AggParse = { ok: true; spec: AggSpec } | { ok: false; message: string; span: Span };

/**
 * One aggregate as written: `count`, `dc(user)`, `perc95(x)`, `count(eval(a>1))`, `values("a b")`;
 * `as` handled by the caller.
 */
export function parseAggregate(w: Word): AggParse {
  const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:\(([\s\S]*)\))?$/.exec(w.value);
  if (!m || w.quoted)
    return { ok: false, message: `expected a statistical function, found "${w.value}"`, span: w.span };
  let fn = m[1]!.toLowerCase();
  let percentileValue: number | undefined;
  const pm = /^(p|perc|exactperc|upperperc)(\d+(?:\.\d+)?)$/.exec(fn);
  if (pm) {
    fn = pm[1] === 'p' ? 'perc' : pm[1]!;
    percentileValue = Number(pm[2]);
  }
  if (fn === 'median') percentileValue = 50;
  fn = ALIASES[fn] ?? fn;
  if (!FACTORIES[fn])
    return {
      ok: false,
      message: `statistical function ${m[1]}() is not implemented (implemented: ${AGGREGATE_FUNCTIONS.join(', ')})`,
      span: w.span,
    };
  if ((fn === 'perc' || fn === 'exactperc' || fn === 'upperperc') && percentileValue === undefined)
    return { ok: false, message: `${m[1]} needs a percentile, e.g. perc95(x)`, span: w.span };
  const inner = m[2]?.trim();
  const spec: AggSpec = { fn, name: w.value, span: w.span, percentile: percentileValue };
  if (inner === undefined || inner === '') {
    if (fn !== 'count') return { ok: false, message: `${m[1]}() needs a field`, span: w.span };
    return { ok: true, spec };
  }
  const ev = /^eval\s*\(([\s\S]*)\)$/i.exec(inner);
  if (ev) {
    const open = w.value.indexOf('(', w.value.indexOf('(') + 1);
    const parsed = parseEvalAt(ev[1]!, w.span.start + open + 1);
    if (!parsed.ok) return parsed;
    spec.eval = parsed.value;
    return { ok: true, spec };
  }
  let field = inner;
  if (field.length >= 2 && field.startsWith('"') && field.endsWith('"'))
    field = field.slice(1, -1).replace(/\\(["\\])/g, '$1');
  if (field.includes('*')) {
    spec.wildcard = fieldPattern(field);
    return { ok: true, spec };
  }
  spec.field = field;
  return { ok: true, spec };
}

export type AggListParse =
  | { ok: true; aggs: AggSpec[]; by: Word[]; rest: Word[] }
  | { ok: false; message: string; span: Span };

/**
 * `<agg> [as <name>] … [by <field>…]` from a command's words; `rest` is what follows the by-list
 * when `stopAtBy` words end it (none for stats).
 */
export function parseAggregateList(ws: readonly Word[], requireRename = true): AggListParse {
  const aggs: AggSpec[] = [];
  let i = 0;
  for (; i < ws.length; i++) {
    const w = ws[i]!;
    if (!w.quoted && /^by$/i.test(w.value)) break;
    const p = parseAggregate(w);
    if (!p.ok) return p;
    const next = ws[i + 1];
    if (next && !next.quoted && /^as$/i.test(next.value)) {
      const name = ws[i + 2];
      if (!name) return { ok: false, message: `"as" after ${w.value} needs a name`, span: next.span };
      p.spec.name = name.value;
      i += 2;
    } else if (p.spec.eval && requireRename) {
      // Splunk: "You must specify a rename for the aggregation specifier on the dynamically evaluated field".
      return { ok: false, message: `${w.value} needs a rename: add "as <name>"`, span: w.span };
    }
    aggs.push(p.spec);
  }
  const by: Word[] = [];
  if (i < ws.length) {
    for (i++; i < ws.length; i++) by.push(ws[i]!);
    if (by.length === 0) return { ok: false, message: '"by" needs at least one field', span: ws[ws.length - 1]!.span };
  }
  return { ok: true, aggs, by, rest: [] };
}

/**
 * Order of the groups stats outputs: lexicographic by the by-values, first field first
 * [unverified: Splunk sorts groups by their by-values; whether numeric values sort numerically is
 * not documented]. The same order as the replay's tstats aggregation.
 */
export const GROUP_ORDER: 'lexicographic' | 'auto' = 'lexicographic';

/** Group-by values of a row: undefined when a by-field is null (and no fill value is given). */
function combos(
  row: Row,
  keys: readonly string[],
  fill: string | undefined,
  transforms?: readonly (((v: Value) => Value | undefined) | undefined)[],
): Scalar[][] | undefined {
  let out: Scalar[][] = [[]];
  for (let i = 0; i < keys.length; i++) {
    let v = row[keys[i]!];
    if (v !== undefined && v !== null && transforms?.[i]) v = transforms[i]!(v as Value);
    const vals = valuesOf(v as Value | undefined);
    if (vals.length === 0) {
      if (fill === undefined) return undefined;
      for (const c of out) c.push(fill);
      continue;
    }
    if (vals.length === 1) {
      for (const c of out) c.push(vals[0]!);
      continue;
    }
    const distinct = [...new Map(vals.map((x) => [text(x), x] as const)).values()];
    out = out.flatMap((c) => distinct.map((x) => [...c, x]));
  }
  return out;
}

interface Group {
  by: Scalar[];
  /** The by-values as text (the group's keys, and what GROUP_ORDER compares). */
  texts: string[];
  accs: Accumulator[];
}

type Level = Map<string, Level | Group>;

export interface GroupingOptions {
  /** Output names of the by fields (as written). */
  byNames: readonly string[];
  /** Row keys of the by fields (default: the names). */
  byKeys?: readonly string[];
  /** Row key of an aggregate's field (tstats: `Processes.dest` → `dest`). */
  fieldKey?: (written: string) => string;
  /** tstats `fillnull_value`: stands in for a null by-field instead of dropping the event. */
  fillNull?: string;
  /** Per by-field value transform (tstats `span=` on `_time`). */
  transforms?: readonly (((v: Value) => Value | undefined) | undefined)[];
  now?: number;
}

/** stats: one accumulator set per group; results in GROUP_ORDER. */
export class Grouping {
  /** Groups in nested maps, one level per by-field, keyed by the value's text (no key strings built). */
  private readonly root: Level = new Map();
  private readonly all: Group[] = [];
  private readonly keys: readonly string[];
  private readonly scratch: Scalar[] = [];
  private readonly scratchTexts: string[] = [];
  /**
   * Per aggregate, the row key of its field (`fieldKey` applied once, not per row); undefined
   * for `count`, `fn(eval(…))` and wildcards (aggregateInput).
   */
  private readonly inputKeys: readonly (string | undefined)[];
  droppedNull = 0;

  constructor(
    readonly aggs: readonly AggSpec[],
    readonly options: GroupingOptions,
  ) {
    this.keys = options.byKeys ?? options.byNames;
    const by = new Set(this.keys);
    for (const a of aggs) if (a.wildcard) a.exclude = by;
    const key = options.fieldKey;
    this.inputKeys = aggs.map((a) => (a.eval || a.field === undefined ? undefined : key ? key(a.field) : a.field));
  }

  add(row: Row): void {
    const keys = this.keys;
    const o = this.options;
    if (keys.length === 0) {
      this.addTo(this.groupAt([]), row);
      return;
    }
    // Fast path: every by-value a single value.
    const by = this.scratch;
    by.length = 0;
    for (let i = 0; i < keys.length; i++) {
      let v = row[keys[i]!];
      if (v !== undefined && v !== null && o.transforms?.[i]) v = o.transforms[i]!(v as Value);
      if (v === undefined || v === null || (Array.isArray(v) && v.length === 0)) {
        if (o.fillNull === undefined) {
          this.droppedNull++;
          return;
        }
        by.push(o.fillNull);
        continue;
      }
      if (Array.isArray(v)) {
        this.addCombos(row);
        return;
      }
      by.push(v as Scalar);
    }
    this.addTo(this.groupAt(by), row);
  }

  private addCombos(row: Row): void {
    const cs = combos(row, this.keys, this.options.fillNull, this.options.transforms);
    if (!cs) {
      this.droppedNull++;
      return;
    }
    for (const c of cs) this.addTo(this.groupAt(c), row);
  }

  /** The group of these by-values (created when new). */
  private groupAt(by: readonly Scalar[]): Group {
    if (by.length === 0) {
      if (this.all.length === 0) this.all.push({ by: [], texts: [], accs: this.aggs.map(newAccumulator) });
      return this.all[0]!;
    }
    let level = this.root;
    const texts = this.scratchTexts;
    texts.length = 0;
    for (let i = 0; i < by.length; i++) {
      const x = by[i]!;
      const t = typeof x === 'string' ? x : text(x);
      texts.push(t);
      const hit = level.get(t);
      if (i === by.length - 1) {
        if (hit) return hit as Group;
        const g: Group = { by: [...by], texts: [...texts], accs: this.aggs.map(newAccumulator) };
        level.set(t, g);
        this.all.push(g);
        return g;
      }
      let next = hit as Level | undefined;
      if (!next) level.set(t, (next = new Map()));
      level = next;
    }
    throw new Error('unreachable');
  }

  private find(by: readonly Scalar[]): Group | undefined {
    if (by.length === 0) return this.all[0];
    let level: Level | Group | undefined = this.root;
    for (const x of by) {
      if (!(level instanceof Map)) return undefined;
      level = level.get(typeof x === 'string' ? x : text(x));
    }
    return level instanceof Map ? undefined : level;
  }

  private addTo(g: Group, row: Row): void {
    const accs = g.accs;
    const inputKeys = this.inputKeys;
    for (let i = 0; i < accs.length; i++) {
      const k = inputKeys[i];
      let v: Value | null | undefined;
      if (k === undefined) v = aggregateInput(this.aggs[i]!, row, this.options.now, this.options.fieldKey);
      else v = row[k];
      accs[i]!.add(v === null ? undefined : v, row);
    }
  }

  /** The groups in output order, each as a row (by-fields, then aggregates). */
  rows(): Row[] {
    const groups = [...this.all];
    if (this.keys.length > 0) groups.sort(this.groupOrder(groups));
    // stats without a by-clause returns one row even over no events (count=0).
    if (groups.length === 0 && this.keys.length === 0)
      groups.push({ by: [], texts: [], accs: this.aggs.map(newAccumulator) });
    const out: Row[] = [];
    for (const g of groups) {
      const row: Row = {};
      for (let i = 0; i < this.options.byNames.length; i++) row[this.options.byNames[i]!] = g.by[i]!;
      for (let i = 0; i < g.accs.length; i++) {
        const acc = g.accs[i]!;
        if (acc.results) {
          for (const [k, v] of acc.results()) if (!(k in row)) row[k] = v;
          continue;
        }
        const r = acc.result();
        if (r !== undefined) row[this.aggs[i]!.name] = r;
      }
      out.push(row);
    }
    return out;
  }

  /**
   * GROUP_ORDER over the groups' by-values. Lexicographic: their texts in code point order —
   * compared by the engine's own string order when no text has a surrogate (the same order).
   */
  private groupOrder(groups: readonly Group[]): (x: Group, y: Group) => number {
    if (GROUP_ORDER !== 'lexicographic')
      return (x, y) => {
        for (let i = 0; i < x.by.length; i++) {
          const c = compareAutoScalar(x.by[i]!, y.by[i]!);
          if (c) return c;
        }
        return 0;
      };
    const cmp = groups.every((g) => withoutSurrogates(g.texts)) ? compareCodeUnits : compareCodePoints;
    return (x, y) => {
      for (let i = 0; i < x.texts.length; i++) {
        const c = cmp(x.texts[i]!, y.texts[i]!);
        if (c) return c;
      }
      return 0;
    };
  }

  /** The aggregate results of the group a row belongs to (eventstats), or undefined. */
  resultsFor(row: Row): Row | undefined {
    const cs = this.keys.length === 0 ? [[]] : combos(row, this.keys, this.options.fillNull, this.options.transforms);
    if (!cs || cs.length === 0) return undefined;
    const g = this.find(cs[0]!);
    if (!g) return undefined;
    const out: Row = {};
    for (let i = 0; i < g.accs.length; i++) {
      const acc = g.accs[i]!;
      if (acc.results) for (const [k, v] of acc.results()) out[k] = v;
      const r = acc.result();
      if (r !== undefined) out[this.aggs[i]!.name] = r;
    }
    return out;
  }

  get size(): number {
    return this.all.length;
  }
}
