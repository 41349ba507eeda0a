/**
 * The rule index: which detections an event can reach. A detection's `IndexKeys` are, per pass
 * (each read of the events), necessary clauses — ORs of `field=pattern` terms — on the event and,
 * for a leading tstats, on the event's rows in its data set, and the pass's data sets. The index:
 *
 * 1. per input stream (sourcetype + source, fixed for a stream or an EVTX channel): clauses only
 *    about `sourcetype`/`source` are decided once; a pass one of them excludes is dropped;
 * 2. per event, every remaining term of every pass is tested at once, field by field: each value
 *    is folded once, constant patterns are one hash lookup, wildcard patterns one automaton pass
 *    over the value (term-matcher.ts). A pass whose indexed clauses all hold is live; a pass
 *    without indexed clauses is live for every event;
 * 3. a live pass's data sets are checked on the event (membership at most once per event and
 *    data set); the detection of a live pass that holds is a candidate.
 *
 * The index only skips work: a skipped detection provably cannot use the event (its keys are
 * necessary conditions, and values are compared case-insensitively as Splunk compares search
 * values — a case-sensitive `CASE(x)` term is matched more broadly, never more narrowly). The
 * property test holds the indexed scan equal to evaluating every detection on every event.
 */
import type { SplunkEvent } from '@dac/normalise';
import { FieldMatcher, foldValue, matchesFolded } from './term-matcher.js';
import type { IndexClause, ScanDetection } from './types.js';

/**
 * Whether a clause holds for every event of a stream (true), for none (false), or depends on the
 * event (undefined: a term on another field than `sourcetype` and `source`).
 */
function streamHolds(cl: IndexClause, sourcetype: string, source: string): boolean | undefined {
  if (!cl.every((t) => t.field === 'sourcetype' || t.field === 'source')) return undefined;
  return cl.some((t) =>
    matchesFolded(foldValue(t.field === 'sourcetype' ? sourcetype : source), t.value.toLowerCase()),
  );
}

export interface RuleIndexOptions {
  /** Whether an extracted event belongs to a data set (`Endpoint.Processes`). Absent: data-set keys are not checked. */
  inDataSet?(event: SplunkEvent, dataSet: string): boolean;
  /** The fields `inDataSet` reads for a data set (added to the routing fields); undefined: unknown (every field). */
  dataSetReads?(dataSet: string): ReadonlySet<string> | undefined;
  /** The rows of an extracted event in a data set (none when not a member); enables `rowClauses`. */
  dataSetRows?(event: SplunkEvent, dataSet: string): readonly Readonly<Record<string, unknown>>[];
  /** The fields `dataSetRows` needs for a data set; undefined: every field. */
  dataSetWanted?(dataSet: string): ReadonlySet<string> | undefined;
}

/**
 * Every term of an index's detections, numbered once, and one matcher per domain ('' = the
 * event, else a data set's rows) and field, shared by all streams: a stream's routing maps the
 * term numbers to its own passes' clauses (a term no pass of the stream has maps to none).
 */
class TermTable {
  private readonly ids = new Map<string, Map<string, Map<string, number>>>();
  private readonly matchers = new Map<string, FieldMatcher>();
  private count = 0;

  constructor(detections: readonly ScanDetection[], rows: boolean) {
    for (const d of detections)
      for (const pass of d.keys.passes ?? []) {
        for (const cl of pass.clauses ?? []) for (const t of cl) this.add('', t.field, t.value);
        if (rows && pass.dataSets?.length === 1)
          for (const cl of pass.rowClauses ?? []) for (const t of cl) this.add(pass.dataSets[0]!, t.field, t.value);
      }
  }

  private add(domain: string, field: string, pattern: string): void {
    let byField = this.ids.get(domain);
    if (!byField) this.ids.set(domain, (byField = new Map()));
    let byPattern = byField.get(field);
    if (!byPattern) byField.set(field, (byPattern = new Map()));
    const lower = pattern.toLowerCase();
    if (!byPattern.has(lower)) byPattern.set(lower, this.count++);
  }

