/**
 * The rule index: which detections an event can reach. A detection's `IndexKeys` are necessary
 * conditions (sourcetype, source, an equality term such as `EventCode=4688`, an eventtype, a data
 * set); the index turns them into three filters so that most events meet few detections:
 *
 * 1. per input stream (sourcetype + source, fixed for a stream or an EVTX channel): detections
 *    whose stream clause (sourcetype OR source terms) excludes the stream are dropped once;
 * 2. per event, a hash lookup: each remaining detection is filed under ONE of its equality terms
 *    whose values are all constant (EventCode first: the most selective key of Windows content),
 *    by field and lower-cased value; an event looks its values of those fields up. Detections
 *    without such a term are always candidates;
 * 3. the candidates' eventtype and data-set conditions are checked on the event (data-set
 *    membership at most once per event and data set).
 *
 * The index only skips work: a skipped detection provably cannot match (its keys are necessary
 * conditions, and values are compared case-insensitively as Splunk compares search values — a
 * case-sensitive `CASE(x)` term is matched more broadly, never more narrowly). The property test
 * holds the indexed scan equal to evaluating every detection on every event.
 */
import { asNumber, NUMERIC_EQUALITY, wildcardMatch } from '@dac/spl';
import type { SplunkEvent } from '@dac/normalise';
import type { IndexKeys, ScanDetection } from './types.js';

/** The equality key of one value: Splunk's `=` compares strings, case-insensitively (spl semantics.ts). */
export function valueKey(v: string | number): string {
  if (NUMERIC_EQUALITY) {
    // Were `=` numeric (a documented switch of @dac/spl), `1` and `1.0` would be one key.
    const n = asNumber(v);
    if (n !== undefined) return String(n);
  }
  return String(v).toLowerCase();
}

/** Fields read to route an event (the hashed terms, `eventtype`, the data sets' constraint fields). */
export interface RoutingNeeds {
  fields: Set<string>;
}

export interface RuleIndexOptions {
  /** Whether an extracted event belongs to a data set (`Endpoint.Processes`). Absent: data-set keys are not checked. */
  inDataSet?(event: SplunkEvent, dataSet: string): boolean;
  /** The fields `inDataSet` reads for a data set (added to the routing fields); undefined: unknown (every field). */
  dataSetReads?(dataSet: string): ReadonlySet<string> | undefined;
  /** The rows of an extracted event in a data set (none when not a member); enables `rowTerms`. */
  dataSetRows?(event: SplunkEvent, dataSet: string): readonly Readonly<Record<string, unknown>>[];
  /** The fields `dataSetRows` needs for a data set; undefined: every field. */
  dataSetWanted?(dataSet: string): ReadonlySet<string> | undefined;
}

/** A hashed key: the event (or row) has one of `values` in `field` for some part. */
type Hashed = { field: string; values: string[] }[];

/** One-field terms and multi-field clauses without patterns, as hashed keys. */
function hashable(
  terms: readonly { field: string; values: readonly string[] }[] | undefined,
  anyOf: IndexKeys['anyOf'],
): { one: Hashed[]; many: Hashed[] } {
  const constant = (v: string) => !v.includes('*');
  const one = (terms ?? [])
    .filter((t) => t.values.length > 0 && t.values.every(constant))
    .map((t) => [{ field: t.field, values: t.values.map(valueKey) }]);
  const many = (anyOf ?? [])
    .filter((cl) => cl.length > 0 && cl.every((t) => constant(t.value) && constant(t.field)))
    .map((cl) => {
      const byField = new Map<string, string[]>();
      for (const t of cl) {
        const l = byField.get(t.field);
        if (l) l.push(valueKey(t.value));
        else byField.set(t.field, [valueKey(t.value)]);
      }
      return [...byField].map(([field, values]) => ({ field, values }));
    });
  return { one, many };
}

const size = (h: Hashed) => h.reduce((n, t) => n + t.values.length, 0);

/** The hashable row key of a one-data-set detection, or undefined. */
function hashedRowTerm(keys: IndexKeys): Hashed | undefined {
  if (keys.dataSets?.length !== 1) return undefined;
  const { one, many } = hashable(keys.rowTerms, keys.anyOf);
  const all = one.length > 0 ? one : many;
  return all.length === 0 ? undefined : [...all].sort((a, b) => size(a) - size(b))[0]!;
}

function file(m: Map<string, Map<string, number[]>>, h: Hashed, i: number): void {
  for (const t of h) {
    let byValue = m.get(t.field);
    if (!byValue) m.set(t.field, (byValue = new Map()));
    for (const v of new Set(t.values)) {
      const list = byValue.get(v);
      if (list) list.push(i);
      else byValue.set(v, [i]);
    }
  }
}

/** Whether `value` matches one of `patterns` (case-insensitive, `*` wildcards); none given: no. */
const anyOf = (patterns: readonly string[] | undefined, value: string): boolean =>
  patterns?.some((p) => wildcardMatch(value.toLowerCase(), p.toLowerCase())) === true;

/** The hashable key a detection is filed under, or undefined (always a candidate). */
function hashedTerm(keys: IndexKeys): Hashed | undefined {
  if (keys.dataSets && keys.dataSets.length > 0) {
    // A data-set detection's clauses are about its rows (hashedRowTerm), not the event.
    const { one } = hashable(keys.terms, undefined);
    return pick(one);
  }
  const { one, many } = hashable(keys.terms, keys.anyOf);
  return pick(one) ?? pick(many);
}

