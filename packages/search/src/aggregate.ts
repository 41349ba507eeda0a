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
import {
  compareAuto as compareAutoScalar,
  compareCodeUnits,
  compareLex,
  type FieldPattern,
  fieldPattern,
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
 * A class, not closures: one object per group (most groups of a scan hold one or two events).
 */
class Extreme implements Accumulator {
  private num: number | undefined;
  private str: string | undefined;
  constructor(private readonly sign: 1 | -1) {}
  add(v: Value | undefined): void {
    if (v === undefined || v === null) return;
    if (Array.isArray(v)) for (const s of v) this.one(s);
    else this.one(v);
  }
  private one(s: Scalar): void {
    const n = typeof s === 'number' ? (Number.isFinite(s) ? s : undefined) : toNumber(s);
    if (n !== undefined) {
      if (this.num === undefined || (this.sign > 0 ? n > this.num : n < this.num)) this.num = n;
      return;
    }
    const t = text(s);
    if (this.str === undefined || this.sign * compareLex(t, this.str) > 0) this.str = t;
  }
  result(): Value | undefined {
    return this.sign > 0 ? (this.str ?? this.num) : (this.num ?? this.str);
  }
}

/**
 * The distinct texts of a field's values (values, dc): the first one held alone, the Set made at
 * the second distinct one — a group of one event (most groups of a scan) allocates no Set.
 */
class DistinctTexts implements Accumulator {
  private first: string | undefined;
  private more: Set<string> | undefined;
  constructor(private readonly count: boolean) {}
  add(v: Value | undefined): void {
    if (v === undefined || v === null) return;
    if (Array.isArray(v)) for (const s of v) this.one(s);
    else this.one(v);
  }
  private one(s: Scalar): void {
    const t = typeof s === 'string' ? s : text(s);
    if (this.first === undefined) this.first = t;
    else if (this.more) this.more.add(t);
    else if (t !== this.first) this.more = new Set([this.first, t]);
  }
  result(): Value | undefined {
    if (this.count) return this.more ? this.more.size : this.first === undefined ? 0 : 1;
    if (this.more) return normaliseList(sortLex([...this.more]));
    return this.first;
  }
}

class Count implements Accumulator {
  private n = 0;
  /** Bare `count` counts every event; `count(X)` the events where X is not null. */
  constructor(private readonly everyEvent: boolean) {}
  add(v: Value | undefined): void {
    if (this.everyEvent || !isNull(v)) this.n++;
  }
  result(): number {
    return this.n;
  }
}

class Timed implements Accumulator {
  private t: number | undefined;
  private val: Value | undefined;
  constructor(
    private readonly earliest: boolean,
    private readonly timeOnly: boolean,
  ) {}
  add(v: Value | undefined, row: Row): void {
    const tt = toNumber(row._time as Scalar | undefined);
    if (tt === undefined || isNull(v)) return;
    if (this.t === undefined || (this.earliest ? tt < this.t : tt > this.t)) {
      this.t = tt;
      this.val = v;
    }
  }
  result(): Value | undefined {
    return this.timeOnly ? this.t : this.val;
  }
}

function timed(pick: 'earliest' | 'latest', timeOnly: boolean): Factory {
  return () => new Timed(pick === 'earliest', timeOnly);
}

const FACTORIES: Record<string, Factory> = {
  count: (spec) => new Count(!spec.field && !spec.eval),
  dc: () => new DistinctTexts(true),
  values: () => new DistinctTexts(false),
  list: () => {
    const l: Scalar[] = [];
    return {
      add(v) {
        for (const x of valuesOf(v)) if (l.length < LIST_MAXSIZE) l.push(x);
      },
      result: () => normaliseList(l),
    };
  },
  min: () => new Extreme(-1),
  max: () => new Extreme(1),
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

/**
 * Separates the by-values' texts in a group's key. The key is unambiguous while no text holds it
 * (two different by-value lists with the same key must both hold one: see Grouping.keyed), and
 * it sorts below every other character, so comparing two keys compares their by-value lists
 * field by field, as GROUP_ORDER does (a shorter text that is a prefix of a longer one sorts first).
 */
const KEY_SEPARATOR = '\u0000';

/** Where a row goes under a by-list: its by-values and their key (the texts joined by KEY_SEPARATOR). */
interface GroupKey {
  readonly key: string;
  /** Never modified: groups and other groupings share it. */
  readonly by: readonly Scalar[];
}

/** A row's groups: one, several (multivalue by-fields), or none (a null by-field). */
type RowGroups = GroupKey | readonly GroupKey[] | undefined;

function holdsSeparator(by: readonly Scalar[]): boolean {
  for (const x of by) if (typeof x === 'string' && x.includes(KEY_SEPARATOR)) return true;
  return false;
}

/**
 * The group keys of rows under one by-list. With `remember`, the last row's keys are kept: the
 * scan hands one event's data-set row to every tstats detection it reaches in turn, and the
 * detections with the same by-list (ESCU's ~20-field `by Processes.action … Processes.vendor_product`)
 * then share one computation. Only for rows nothing modifies (GroupingOptions.rowsUnchanged).
 */
class GroupKeys {
  private lastRow: Row | undefined;
  private last: RowGroups;

  constructor(
    private readonly keys: readonly string[],
    readonly fill: string | undefined,
    private readonly transforms: readonly (((v: Value) => Value | undefined) | undefined)[] | undefined,
    private readonly remember: boolean,
  ) {}

  of(row: Row): RowGroups {
    if (!this.remember) return this.compute(row);
    if (row !== this.lastRow) {
      this.last = this.compute(row);
      this.lastRow = row;
    }
    return this.last;
  }

  private compute(row: Row): RowGroups {
    const keys = this.keys;
    const transforms = this.transforms;
    // Sized once: pushing 20 by-values would grow the array three times.
    const by = new Array<Scalar>(keys.length);
    // The key is by.join(KEY_SEPARATOR) — one string, no intermediate concatenations — when
    // every by-value is a string (a number's text is formatNumber's, not join's).
    let numbers = false;
    for (let i = 0; i < keys.length; i++) {
      let v = row[keys[i]!] as Value | null | undefined;
      if (v !== undefined && v !== null && transforms?.[i]) v = transforms[i]!(v);
      let s: Scalar;
      if (v === undefined || v === null || (Array.isArray(v) && v.length === 0)) {
        if (this.fill === undefined) return undefined;
        s = this.fill;
      } else if (Array.isArray(v)) {
        if (v.length > 1) return this.fanOut(row);
        s = v[0]!;
      } else s = v;
      if (typeof s !== 'string') numbers = true;
      by[i] = s;
    }
    return { key: numbers ? by.map(text).join(KEY_SEPARATOR) : by.join(KEY_SEPARATOR), by };
  }

  /** A multivalue by-field: a group per combination of distinct values (combos). */
  private fanOut(row: Row): RowGroups {
    const cs = combos(row, this.keys, this.fill, this.transforms);
    if (!cs) return undefined;
    return cs.map((by) => ({ key: by.map(text).join(KEY_SEPARATOR), by }));
  }
}

/**
 * GroupKeys shared by the groupings of unchanged rows (tstats data-set rows), one per
 * (by-keys, fillnull_value): the scan's detections with the same by-list share their last row's
 * keys. Not for by-lists with transforms (`span=`), which are closures of one tstats.
 */
const SHARED_GROUP_KEYS = new Map<string, GroupKeys>();
/** By-lists remembered (GroupKeys and output-row makers each) before the maps are emptied. */
const SHARED_MAKERS_MAX = 4096;

/** The same by-key list (a prepared tstats's, the same array for each of its runs): skips the JSON. */
const SHARED_GROUP_KEYS_OF_LIST = new WeakMap<readonly string[], GroupKeys>();

function sharedGroupKeys(keys: readonly string[], fill: string | undefined): GroupKeys {
  const known = SHARED_GROUP_KEYS_OF_LIST.get(keys);
  if (known && known.fill === fill) return known;
  const id = JSON.stringify([keys, fill ?? false]);
  let g = SHARED_GROUP_KEYS.get(id);
  if (!g) {
    // Bounded for a long-lived process running many searches: a grouping keeps the GroupKeys it
    // was given, so emptying only ends the sharing for by-lists seen again, never a result.
    if (SHARED_GROUP_KEYS.size >= SHARED_MAKERS_MAX) SHARED_GROUP_KEYS.clear();
    SHARED_GROUP_KEYS.set(id, (g = new GroupKeys(keys, fill, undefined, true)));
  }
  SHARED_GROUP_KEYS_OF_LIST.set(keys, g);
  return g;
}

/** A group's output row with its by-fields set, in by-list order (the aggregates follow). */
type ByRow = (by: readonly Scalar[]) => Row;

const BY_ROWS = new Map<string, ByRow>();
/** The same by-name lists (a prepared command's, the same array for each of its runs). */
const BY_ROWS_OF_LIST = new WeakMap<readonly string[], ByRow>();

/**
 * The output-row maker of a by-list. V8 turns an object into a slow hash table ("dictionary
 * mode") once a dozen-odd properties are added by computed-key stores, as `row[name] = value`
 * for ESCU's ~20 by-fields does; an object literal with the names written out is made from one
 * fixed shape (about 10x cheaper to build, and cheaper to read for the commands after). The
 * names are embedded as JSON string literals, so no name can break out of the generated code;
 * the literal has the semantics of the stores in order (a repeated name: its last value at its
 * first place). `__proto__` as a literal key would set the prototype rather than a field, as
 * the store does too, but it stays with the stores (no generated code for that case).
 */
function byRowMaker(names: readonly string[]): ByRow {
  let f = BY_ROWS_OF_LIST.get(names);
  if (f) return f;
  const id = JSON.stringify(names);
  f = BY_ROWS.get(id);
  if (!f) {
    const stores: ByRow = (by) => {
      const row: Row = {};
      for (let i = 0; i < names.length; i++) row[names[i]!] = by[i]!;
      return row;
    };
    if (names.includes('__proto__')) f = stores;
    else {
      const body = `return {${names.map((n, i) => `${JSON.stringify(n)}: by[${i}]`).join(', ')}};`;
      try {
        f = new Function('by', body) as ByRow;
      } catch {
        // Code generation refused (node --disallow-code-generation-from-strings): the stores.
        f = stores;
      }
    }
    if (BY_ROWS.size >= SHARED_MAKERS_MAX) BY_ROWS.clear();
    BY_ROWS.set(id, f);
  }
  BY_ROWS_OF_LIST.set(names, f);
  return f;
}

interface Group {
  readonly key: string;
  readonly by: readonly Scalar[];
  readonly accs: Accumulator[];
}

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
  /**
   * The rows added are never modified, now or later (tstats data-set rows): a row's group keys
   * may be computed once for every grouping with the same by-list (GroupKeys `remember`).
   */
  rowsUnchanged?: boolean;
  now?: number;
}

/** stats: one accumulator set per group; results in GROUP_ORDER. */
export class Grouping {
  /**
   * The groups by key, in creation order. One Map keyed by the joined by-value texts: a lookup
   * per row and, for a new group, one entry (a Map per by-field level cost ~20 Maps per group).
   */
  private groups = new Map<string, Group>();
  /** The group without by-fields. */
  private single: Group | undefined;
  private readonly keys: readonly string[];
  private readonly groupKeys: GroupKeys;
  /**
   * A group's by-value text holds KEY_SEPARATOR: keys could then be ambiguous, so the groups are
   * keyed by JSON.stringify of their texts from then on (the key no longer orders them either).
   */
  private separatorInText = false;
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
    if (aggs.some((a) => a.wildcard)) {
      const by = new Set(this.keys);
      for (const a of aggs) if (a.wildcard) a.exclude = by;
    }
    const key = options.fieldKey;
    this.inputKeys = aggs.map((a) => (a.eval || a.field === undefined ? undefined : key ? key(a.field) : a.field));
    this.groupKeys =
      options.rowsUnchanged && !options.transforms
        ? sharedGroupKeys(this.keys, options.fillNull)
        : new GroupKeys(this.keys, options.fillNull, options.transforms, false);
  }

  add(row: Row): void {
    if (this.keys.length === 0) {
      this.single ??= this.newGroup('', []);
      this.addTo(this.single, row);
      return;
    }
    const at = this.groupKeys.of(row);
    if (at === undefined) {
      this.droppedNull++;
      return;
    }
    if (!Array.isArray(at)) {
      this.addTo(this.groupAt(at as GroupKey), row);
      return;
    }
    for (const k of at as readonly GroupKey[]) this.addTo(this.groupAt(k), row);
  }

  private newGroup(key: string, by: readonly Scalar[]): Group {
    const aggs = this.aggs;
    const accs = new Array<Accumulator>(aggs.length);
    for (let i = 0; i < aggs.length; i++) accs[i] = newAccumulator(aggs[i]!);
    return { key, by, accs };
  }

  /** The group of these by-values (created when new). */
  private groupAt(k: GroupKey): Group {
    const key = this.separatorInText ? this.keyed(k.by) : k.key;
    const hit = this.groups.get(key);
    if (hit) return hit;
    const g = this.newGroup(key, k.by);
    this.groups.set(key, g);
    if (!this.separatorInText && holdsSeparator(k.by)) {
      // Before this group, no text held the separator, so no two groups' keys could be equal:
      // a key shared by two different by-value lists needs the separator in a text of each
      // (both keys hold the same number of separators). From here on, keys that cannot collide.
      this.separatorInText = true;
      const rekeyed = new Map<string, Group>();
      for (const x of this.groups.values()) rekeyed.set(this.keyed(x.by), x);
      this.groups = rekeyed;
    }
    return g;
  }

  /** The unambiguous key of by-values (after a text held KEY_SEPARATOR). */
  private keyed(by: readonly Scalar[]): string {
    return JSON.stringify(by.map(text));
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
    const groups = this.single ? [this.single] : [...this.groups.values()];
    if (groups.length > 1) groups.sort(this.groupOrder(groups));
    // stats without a by-clause returns one row even over no events (count=0).
    if (groups.length === 0 && this.keys.length === 0) groups.push(this.newGroup('', []));
    const out: Row[] = [];
    const byRow = byRowMaker(this.options.byNames);
    for (const g of groups) {
      const row = byRow(g.by);
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
   * GROUP_ORDER over the groups' by-values. Lexicographic: their texts in code point order — the
   * keys compared whole (see KEY_SEPARATOR), by the engine's own string order when no key has a
   * surrogate (the same order); field by field when a text held the separator.
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
    if (this.separatorInText)
      return (x, y) => {
        for (let i = 0; i < x.by.length; i++) {
          const c = compareCodePoints(text(x.by[i]!), text(y.by[i]!));
          if (c) return c;
        }
        return 0;
      };
    // Asked at sort time, not per group: a grouping of one group (a third of a scan's) never is.
    if (!withoutSurrogates(groups.map((g) => g.key))) return (x, y) => compareCodePoints(x.key, y.key);
    return (x, y) => compareCodeUnits(x.key, y.key);
  }

  /** The aggregate results of the group a row belongs to (eventstats), or undefined. */
  resultsFor(row: Row): Row | undefined {
    let g: Group | undefined;
    if (this.keys.length === 0) g = this.single;
    else {
      const at = this.groupKeys.of(row);
      // A multivalue by-field: the first combination's group (as combos()[0]).
      const first = Array.isArray(at) ? (at as readonly GroupKey[])[0] : (at as GroupKey | undefined);
      if (first) g = this.groups.get(this.separatorInText ? this.keyed(first.by) : first.key);
    }
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
    return this.single ? 1 : this.groups.size;
  }
}