  /** The number of a term (one of the detections'). */
  id(domain: string, field: string, pattern: string): number {
    return this.ids.get(domain)!.get(field)!.get(pattern.toLowerCase())!;
  }

  /** The matcher of every term on a field of a domain (built on first use). */
  matcher(domain: string, field: string): FieldMatcher {
    const key = `${domain}\u0000${field}`;
    let m = this.matchers.get(key);
    if (!m) {
      const byPattern = this.ids.get(domain)!.get(field)!;
      this.matchers.set(key, (m = new FieldMatcher([...byPattern.values()], [...byPattern.keys()])));
    }
    return m;
  }
}

/** The routing of one input stream (a sourcetype and source). */
export class StreamRouting {
  /** Fields the routing reads from an event; undefined when some data set's reads are unknown. */
  readonly fields: ReadonlySet<string> | undefined;
  /** Indexes into `detections` of the detections some pass of which the stream can feed. */
  readonly eligible: readonly number[];
  /** Passes ("units") with no indexed clause: tried on every event. */
  private readonly always: number[] = [];
  private readonly unitDetection: number[] = [];
  private readonly unitDataSets: (readonly string[] | undefined)[] = [];
  /** Per unit: how many clauses it indexes (all must hold). */
  private readonly unitNeeds: number[] = [];
  private readonly clauseUnit: number[] = [];
  /** Per term of the index's table: the clauses (of this stream's passes) it belongs to. */
  private readonly termClauses: (number[] | undefined)[] = [];
  private readonly eventFields: [string, FieldMatcher][] = [];
  /** Data set → its row fields' matchers (tstats where-clause terms). */
  private readonly rowFields: [string, [string, FieldMatcher][]][] = [];
  private readonly unitHits: Int32Array;
  private readonly unitStamp: Int32Array;
  private readonly clauseStamp: Int32Array;
  private readonly mark: Int32Array;
  private stamp = 0;
  private readonly dataSetMemo = new Map<string, boolean>();
  private event: SplunkEvent = {};
  private out: number[] = [];

  constructor(
    detections: readonly ScanDetection[],
    sourcetype: string,
    source: string,
    private readonly opts: RuleIndexOptions,
    table: TermTable,
  ) {
    let fields: Set<string> | undefined = new Set<string>();
    const addReads = (r: ReadonlySet<string> | undefined) => {
      if (!r) fields = undefined;
      else for (const f of r) fields?.add(f);
    };
    // The fields whose terms this stream's passes index, by domain ('' = the event, else a data set's rows).
    const used = new Map<string, Set<string>>();
    const eligible: number[] = [];
    detections.forEach((d, i) => {
      let any = false;
      for (const pass of d.keys.passes ?? [{}]) {
        const clauses: IndexClause[] = [];
        let feeds = true;
        for (const cl of pass.clauses ?? []) {
          const s = streamHolds(cl, sourcetype, source);
          if (s === false) feeds = false;
          else if (s === undefined) clauses.push(cl);
        }
        if (!feeds) continue;
        any = true;
        const u = this.unitDetection.length;
        this.unitDetection.push(i);
        this.unitDataSets.push(pass.dataSets && opts.inDataSet ? pass.dataSets : undefined);
        if (pass.dataSets && opts.inDataSet) for (const ds of pass.dataSets) addReads(opts.dataSetReads?.(ds));
        const file = (domain: string, cl: IndexClause) => {
          const c = this.clauseUnit.length;
          this.clauseUnit.push(u);
          let fieldsOf = used.get(domain);
          if (!fieldsOf) used.set(domain, (fieldsOf = new Set()));
          for (const t of cl) {
            fieldsOf.add(t.field);
            const id = table.id(domain, t.field, t.value);
            const l = this.termClauses[id];
            if (l) l.push(c);
            else this.termClauses[id] = [c];
          }
        };
        for (const cl of clauses) {
          file('', cl);
          for (const t of cl) fields?.add(t.field);
        }
        const ds = pass.dataSets?.length === 1 ? pass.dataSets[0]! : undefined;
        const rowClauses = ds && opts.dataSetRows ? (pass.rowClauses ?? []) : [];
        for (const cl of rowClauses) file(ds!, cl);
        if (rowClauses.length > 0) addReads(opts.dataSetWanted?.(ds!));
        const needs = clauses.length + rowClauses.length;
        this.unitNeeds.push(needs);
        if (needs === 0) this.always.push(u);
      }
      if (any) eligible.push(i);
    });
    for (const [domain, fieldsOf] of used) {
      const matchers: [string, FieldMatcher][] = [...fieldsOf].map((f) => [f, table.matcher(domain, f)]);
      if (domain === '') this.eventFields.push(...matchers);
      else this.rowFields.push([domain, matchers]);
    }
    this.eligible = eligible;
    this.fields = fields;
    const units = this.unitDetection.length;
    this.unitHits = new Int32Array(units);
    this.unitStamp = new Int32Array(units);
    this.clauseStamp = new Int32Array(this.clauseUnit.length);
    this.mark = new Int32Array(detections.length);
  }