/** EventCode first (Windows content keys on it); then the key with the fewest values. */
function pick(keys: Hashed[]): Hashed | undefined {
  if (keys.length === 0) return undefined;
  return (
    keys.find((h) => h.length === 1 && h[0]!.field === 'EventCode') ?? [...keys].sort((a, b) => size(a) - size(b))[0]!
  );
}

/** The routing of one input stream (a sourcetype and source). */
export class StreamRouting {
  /** Fields the routing reads from an event; undefined when some data set's reads are unknown. */
  readonly fields: ReadonlySet<string> | undefined;
  /** Indexes into `detections` of the stream-eligible detections. */
  readonly eligible: readonly number[];
  private readonly always: number[] = [];
  private readonly byField = new Map<string, Map<string, number[]>>();
  /** Data set → row field → lower-cased value → detections (tstats where-clause terms). */
  private readonly byRow = new Map<string, Map<string, Map<string, number[]>>>();
  private readonly mark: Int32Array;
  private stamp = 0;
  private readonly dataSetMemo = new Map<string, boolean>();
  private readonly eventtypeSets = new Map<number, Set<string>>();

  constructor(
    private readonly detections: readonly ScanDetection[],
    eligible: number[],
    private readonly opts: RuleIndexOptions,
  ) {
    this.eligible = eligible;
    this.mark = new Int32Array(detections.length);
    let fields: Set<string> | undefined = new Set<string>();
    for (const i of eligible) {
      const k = detections[i]!.keys;
      const t = hashedTerm(k);
      const rt = t || !opts.dataSetRows ? undefined : hashedRowTerm(k);
      if (t) {
        for (const x of t) fields?.add(x.field);
        file(this.byField, t, i);
      } else if (rt) {
        const ds = k.dataSets![0]!;
        let m = this.byRow.get(ds);
        if (!m) this.byRow.set(ds, (m = new Map()));
        file(m, rt, i);
        const w = opts.dataSetWanted?.(ds);
        if (!w) fields = undefined;
        else for (const f of w) fields?.add(f);
      } else this.always.push(i);
      if (k.eventtypes) {
        fields?.add('eventtype');
        this.eventtypeSets.set(i, new Set(k.eventtypes.map(valueKey)));
      }
      if (k.dataSets && opts.inDataSet)
        for (const ds of k.dataSets) {
          const reads = opts.dataSetReads?.(ds);
          if (!reads) fields = undefined;
          else for (const f of reads) fields?.add(f);
        }
    }
    this.fields = fields;
  }

  /**
   * The detections (indexes, ascending) that can match `event`, which must hold at least the
   * routing fields.
   */
  candidates(event: SplunkEvent): number[] {
    const stamp = ++this.stamp;
    if (stamp === 0x7fffffff) {
      this.mark.fill(0);
      this.stamp = 1;
    }
    const s = this.stamp;
    const out: number[] = [];
    this.dataSetMemo.clear();
    const take = (i: number) => {
      if (this.mark[i] === s) return;
      this.mark[i] = s;
      if (this.passes(i, event)) out.push(i);
    };
    for (const i of this.always) take(i);
    const lookUp = (row: Readonly<Record<string, unknown>>, m: Map<string, Map<string, number[]>>) => {
      for (const [field, byValue] of m) {
        const v = row[field];
        if (v === undefined || v === null) continue;
        if (Array.isArray(v)) {
          for (const x of v) {
            const list = byValue.get(valueKey(x as string));
            if (list) for (const i of list) take(i);
          }
        } else {
          const list = byValue.get(valueKey(v as string));
          if (list) for (const i of list) take(i);
        }
      }
    };
    lookUp(event, this.byField);
    for (const [ds, m] of this.byRow) for (const row of this.opts.dataSetRows!(event, ds)) lookUp(row, m);
    return out.sort((a, b) => a - b);
  }

  private passes(i: number, event: SplunkEvent): boolean {
    const k = this.detections[i]!.keys;
    const want = this.eventtypeSets.get(i);
    if (want) {
      const et = event.eventtype;
      const have = et === undefined || et === null ? [] : Array.isArray(et) ? et : [et];
      if (!have.some((x) => want.has(valueKey(x)))) return false;
    }
    if (k.dataSets && this.opts.inDataSet) {
      let any = false;
      for (const ds of k.dataSets) {
        let r = this.dataSetMemo.get(ds);
        if (r === undefined) {
          r = this.opts.inDataSet(event, ds);
          this.dataSetMemo.set(ds, r);
        }
        if (r) {
          any = true;
          break;
        }
      }
      if (!any) return false;
    }
    return true;
  }
}

/** The index over a set of detections; `stream()` gives (and caches) the routing of one stream. */
export class RuleIndex {
  private readonly streams = new Map<string, StreamRouting>();

  constructor(
    readonly detections: readonly ScanDetection[],
    private readonly opts: RuleIndexOptions = {},
  ) {}

  stream(sourcetype: string, source: string): StreamRouting {
    const key = `${sourcetype}\u0000${source}`;
    let r = this.streams.get(key);
    if (!r) {
      const eligible: number[] = [];
      this.detections.forEach((d, i) => {
        const s = d.keys.streams;
        if (!s || (!s.sourcetype && !s.source) || anyOf(s.sourcetype, sourcetype) || anyOf(s.source, source))
          eligible.push(i);
      });
      r = new StreamRouting(this.detections, eligible, this.opts);
      this.streams.set(key, r);
    }
    return r;
  }
}
