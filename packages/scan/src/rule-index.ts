/**
 * The rule index: which detections an event can reach. A detection's `IndexKeys` are, per pass
 * (each read of the events), necessary clauses — ORs of `field=pattern` terms — on the event and,
 * for a leading tstats, on the event's rows in its data set, and the pass's data sets. The index:
 *
 * 1. per input stream (sourcetype + source, fixed for a stream or an EVTX channel): clauses only
 *    about `sourcetype`/`source` are decided once; a pass one of them excludes is dropped;
 * 2. per event, the passes are narrowed by the stream's pivot field (`EventCode`): a pass with an
 *    all-constant clause on it is only tried on events whose pivot value it names (StreamRouting);
 * 3. every remaining term of every remaining pass is tested at once, field by field: each value's
 *    terms are remembered per field (term-matcher.ts `hits`), else it is folded once, constant
 *    patterns are one hash lookup, wildcard patterns one automaton pass over the value. A pass
 *    whose indexed clauses all hold is live; a pass without indexed clauses is live for every event;
 * 4. a pass's data sets are decided before any term is tested: the event's memberships (every
 *    data set of the stream, remembered across events by the values the constraints read) pick
 *    the router built for them, which holds only the passes of data sets the event is in, and
 *    tests only those data sets' rows (row clauses, and row exclusions — `!=`, `NOT … IN` of a
 *    tstats where-clause — each met by some row). The detection of a live pass is a candidate.
 *
 * The index only skips work: a skipped detection provably cannot use the event (its keys are
 * necessary conditions, and values are compared case-insensitively as Splunk compares search
 * values — a case-sensitive `CASE(x)` term is matched more broadly, never more narrowly). The
 * property test holds the indexed scan equal to evaluating every detection on every event.
 */
import type { SplunkEvent } from '@dac/normalise';
import { detachedString } from '@dac/spl';
import { exactKey, FieldMatcher, foldValue, matchesFolded } from './term-matcher.js';
import type { IndexClause, IndexExclusion, PassKeys, ScanDetection } from './types.js';

/** Whether a clause only about `sourcetype` and `source` holds for the events of a stream. */
function streamHolds(cl: IndexClause, sourcetype: string, source: string): boolean {
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
  /**
   * The fields `inDataSet`'s answer depends on (events agreeing on them agree on it; a subset
   * of `dataSetReads`); undefined: unknown (membership is then asked per event).
   */
  dataSetContainsReads?(dataSet: string): ReadonlySet<string> | undefined;
}

/**
 * Every term of an index's detections, numbered once, and one matcher per domain ('' = the
 * event, else a data set's rows) and field, shared by all streams: a stream's routing maps the
 * term numbers to its own passes' clauses (a term no pass of the stream has maps to none).
 */
class TermTable {
  private readonly ids = new Map<string, Map<string, Map<string, number>>>();
  private readonly matchers = new Map<string, FieldMatcher>();
  /** Per term id: its field. */
  private readonly fields: string[] = [];
  private count = 0;

  constructor(detections: readonly ScanDetection[], rows: boolean) {
    for (const d of detections)
      for (const pass of d.keys.passes ?? []) {
        for (const cl of pass.clauses ?? []) for (const t of cl) this.add('', t.field, t.value);
        if (rows && pass.dataSets?.length === 1) {
          for (const cl of pass.rowClauses ?? []) for (const t of cl) this.add(pass.dataSets[0]!, t.field, t.value);
          for (const x of pass.rowExclusions ?? []) for (const v of x.values) this.add(pass.dataSets[0]!, x.field, v);
        }
      }
  }

  private add(domain: string, field: string, pattern: string): void {
    let byField = this.ids.get(domain);
    if (!byField) this.ids.set(domain, (byField = new Map()));
    let byPattern = byField.get(field);
    if (!byPattern) byField.set(field, (byPattern = new Map()));
    const lower = pattern.toLowerCase();
    if (!byPattern.has(lower)) {
      byPattern.set(lower, this.count++);
      this.fields.push(field);
    }
  }

  private readonly clauseIds = new Map<string, Map<IndexClause, readonly number[]>>();

  /** The term ids of an exclusion's patterns in a domain. */
  exclusionIds(domain: string, x: IndexExclusion): readonly number[] {
    return x.values.map((v) => this.id(domain, x.field, v));
  }

  /** The term ids of a clause of a domain (remembered per clause: every stream asks). */
  idsOf(domain: string, cl: IndexClause): readonly number[] {
    let byClause = this.clauseIds.get(domain);
    if (!byClause) this.clauseIds.set(domain, (byClause = new Map()));
    let ids = byClause.get(cl);
    if (!ids) byClause.set(cl, (ids = cl.map((t) => this.id(domain, t.field, t.value))));
    return ids;
  }