  /**
   * The detections (indexes, ascending) that can use `event`, which must hold at least the
   * routing fields: those with a pass all of whose indexed clauses hold and whose data sets
   * hold the event.
   */
  candidates(event: SplunkEvent): number[] {
    if (++this.stamp === 0x7fffffff) {
      for (const a of [this.mark, this.unitStamp, this.clauseStamp]) a.fill(0);
      this.stamp = 1;
    }
    this.event = event;
    this.dataSetMemo.clear();
    const out: number[] = (this.out = []);
    for (const u of this.always) this.live(u);
    for (const [field, m] of this.eventFields) this.testValue(event[field], m);
    for (const [ds, matchers] of this.rowFields)
      for (const row of this.opts.dataSetRows!(event, ds))
        for (const [field, m] of matchers) this.testValue(row[field], m);
    return out.sort((a, b) => a - b);
  }

  /** A field's value (missing: no term holds; multivalue: each value) through the field's matcher. */
  private testValue(v: unknown, m: FieldMatcher): void {
    if (typeof v === 'string' || typeof v === 'number') m.test(foldValue(v), this.onTerm);
    else if (Array.isArray(v))
      for (const x of v) if (typeof x === 'string' || typeof x === 'number') m.test(foldValue(x), this.onTerm);
  }

  /** A term holds for the event: each of its clauses holds; a unit whose clauses all hold is live. */
  private readonly onTerm = (term: number): void => {
    const s = this.stamp;
    const clauses = this.termClauses[term];
    if (!clauses) return;
    for (const c of clauses) {
      if (this.clauseStamp[c] === s) continue;
      this.clauseStamp[c] = s;
      const u = this.clauseUnit[c]!;
      if (this.unitStamp[u] !== s) {
        this.unitStamp[u] = s;
        this.unitHits[u] = 0;
      }
      if (++this.unitHits[u]! === this.unitNeeds[u]) this.live(u);
    }
  };

  /** A unit whose clauses hold: its detection is a candidate when the event is in one of its data sets. */
  private live(u: number): void {
    const i = this.unitDetection[u]!;
    if (this.mark[i] === this.stamp) return;
    const sets = this.unitDataSets[u];
    if (sets && !sets.some((ds) => this.inDataSet(ds))) return;
    this.mark[i] = this.stamp;
    this.out.push(i);
  }

  private inDataSet(ds: string): boolean {
    let r = this.dataSetMemo.get(ds);
    if (r === undefined) this.dataSetMemo.set(ds, (r = this.opts.inDataSet!(this.event, ds)));
    return r;
  }
}

/** The index over a set of detections; `stream()` gives (and caches) the routing of one stream. */
export class RuleIndex {
  private readonly streams = new Map<string, StreamRouting>();
  private readonly table: TermTable;

  constructor(
    readonly detections: readonly ScanDetection[],
    private readonly opts: RuleIndexOptions = {},
  ) {
    this.table = new TermTable(detections, opts.dataSetRows !== undefined);
  }

  stream(sourcetype: string, source: string): StreamRouting {
    const key = `${sourcetype}\u0000${source}`;
    let r = this.streams.get(key);
    if (!r) this.streams.set(key, (r = new StreamRouting(this.detections, sourcetype, source, this.opts, this.table)));
    return r;
  }
}