  /** The field of a term. */
  fieldOf(id: number): string {
    return this.fields[id]!;
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

/** A pass of a detection as a stream sees it: its remaining clauses, as term ids of the table. */
interface Unit {
  detection: number;
  /** The data sets the event must be in (one of), when checked. */
  dataSets: readonly string[] | undefined;
  /** Per clause over the event: its terms' ids. */
  clauses: readonly (readonly number[])[];
  /** The data set of the row clauses (a leading tstats), and per row clause its terms' ids. */
  rowDomain: string | undefined;
  rowClauses: readonly (readonly number[])[];
  /** The row exclusions (same data set), with their patterns' term ids. */
  rowExclusions: readonly { field: string; ids: readonly number[]; present: boolean }[];
  /**
   * When one of `clauses` has only constant terms on the stream's pivot field: the equality keys
   * of its terms and its position (an event whose single pivot value has another key cannot
   * meet the pass; one whose key is among them meets that clause).
   */
  pivotKeys: ReadonlySet<string> | undefined;
  pivotClause: number;
}

/**
 * An event's fields as one string key, or undefined for a value of another kind than a string,
 * a number or an array of them (such an event is not memoised). Injective: each value is
 * self-delimiting (`u` missing, `s<length>:<text>`, `n<number>;`, `a<count>:<values>`).
 */
export function valuesKey(event: SplunkEvent, fields: readonly string[]): string | undefined {
  let key = '';
  for (const f of fields) {
    const e = valueKey(event[f]);
    if (e === undefined) return undefined;
    key += e;
  }
  return key;
}

function valueKey(v: unknown): string | undefined {
  if (v === undefined) return 'u';
  if (typeof v === 'string') return `s${v.length}:${v}`;
  if (typeof v === 'number') return Object.is(v, -0) ? undefined : `n${v};`;
  if (!Array.isArray(v)) return undefined;
  let key = `a${v.length}:`;
  for (const x of v) {
    if (Array.isArray(x)) return undefined;
    const e = valueKey(x);
    if (e === undefined) return undefined;
    key += e;
  }
  return key;
}

/** Data-set memberships known for one key of the membership fields: bit per data set. */
interface Memberships {
  known: number;
  member: number;
}

/** Beyond this many pivot values a stream's value → router memo starts over. */
const PIVOT_VALUES_MAX = 4096;

/** Beyond this many keys a stream's membership memo starts over (bounded memory). */
const MEMBERSHIP_MEMO_MAX = 65536;
/** Longest membership key remembered (characters). */
const MEMBERSHIP_KEY_MAX_CHARS = 512;

/**
 * One event's routing under way, shared by the routers of a stream (a detection is a candidate
 * once, whichever router finds it; a data set's membership is asked once per event).
 *
 * Membership is remembered across events by the values of the fields the data sets'
 * constraints read (`dataSetContainsReads`: `tag` for Endpoint.Processes): events that agree on
 * them agree on membership, and a stream's events repeat a few dozen tag sets. Nine
 * constraint searches per event become one key and one lookup.
 */
class EventState {
  stamp = 0;
  /** How many times the stamps wrapped: a router clears its own stamps when it has not seen this epoch. */
  epoch = 0;
  /** Per detection: the stamp of the event it is a candidate of. */
  readonly mark: Int32Array;
  out: number[] = [];
  event: SplunkEvent = {};
  private readonly dataSetMemo = new Map<string, boolean>();
  /** The membership fields (sorted) and each data set's bit; undefined: not memoised. */
  private readonly memoFields: readonly string[] | undefined;
  private readonly bits = new Map<string, number>();
  private readonly memo = new Map<string, Memberships>();
  private entry: Memberships | undefined;
  /** The entry of the last event memoised and its membership field values (lists copied). */
  private lastEntry: Memberships | undefined;
  private readonly lastValues: unknown[] = [];
  /** Every data set's bit; undefined: more than 30 data sets (no membership masks: see `membership`). */
  readonly all: number | undefined;

  constructor(
    detections: number,
    private readonly opts: RuleIndexOptions,
    dataSets: ReadonlySet<string>,
  ) {
    this.mark = new Int32Array(detections);
    if (dataSets.size <= 30) for (const ds of dataSets) this.bits.set(ds, 1 << this.bits.size);
    this.all = dataSets.size <= 30 ? (2 ** dataSets.size - 1) | 0 : undefined;
    const fields = new Set<string>();
    let known = this.all !== undefined && opts.dataSetContainsReads !== undefined;
    for (const ds of dataSets) {
      const r = known ? opts.dataSetContainsReads!(ds) : undefined;
      if (!r) {
        known = false;
        break;
      }
      for (const f of r) fields.add(f);
    }
    this.memoFields = known ? [...fields].sort() : undefined;
  }

  /** A data set's bit in `membership` (with `all` defined). */
  bitOf(ds: string): number {
    return this.bits.get(ds)!;
  }

  /**
   * The event's memberships, a bit per data set (with `all` defined): one memo lookup once
   * every data set is known for the event's membership key, else each data set asked once.
   * Without `inDataSet` data sets are not checked: the event counts as in every one.
   */
  membership(): number {
    if (!this.opts.inDataSet) return this.all!;
    const e = this.entry;
    if (e && e.known === this.all) return e.member;
    let m = 0;
    for (const [ds, b] of this.bits) if (this.inDataSet(ds)) m |= b;
    return m;
  }

  /** Starts an event (when the stamps wrap, a new epoch: every router clears its own on its next run). */
  begin(event: SplunkEvent): void {
    this.event = event;
    this.entry = undefined;
    if (this.memoFields && this.lastEntry && this.agreesWithLast(event)) this.entry = this.lastEntry;
    else if (this.memoFields) {
      this.lastEntry = undefined;
      const key = valuesKey(event, this.memoFields);
      // A constraint that reads `_raw` (a bare term in a custom model) would make the key the whole
      // event text: such events are not remembered (the entry bound alone would not bound bytes).
      if (key !== undefined && key.length <= MEMBERSHIP_KEY_MAX_CHARS) {
        let e = this.memo.get(key);
        if (!e) {
          if (this.memo.size >= MEMBERSHIP_MEMO_MAX) this.memo.clear();
          this.memo.set(key, (e = { known: 0, member: 0 }));
        }
        this.entry = e;
        this.lastEntry = e;
        // Copies of lists: the event may be extended in place after routing.
        for (let k = 0; k < this.memoFields.length; k++) {
          const v = event[this.memoFields[k]!];
          this.lastValues[k] = Array.isArray(v) ? v.slice() : v;
        }
      }
    }
    if (!this.entry) this.dataSetMemo.clear();
    this.out = [];
    if (++this.stamp !== 0x7fffffff) return;
    this.mark.fill(0);
    this.stamp = 1;
    this.epoch++;
  }

  /**
   * Whether an event agrees with the last memoised one on the membership fields (then it has its
   * entry): most events of a stream follow one of the same kind (84% on the corpus), and the
   * comparison is cheaper than building the key. Agreeing is what equal `valuesKey`s mean:
   * equal strings and numbers (not -0, which has no key), lists of them element by element.
   */
  private agreesWithLast(event: SplunkEvent): boolean {
    const fields = this.memoFields!;
    for (let k = 0; k < fields.length; k++) {
      const x = event[fields[k]!];
      const y = this.lastValues[k];
      if (x === y) {
        if (typeof x === 'number' && Object.is(x, -0)) return false;
        continue;
      }
      if (!Array.isArray(x) || !Array.isArray(y) || x.length !== y.length) return false;
      for (let i = 0; i < x.length; i++) {
        const a = x[i];
        if (a !== y[i] || (typeof a === 'number' && Object.is(a, -0)) || Array.isArray(a)) return false;
      }
    }
    return true;
  }

  /** Whether the event is in one of `sets` (a loop, not `some` with a closure per event). */
  inSomeDataSet(sets: readonly string[]): boolean {
    for (let k = 0; k < sets.length; k++) if (this.inDataSet(sets[k]!)) return true;
    return false;
  }

  inDataSet(ds: string): boolean {
    const e = this.entry;
    if (e) {
      const b = this.bits.get(ds)!;
      if ((e.known & b) !== 0) return (e.member & b) !== 0;
      const r = this.opts.inDataSet!(this.event, ds);
      e.known |= b;
      if (r) e.member |= b;
      return r;
    }
    let r = this.dataSetMemo.get(ds);
    if (r === undefined) this.dataSetMemo.set(ds, (r = this.opts.inDataSet!(this.event, ds)));
    return r;
  }
}

/** Detections of units live for every event, by the data sets the event must be in (one of). */
interface AlwaysGroup {
  dataSets: readonly string[] | undefined;
  detections: number[];
}

/** A row exclusion as a router tests it: the clause it is, and its number in the router. */
interface RowExclusion {
  clause: number;
  k: number;
  present: boolean;
}

/** A row field with exclusions: one matcher call per value answers all of them. */
interface ExclusionField {
  field: string;
  matcher: FieldMatcher;
  exclusions: RowExclusion[];
}

/**
 * The per-event machinery over a set of units: every remaining term of every unit is tested at
 * once, field by field; a unit whose clauses all hold is live (see the module comment).
 *
 * Built for one membership (`member`, a bit per data set of the stream's state), a router holds
 * only the units the event can feed, with their data sets already decided: units of no data set
 * the event is in are left out, the units live for every event are one sorted list, and only the
 * rows of data sets the event is in are tested. Without `member` (the plain router, and streams
 * of more than 30 data sets) membership is asked per unit and data set as the event goes.
 */
class Router {
  /** Units with no clause left (tried on every event), as their detections per data-set list. */
  private readonly always: readonly AlwaysGroup[];
  /** With `member`: the detections of `always` whose data sets hold, ascending. */
  private readonly alwaysLive: readonly number[] = [];
  private readonly unitDetection: number[] = [];
  private readonly unitDataSets: (readonly string[] | undefined)[] = [];
  /** Per unit: how many clauses it indexes (all must hold). */
  private readonly unitNeeds: number[] = [];
  private readonly clauseUnit: number[] = [];
  /** Per term of the index's table: the clauses (of these units) it belongs to. */
  private readonly termClauses: (number[] | undefined)[] = [];
  private readonly eventFields: [string, FieldMatcher][] = [];
  /** Data set → its row fields' matchers (tstats where-clause terms) and its row exclusions. */
  private readonly rowFields: [string, [string, FieldMatcher][], ExclusionField[]][] = [];
  /** Per term of the index's table: the exclusions (numbers) it belongs to. */
  private readonly termExclusions: (number[] | undefined)[] = [];
  /** Per exclusion: the tick of the value last found to match one of its patterns, and of the row last found to. */
  private readonly exclusionHit: Float64Array;
  private readonly exclusionKilled: Float64Array;
  /** Counts values and rows tested against exclusions (a double: it never wraps). */
  private tick = 0;
  private readonly unitHits: Int32Array;
  private readonly unitStamp: Int32Array;
  private readonly clauseStamp: Int32Array;
  /** The state's epoch the stamps belong to (a router not run on the event the stamps wrapped on still clears them). */
  private epoch = 0;
  private readonly checkDataSets: boolean;

  /**
   * `skipPivot`: the units' pivot clauses are known to hold (the event's pivot key is among them).
   * `member`: the router is for events with these memberships (see the class comment).
   */
  constructor(
    units: readonly Unit[],
    private readonly state: EventState,
    private readonly opts: RuleIndexOptions,
    table: TermTable,
    skipPivot: boolean,
    member?: number,
  ) {
    const used = new Map<string, Set<string>>();
    const exclusions = new Map<string, Map<string, ExclusionField>>();
    let exclusionCount = 0;
    const alwaysByDataSets = new Map<string, AlwaysGroup>();
    const inSets = (sets: readonly string[] | undefined) =>
      member === undefined || sets === undefined || sets.some((ds) => (member & state.bitOf(ds)) !== 0);
    this.checkDataSets = member === undefined;
    const alwaysLive = new Set<number>();
    for (const unit of units) {
      // Decided now: the event is in none of the unit's data sets (without `inDataSet` no unit has any).
      if (!inSets(unit.dataSets)) continue;
      const u = this.unitDetection.length;
      this.unitDetection.push(unit.detection);
      this.unitDataSets.push(unit.dataSets);
      let needs = 0;
      const next = () => {
        const c = this.clauseUnit.length;
        this.clauseUnit.push(u);
        needs++;
        return c;
      };
      const file = (domain: string, terms: readonly number[]) => {
        const c = next();
        let fieldsOf = used.get(domain);
        if (!fieldsOf) used.set(domain, (fieldsOf = new Set()));
        for (const id of terms) {
          fieldsOf.add(table.fieldOf(id));
          const l = this.termClauses[id];
          if (l) l.push(c);
          else this.termClauses[id] = [c];
        }
      };
      unit.clauses.forEach((terms, k) => {
        if (!(skipPivot && k === unit.pivotClause)) file('', terms);
      });
      for (const terms of unit.rowClauses) file(unit.rowDomain!, terms);
      for (const x of unit.rowExclusions) {
        const domain = unit.rowDomain!;
        let byField = exclusions.get(domain);
        if (!byField) exclusions.set(domain, (byField = new Map()));
        if (!used.has(domain)) used.set(domain, new Set());
        let f = byField.get(x.field);
        if (!f) byField.set(x.field, (f = { field: x.field, matcher: table.matcher(domain, x.field), exclusions: [] }));
        const k = exclusionCount++;
        f.exclusions.push({ clause: next(), k, present: x.present });
        for (const id of x.ids) {
          const l = this.termExclusions[id];
          if (l) l.push(k);
          else this.termExclusions[id] = [k];
        }
      }
      this.unitNeeds.push(needs);
      if (needs === 0) {
        if (member !== undefined) {
          alwaysLive.add(unit.detection);
          continue;
        }
        // Units live for every event, grouped by their data sets: one membership question per group.
        // `*`: no data-set requirement; `d…`: these data sets (none at all is a requirement no event meets).
        const key = unit.dataSets === undefined ? '*' : `d${unit.dataSets.join('\u0000')}`;
        let g = alwaysByDataSets.get(key);
        if (!g) alwaysByDataSets.set(key, (g = { dataSets: unit.dataSets, detections: [] }));
        if (!g.detections.includes(unit.detection)) g.detections.push(unit.detection);
      }
    }
    this.always = [...alwaysByDataSets.values()];
    this.alwaysLive = [...alwaysLive].sort((x, y) => x - y);
    for (const [domain, fieldsOf] of used) {
      // A data set the event is not in has no rows: its row clauses never hold (their units were
      // left out above, as their one data set is that one).
      const matchers: [string, FieldMatcher][] = [...fieldsOf].map((f) => [f, table.matcher(domain, f)]);
      if (domain === '') this.eventFields.push(...matchers);
      else this.rowFields.push([domain, matchers, [...(exclusions.get(domain)?.values() ?? [])]]);
    }
    this.exclusionHit = new Float64Array(exclusionCount);
    this.exclusionKilled = new Float64Array(exclusionCount);
    const n = this.unitDetection.length;
    this.unitHits = new Int32Array(n);
    this.unitStamp = new Int32Array(n);
    this.clauseStamp = new Int32Array(this.clauseUnit.length);
  }

  /** Adds the candidates these units give for the state's event to `state.out` (unsorted). */
  run(): void {
    const st = this.state;
    if (this.epoch !== st.epoch) {
      this.epoch = st.epoch;
      this.unitStamp.fill(0);
      this.clauseStamp.fill(0);
    }
    const event = st.event;
    const s = st.stamp;
    const mark = st.mark;
    const out = st.out;
    for (const i of this.alwaysLive) {
      if (mark[i] === s) continue;
      mark[i] = s;
      out.push(i);
    }
    for (const g of this.always) {
      const sets = g.dataSets;
      if (sets && !st.inSomeDataSet(sets)) continue;
      for (const i of g.detections) {
        if (mark[i] === s) continue;
        mark[i] = s;
        out.push(i);
      }
    }
    const eventFields = this.eventFields;
    for (let k = 0; k < eventFields.length; k++) {
      const [field, m] = eventFields[k]!;
      this.testValue(event[field], m);
    }
    for (let k = 0; k < this.rowFields.length; k++) {
      const [ds, matchers, exclusions] = this.rowFields[k]!;
      // Not a member: no rows (membership is asked once per event and data set, shared with the data-set keys).
      if (this.checkDataSets && this.opts.inDataSet && !st.inDataSet(ds)) continue;
      const rows = this.opts.dataSetRows!(event, ds);
      for (let r = 0; r < rows.length; r++) {
        const row = rows[r]!;
        for (let j = 0; j < matchers.length; j++) {
          const [field, m] = matchers[j]!;
          this.testValue(row[field], m);
        }
        for (let j = 0; j < exclusions.length; j++) this.testExclusions(row[exclusions[j]!.field], exclusions[j]!);
      }
    }
  }

  /**
   * A row field's value against its exclusions, as the engine's `!=` (some value matches none of
   * the patterns; missing: fails) and `NOT … IN` (no value matches any; missing: holds) decide.
   * A list element of another kind than a string or a number is not tested: taken as matching no
   * pattern (`!=` holds, `NOT … IN` is not refuted by it), which only lets more events through.
   */
  private testExclusions(v: unknown, f: ExclusionField): void {
    const xs = f.exclusions;
    if (typeof v === 'string' || typeof v === 'number') {
      const t = this.markExclusionHits(v, f.matcher);
      for (let k = 0; k < xs.length; k++) if (this.exclusionHit[xs[k]!.k] !== t) this.holds(xs[k]!.clause);
      return;
    }
    // Missing, null, no field value, an empty list: no value.
    if (!Array.isArray(v) || v.length === 0) {
      for (let k = 0; k < xs.length; k++) if (!xs[k]!.present) this.holds(xs[k]!.clause);
      return;
    }
    const row = ++this.tick;
    for (const y of v) {
      if (typeof y !== 'string' && typeof y !== 'number') {
        for (const x of xs) if (x.present) this.holds(x.clause);
        continue;
      }
      const t = this.markExclusionHits(y, f.matcher);
      for (const x of xs) {
        if (this.exclusionHit[x.k] === t) this.exclusionKilled[x.k] = row;
        else if (x.present) this.holds(x.clause);
      }
    }
    for (const x of xs) if (!x.present && this.exclusionKilled[x.k] !== row) this.holds(x.clause);
  }

  /** Marks (with a new tick, returned) the exclusions one of whose patterns a value matches. */
  private markExclusionHits(v: string | number, m: FieldMatcher): number {
    const t = ++this.tick;
    const terms = m.hits(v);
    for (let j = 0; j < terms.length; j++) {
      const l = this.termExclusions[terms[j]!];
      if (l) for (let k = 0; k < l.length; k++) this.exclusionHit[l[k]!] = t;
    }
    return t;
  }

  /** A field's value (missing: no term holds; multivalue: each value) through the field's matcher. */
  private testValue(v: unknown, m: FieldMatcher): void {
    // Indexed loops: per event and field, iterator objects were a measurable share of a scan's
    // allocations (and so of its scavenges).
    if (typeof v === 'string' || typeof v === 'number') this.onTerms(m.hits(v));
    else if (Array.isArray(v))
      for (let k = 0; k < v.length; k++) {
        const x: unknown = v[k];
        if (typeof x === 'string' || typeof x === 'number') this.onTerms(m.hits(x));
      }
  }

  private onTerms(terms: readonly number[]): void {
    for (let k = 0; k < terms.length; k++) this.onTerm(terms[k]!);
  }

  /** A term holds for the event: each of its clauses holds. */
  private onTerm(term: number): void {
    const clauses = this.termClauses[term];
    if (!clauses) return;
    for (let k = 0; k < clauses.length; k++) this.holds(clauses[k]!);
  }

  /** A clause holds for the event (once counted); a unit whose clauses all hold is live. */
  private holds(c: number): void {
    const s = this.state.stamp;
    if (this.clauseStamp[c] === s) return;
    this.clauseStamp[c] = s;
    const u = this.clauseUnit[c]!;
    if (this.unitStamp[u] !== s) {
      this.unitStamp[u] = s;
      this.unitHits[u] = 0;
    }
    if (++this.unitHits[u]! === this.unitNeeds[u]) this.live(u);
  }

  /** A unit whose clauses hold: its detection is a candidate when the event is in one of its data sets. */
  private live(u: number): void {
    const st = this.state;
    const i = this.unitDetection[u]!;
    if (st.mark[i] === st.stamp) return;
    const sets = this.checkDataSets ? this.unitDataSets[u] : undefined;
    if (sets && !st.inSomeDataSet(sets)) return;
    st.mark[i] = st.stamp;
    st.out.push(i);
  }
}

/** Sorts a short list of detection indexes in place (insertion: the lists are ~12 long, mostly in order). */
function sortSmall(a: number[]): number[] {
  for (let k = 1; k < a.length; k++) {
    const x = a[k]!;
    let j = k - 1;
    while (j >= 0 && a[j]! > x) {
      a[j + 1] = a[j]!;
      j--;
    }
    a[j + 1] = x;
  }
  return a;
}

/** Routers over one set of units, one per membership of the events seen. */
interface RouterGroup {
  units: readonly Unit[];
  routers: Map<number, Router>;
}

/** Beyond this many memberships seen, a group's routers start over (bounded memory; a stream's events show a few). */
const ROUTERS_PER_GROUP_MAX = 256;

/** A pass a stream can feed: its clauses other than those about `sourcetype`/`source` (they hold). */
interface FeedingPass {
  detection: number;
  pass: PassKeys;
  clauses: readonly IndexClause[];
}

/**
 * The routing of one input stream (a sourcetype and source). Most passes need one constant value
 * of one field (`EventCode=4688`, `EventCode IN (4624, 4625)`): the stream picks the field most
 * passes key that way (its pivot) and keeps one router per pivot key seen, over only the passes
 * that key can meet, without the pivot clause (it holds). So an event with `EventCode=5145` tests
 * only the terms of passes that want 5145 or have no pivot clause (not, say, the `*disabled*` of
 * an EventCode=7040 search on its whole `EventData_Xml`). A multivalue pivot field takes the
 * plain router over every pass (`plainCandidates`), which the property test holds equal to it.
 */
export class StreamRouting {
  /** Fields the routing reads from an event; undefined when some data set's reads are unknown. */
  readonly fields: ReadonlySet<string> | undefined;
  /** Indexes into `detections` of the detections some pass of which the stream can feed. */
  readonly eligible: readonly number[];
  /** The pivot field (undefined: no pass keys one constant field). */
  readonly pivot: string | undefined;
  private readonly units: Unit[] = [];
  /** Units without a pivot clause (in every pivot router). */
  private readonly unpivoted: Unit[] = [];
  private readonly byPivotKey = new Map<string, Unit[]>();
  /** Per pivot key some pass wants: the routers over those passes. */
  private readonly groups = new Map<string, RouterGroup>();
  /** Per pivot value as events hold it (`4688`, not folded): its key's routers, null for none. */
  private readonly byPivotValue = new Map<string | number, RouterGroup | null>();
  private readonly state: EventState;
  private readonly unpivotedGroup: RouterGroup;
  private plain: Router | undefined;

  /** `feeding`: the passes the stream can feed (in detection order), with their clauses left to check per event. */
  constructor(
    detections: number,
    feeding: readonly FeedingPass[],
    private readonly opts: RuleIndexOptions,
    private readonly table: TermTable,
  ) {
    let fields: Set<string> | undefined = new Set<string>();
    // Each data set's reads (and row needs) are added once, not once per pass over it.
    const readsAdded = new Set<string>();
    const wantedAdded = new Set<string>();
    const addReads = (r: ReadonlySet<string> | undefined) => {
      if (!r) fields = undefined;
      else for (const f of r) fields?.add(f);
    };
    const eligible: number[] = [];
    // Per unit: its clauses as written (the pivot is chosen from them).
    const written: (readonly IndexClause[])[] = [];
    for (const { detection: i, pass, clauses } of feeding) {
      if (eligible[eligible.length - 1] !== i) eligible.push(i);
      const dataSets = pass.dataSets && opts.inDataSet ? pass.dataSets : undefined;
      if (dataSets)
        for (const ds of dataSets)
          if (!readsAdded.has(ds)) {
            readsAdded.add(ds);
            addReads(opts.dataSetReads?.(ds));
          }
      for (const cl of clauses) for (const t of cl) fields?.add(t.field);
      const ds = pass.dataSets?.length === 1 ? pass.dataSets[0]! : undefined;
      const rowClauses = ds && opts.dataSetRows ? (pass.rowClauses ?? []) : [];
      const rowExclusions = ds && opts.dataSetRows ? (pass.rowExclusions ?? []) : [];
      for (const x of rowExclusions) fields?.add(x.field);
      if (rowClauses.length + rowExclusions.length > 0 && !wantedAdded.has(ds!)) {
        wantedAdded.add(ds!);
        addReads(opts.dataSetWanted?.(ds!));
      }
      this.units.push({
        detection: i,
        dataSets,
        clauses: clauses.map((cl) => table.idsOf('', cl)),
        rowDomain: rowClauses.length + rowExclusions.length > 0 ? ds : undefined,
        rowClauses: rowClauses.map((cl) => table.idsOf(ds!, cl)),
        rowExclusions: rowExclusions.map((x) => ({
          field: x.field,
          ids: table.exclusionIds(ds!, x),
          present: x.present,
        })),
        pivotKeys: undefined,
        pivotClause: -1,
      });
      written.push(clauses);
    }
    this.eligible = eligible;
    this.fields = fields;
    this.pivot = this.choosePivot(written);
    const dataSets = new Set<string>();
    for (const u of this.units) {
      for (const ds of u.dataSets ?? []) dataSets.add(ds);
      if (u.rowDomain !== undefined) dataSets.add(u.rowDomain);
    }
    this.state = new EventState(detections, opts, dataSets);
    this.unpivotedGroup = { units: this.unpivoted, routers: new Map() };
  }

  /** The field the most units have an all-constant clause on; files each unit under its keys. */
  private choosePivot(written: readonly (readonly IndexClause[])[]): string | undefined {
    const constantClauseOn = (cl: IndexClause): string | undefined => {
      const f = cl[0]?.field;
      return f !== undefined && cl.every((t) => t.field === f && !t.value.includes('*')) ? f : undefined;
    };
    const counts = new Map<string, number>();
    for (const clauses of written) {
      const seen = new Set<string>();
      for (const cl of clauses) {
        const f = constantClauseOn(cl);
        if (f !== undefined && !seen.has(f)) {
          seen.add(f);
          counts.set(f, (counts.get(f) ?? 0) + 1);
        }
      }
    }
    let pivot: string | undefined;
    for (const [f, n] of counts) if (pivot === undefined || n > counts.get(pivot)!) pivot = f;
    this.units.forEach((u, n) => {
      const source = written[n]!;
      const k = pivot === undefined ? -1 : source.findIndex((cl) => constantClauseOn(cl) === pivot);
      if (k < 0) {
        this.unpivoted.push(u);
        return;
      }
      const keys = new Set(source[k]!.map((t) => exactKey(t.value.toLowerCase())));
      u.pivotKeys = keys;
      u.pivotClause = k;
      for (const key of keys) {
        let l = this.byPivotKey.get(key);
        if (!l) this.byPivotKey.set(key, (l = []));
        l.push(u);
      }
    });
    return pivot;
  }

  /**
   * The detections (indexes, ascending) that can use `event`, which must hold at least the
   * routing fields: those with a pass all of whose indexed clauses hold and whose data sets
   * hold the event.
   */
  candidates(event: SplunkEvent): readonly number[] {
    const st = this.state;
    // More than 30 data sets: no membership masks; the plain router decides.
    if (st.all === undefined) return this.plainCandidates(event);
    let g: RouterGroup | null = null;
    if (this.pivot !== undefined) {
      const v = event[this.pivot];
      // A multivalue pivot may meet several keys' passes: the plain router decides.
      if (Array.isArray(v)) return this.plainCandidates(event);
      // Missing (or not a value): no pivot clause holds; a key no pass wants: the same (null).
      if (typeof v === 'string' || typeof v === 'number') {
        // (-0 and 0 are one Map key but may print differently: -0 is not remembered.)
        let r = Object.is(v, -0) ? undefined : this.byPivotValue.get(v);
        if (r === undefined) {
          r = this.groupOf(exactKey(foldValue(v)));
          if (this.byPivotValue.size >= PIVOT_VALUES_MAX) this.byPivotValue.clear();
          // Detached: a slice of a long event text would keep that text alive in the memo.
          if (!Object.is(v, -0)) this.byPivotValue.set(typeof v === 'string' ? detachedString(v) : v, r);
        }
        g = r;
      }
    }
    st.begin(event);
    const member = st.membership();
    this.routerOf(this.unpivotedGroup, member).run();
    if (g) this.routerOf(g, member).run();
    return sortSmall(st.out);
  }

  /** The routers of the passes whose pivot clause a key meets (null: none). */
  private groupOf(key: string): RouterGroup | null {
    const units = this.byPivotKey.get(key);
    if (!units) return null;
    let g = this.groups.get(key);
    if (!g) this.groups.set(key, (g = { units, routers: new Map() }));
    return g;
  }

  /** A group's router for events of a membership (built on first use; bounded per group). */
  private routerOf(g: RouterGroup, member: number): Router {
    let r = g.routers.get(member);
    if (!r) {
      if (g.routers.size >= ROUTERS_PER_GROUP_MAX) g.routers.clear();
      g.routers.set(member, (r = new Router(g.units, this.state, this.opts, this.table, true, member)));
    }
    return r;
  }

  /** The same candidates from one router over every pass of the stream (no pivot). */
  plainCandidates(event: SplunkEvent): number[] {
    this.plain ??= new Router(this.units, this.state, this.opts, this.table, false);
    this.state.begin(event);
    this.plain.run();
    return sortSmall(this.state.out);
  }
}

/** The index over a set of detections; `stream()` gives (and caches) the routing of one stream. */
export class RuleIndex {
  private readonly streams = new Map<string, StreamRouting>();
  /** Streams fed by the same passes share one routing (most channels are told apart by no clause). */
  private readonly byFeeding = new Map<string, StreamRouting>();
  private readonly table: TermTable;
  /** Every pass of every detection: the clauses decided per stream, and the others. */
  private readonly passes: {
    detection: number;
    pass: PassKeys;
    decided: IndexClause[];
    /** The decided clauses as text: passes with the same (most have none, or one source macro's) are decided once per stream. */
    decidedKey: string;
    clauses: IndexClause[];
  }[] = [];

  constructor(
    readonly detections: readonly ScanDetection[],
    private readonly opts: RuleIndexOptions = {},
  ) {
    this.table = new TermTable(detections, opts.dataSetRows !== undefined);
    detections.forEach((d, detection) => {
      for (const pass of d.keys.passes ?? [{}]) {
        const decided: IndexClause[] = [];
        const clauses: IndexClause[] = [];
        for (const cl of pass.clauses ?? [])
          (cl.every((t) => t.field === 'sourcetype' || t.field === 'source') ? decided : clauses).push(cl);
        const decidedKey = JSON.stringify(decided.map((cl) => cl.map((t) => [t.field, t.value.toLowerCase()])));
        this.passes.push({ detection, pass, decided, decidedKey, clauses });
      }
    });
  }

  stream(sourcetype: string, source: string): StreamRouting {
    const key = `${sourcetype}\u0000${source}`;
    let r = this.streams.get(key);
    if (r) return r;
    const feeding: FeedingPass[] = [];
    const ids: number[] = [];
    const holds = new Map<string, boolean>();
    this.passes.forEach((p, k) => {
      let h = holds.get(p.decidedKey);
      if (h === undefined) holds.set(p.decidedKey, (h = p.decided.every((cl) => streamHolds(cl, sourcetype, source))));
      if (h) {
        feeding.push(p);
        ids.push(k);
      }
    });
    const feedingKey = ids.join(',');
    r = this.byFeeding.get(feedingKey);
    if (!r)
      this.byFeeding.set(feedingKey, (r = new StreamRouting(this.detections.length, feeding, this.opts, this.table)));
    this.streams.set(key, r);
    return r;
  }
}
