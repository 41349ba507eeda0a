/**
 * The eventtypes and tags of one input stream (eventtypes.conf, tags.conf), the last search-time
 * operations: `eventtype` lists the eventtypes whose search matches the event, `tag::eventtype`
 * their tags, `tag::<field>` the tags of a field's value, `tag` all of them.
 *
 * Eventtype searches are partially evaluated for the stream's source/sourcetype/index (./search-
 * compile.ts), so per event only what can differ between events is tested. What is left mostly
 * reads a few fields that take few values (`EventCode`, `TaskCategory`): the results of those
 * searches are remembered by the values of exactly the fields they read (a search's result is a
 * function of the fields it reads), and the eventtype and tag lists by which eventtypes hit.
 * Searches that read `_raw` (bare terms) or other eventtypes are tested on every event.
 */
import type { FieldValue, SearchExpr } from '@dac/spl';
import { parsePipeline } from '@dac/spl';
import type { KnowledgeProblem, SplunkEvent } from './engine.js';
import type { Eventtype, FieldTag, Knowledge } from './model.js';
import { type CompiledSearch, compilePartial, partiallyEvaluate, searchReads } from './search-compile.js';

interface CompiledEventtype {
  name: string;
  test: CompiledSearch;
  reads: ReadonlySet<string>;
}

/** The per-signature results: which remembered searches hit, and the outputs by per-event hits. */
interface SignatureEntry {
  /** By index into the eventtypes; only the signature eventtypes are set. */
  hits: Uint8Array;
  /** By bit mask of the per-event eventtypes that hit (when there are at most 31 of them). */
  outputs: Map<number, EventtypeOutput>;
}

interface EventtypeOutput {
  /** `eventtype`: the matching eventtypes, stream constants first, then in dependency order. */
  names: string[];
  /** `tag::eventtype`: their tags, first occurrence order. */
  tags: string[];
}

/** Bound on remembered signatures per stream (a search over a field of many values stops filling it). */
const MAX_SIGNATURES = 4096;

export class StreamEventtypes {
  /** Eventtypes that can match some event of this stream (the others were decided at compile time). */
  readonly names: string[];
  /** The fields the per-event eventtype searches read. */
  readonly searchReads = new Set<string>();
  /** The fields the field tags read. */
  readonly tagFields = new Set<string>();
  private readonly ets: CompiledEventtype[] = [];
  /** Eventtypes true for the whole stream. */
  private readonly constant: string[] = [];
  /** Indices into `ets` of the EventCode-only eventtypes, by lower-cased EventCode. */
  private readonly byEventCode = new Map<string, number[]>();
  private readonly codeOnly: number[] = [];
  /** Indices into `ets` of the other eventtypes, in dependency order. */
  private readonly generic: number[] = [];
  /** For each of `ets`: whether its result is remembered by signature (reads neither `_raw` nor `eventtype`). */
  private readonly bySignature: boolean[] = [];
  /** The fields the signature eventtypes read, in a fixed order (the signature is their values). */
  private readonly signatureFields: string[];
  /** Indices into `ets` of the eventtypes tested on every event, in dependency order. */
  private readonly perEvent: number[] = [];
  /** Whether a per-event search reads `eventtype` (it sees the eventtypes decided before it). */
  private readonly perEventReadsEventtype: boolean;
  private readonly signatures = new Map<string, SignatureEntry>();
  private readonly tagsOf: Map<string, string[]>;
  private readonly fieldTags: readonly FieldTag[];
  /** `fieldTags[i].value`, lower-cased. */
  private readonly fieldTagValues: string[];
  /** `tag::<field>` of `fieldTags[i]`. */
  private readonly fieldTagKeys: string[];
  /**
   * The field tags grouped by field (first occurrence order): per field, the indices into
   * `fieldTags` and the last string value seen with the indices it matched. A Security event
   * asks 20 field tags about 13 fields (`action`, `app`, `Logon_Type`, …) whose values repeat:
   * one lookup and one comparison per field instead of a lookup and a lower-casing per tag.
   */
  private readonly tagGroups: { field: string; tags: number[]; last: string | undefined; hits: number[] }[] = [];
  /** Whether `tagGroups` decide the field tags (else each is asked in turn, as it is written). */
  private readonly groupedTags: boolean;
  /** Scratch: which field tags an event's values match, by index. */
  private readonly tagHit: Uint8Array;
  /** The signature fields' values of the last `signatureOf` (strings or absent; else not kept). */
  private readonly lastSignatureValues: FieldValue[] = [];
  private lastSignature: SignatureEntry | undefined;

  constructor(knowledge: Knowledge, known: Readonly<Record<string, FieldValue>>, problems: KnowledgeProblem[]) {
    const parsed: { et: Eventtype; expr: SearchExpr }[] = [];
    for (const et of knowledge.eventtypes) {
      const e = parseEventtypeSearch(et);
      if ('error' in e) problems.push({ at: et.at, message: `eventtype ${et.name}: ${e.error}` });
      else parsed.push({ et, expr: e });
    }
    const decided = new Map<string, boolean>();
    for (const { et, expr } of orderEventtypes(parsed)) {
      const p = partiallyEvaluate(expr, known, (name) => decided.get(name));
      const test = compilePartial(p);
      if (typeof test === 'boolean') {
        decided.set(et.name, test);
        if (test) this.constant.push(et.name);
        continue;
      }
      const left = p.kind === 'expr' ? p.expr : expr;
      const codes = eventCodeValues(left);
      const i = this.ets.length;
      if (codes) {
        this.codeOnly.push(i);
        for (const c of codes) {
          const l = this.byEventCode.get(c);
          if (l) l.push(i);
          else this.byEventCode.set(c, [i]);
        }
      } else this.generic.push(i);
      const reads = searchReads(left);
      this.ets.push({ name: et.name, test, reads });
      this.bySignature.push(!reads.has('_raw') && !reads.has('eventtype'));
      for (const r of reads) this.searchReads.add(r);
    }
    const signatureFields = new Set<string>();
    for (let i = 0; i < this.ets.length; i++)
      if (this.bySignature[i]) for (const r of this.ets[i].reads) signatureFields.add(r);
    this.signatureFields = [...signatureFields].sort();
    for (const i of this.generic) if (!this.bySignature[i]) this.perEvent.push(i);
    this.perEventReadsEventtype = this.perEvent.some((i) => this.ets[i].reads.has('eventtype'));
    this.names = [...this.constant, ...this.ets.map((e) => e.name)];
    this.tagsOf = new Map(knowledge.eventtypes.map((e) => [e.name, e.tags]));
    this.fieldTags = knowledge.fieldTags;
    this.fieldTagValues = this.fieldTags.map((ft) => ft.value.toLowerCase());
    this.fieldTagKeys = this.fieldTags.map((ft) => `tag::${ft.field}`);
    for (const ft of this.fieldTags) this.tagFields.add(ft.field);
    const groups = new Map<string, number[]>();
    this.fieldTags.forEach((ft, i) => {
      const g = groups.get(ft.field);
      if (g) g.push(i);
      else groups.set(ft.field, [i]);
    });
    for (const [field, tags] of groups) this.tagGroups.push({ field, tags, last: undefined, hits: [] });
    // A field tag about a `tag::…` field reads what an earlier one wrote: asked in turn (plain).
    this.groupedTags = !this.fieldTags.some((ft) => ft.field.startsWith('tag::'));
    this.tagHit = new Uint8Array(this.fieldTags.length);
  }

  /** Sets `eventtype`, `tag::eventtype`, `tag::<field>` and `tag` of an event whose other fields are final. */
  addTo(ev: SplunkEvent): void {
    const entry = this.signatureOf(ev);
    const ets = this.ets;
    const perEvent = this.perEvent;
    let output: EventtypeOutput;
    if (perEvent.length === 0) output = this.outputOf(entry, 0, undefined);
    else {
      let bits = 0;
      let perHits: Uint8Array | undefined;
      if (perEvent.length > 31) perHits = new Uint8Array(ets.length);
      if (this.perEventReadsEventtype) {
        // Searches that refer to other per-event eventtypes see the ones decided so far: the
        // EventCode-only ones, then the others in dependency order.
        const view = [...this.constant];
        for (const i of this.codeOnly) if (entry.hits[i]) view.push(ets[i].name);
        ev.eventtype = view;
        for (let g = 0, k = 0; g < this.generic.length; g++) {
          const i = this.generic[g];
          if (this.bySignature[i]) {
            if (entry.hits[i]) view.push(ets[i].name);
            continue;
          }
          if (ets[i].test(ev)) {
            view.push(ets[i].name);
            if (perHits) perHits[i] = 1;
            else bits |= 1 << k;
          }
          k++;
        }
      } else
        for (let k = 0; k < perEvent.length; k++)
          if (ets[perEvent[k]].test(ev)) {
            if (perHits) perHits[perEvent[k]] = 1;
            else bits |= 1 << k;
          }
      output = this.outputOf(entry, bits, perHits);
    }
    const { names, tags } = output;
    if (names.length > 0) ev.eventtype = names.length === 1 ? names[0] : names.slice();
    else delete ev.eventtype;
    if (tags.length > 0) ev['tag::eventtype'] = tags.length === 1 ? tags[0] : tags.slice();
    // `tag::<field>`: the tags of a field's value (tags.conf `[field=value]`).
    let all: Set<string> | undefined;
    const fieldTags = this.fieldTags;
    const hit = this.tagHit;
    const grouped = this.groupedTags;
    let anyHit = !grouped;
    if (grouped)
      for (const g of this.tagGroups) {
        const v = ev[g.field];
        if (v === undefined || v === null) continue;
        if (typeof v === 'string') {
          // The tags a string value matches, remembered for the group's last value.
          if (v !== g.last) {
            const lower = v.toLowerCase();
            g.hits = g.tags.filter((f) => this.fieldTagValues[f] === lower);
            g.last = v;
          }
          for (const f of g.hits) hit[f] = 1;
          if (g.hits.length > 0) anyHit = true;
        } else
          for (const f of g.tags) {
            const want = this.fieldTagValues[f];
            if (Array.isArray(v) ? v.some((x) => x.toLowerCase() === want) : String(v).toLowerCase() === want) {
              hit[f] = 1;
              anyHit = true;
            }
          }
      }
    for (let f = 0; anyHit && f < fieldTags.length; f++) {
      const ft = fieldTags[f];
      if (grouped) {
        if (hit[f] === 0) continue;
        hit[f] = 0;
      } else {
        const v = ev[ft.field];
        if (v === undefined || v === null) continue;
        const want = this.fieldTagValues[f];
        if (!(Array.isArray(v) ? v.some((x) => x.toLowerCase() === want) : String(v).toLowerCase() === want)) continue;
      }
      const key = this.fieldTagKeys[f];
      const own = ev[key];
      const list = own === undefined ? [] : Array.isArray(own) ? own : [String(own)];
      all ??= new Set(tags);
      for (const t of ft.tags) {
        all.add(t);
        if (!list.includes(t)) list.push(t);
      }
      ev[key] = list.length === 1 ? list[0] : list;
    }
    if (all) ev.tag = all.size === 1 ? [...all][0] : [...all];
    else if (tags.length > 0) ev.tag = tags.length === 1 ? tags[0] : tags.slice();
  }

  /** The results of the signature eventtypes for this event's values of the fields they read. */
  private signatureOf(ev: SplunkEvent): SignatureEntry {
    // Consecutive events mostly repeat the last one's values (EventCode, TaskCategory): compared
    // first, without building the key. Only strings and absences are kept for the comparison.
    const fields = this.signatureFields;
    const lastValues = this.lastSignatureValues;
    if (this.lastSignature !== undefined) {
      let same = true;
      for (let i = 0; i < fields.length; i++)
        if (ev[fields[i]] !== lastValues[i]) {
          same = false;
          break;
        }
      if (same) return this.lastSignature;
    }
    const entry = this.signatureByKey(ev);
    let keep = true;
    for (let i = 0; i < fields.length; i++) {
      const v = ev[fields[i]];
      if (v !== undefined && typeof v !== 'string') keep = false;
      lastValues[i] = v;
    }
    this.lastSignature = keep ? entry : undefined;
    return entry;
  }

  private signatureByKey(ev: SplunkEvent): SignatureEntry {
    let key = '';
    for (const f of this.signatureFields) key += signaturePart(ev[f]);
    let entry = this.signatures.get(key);
    if (entry) return entry;
    const ets = this.ets;
    const hits = new Uint8Array(ets.length);
    // Eventtypes that test only EventCode values: one map lookup instead of one test each.
    const code = ev.EventCode;
    if (typeof code === 'string') {
      const idx = this.byEventCode.get(code.toLowerCase());
      if (idx) for (const i of idx) hits[i] = 1;
    } else for (const i of this.codeOnly) hits[i] = ets[i].test(ev) ? 1 : 0;
    for (const i of this.generic) if (this.bySignature[i] && ets[i].test(ev)) hits[i] = 1;
    entry = { hits, outputs: new Map() };
    if (this.signatures.size < MAX_SIGNATURES) this.signatures.set(key, entry);
    return entry;
  }

  /** The eventtype and tag lists for the signature hits and the per-event hits (`bits`, or `perHits` when many). */
  private outputOf(entry: SignatureEntry, bits: number, perHits: Uint8Array | undefined): EventtypeOutput {
    if (!perHits) {
      const known = entry.outputs.get(bits);
      if (known) return known;
    }
    const names = [...this.constant];
    for (let i = 0; i < this.ets.length; i++) {
      const hit = this.bySignature[i]
        ? entry.hits[i] === 1
        : perHits
          ? perHits[i] === 1
          : (bits & (1 << this.perEvent.indexOf(i))) !== 0;
      if (hit) names.push(this.ets[i].name);
    }
    const tags = new Set<string>();
    for (const n of names) for (const t of this.tagsOf.get(n) ?? EMPTY) tags.add(t);
    const output = { names, tags: [...tags] };
    if (!perHits) entry.outputs.set(bits, output);
    return output;
  }
}

const EMPTY: readonly string[] = [];

/** One field's part of a signature: its value, length-prefixed so that no two values or absences collide. */
function signaturePart(v: FieldValue): string {
  if (v === undefined) return 'u';
  if (v === null) return 'z';
  if (typeof v === 'string') return `s${v.length}:${v}`;
  if (typeof v === 'number') {
    const n = Object.is(v, -0) ? '-0' : String(v);
    return `n${n.length}:${n}`;
  }
  let out = `a${v.length}:`;
  for (const x of v) out += `${x.length}:${x}`;
  return out;
}

/** Parses an eventtype search (`search = …`) into its expression. */
function parseEventtypeSearch(et: Eventtype): SearchExpr | { error: string } {
  const p = parsePipeline(et.search);
  const err = p.diagnostics.find((d) => d.severity === 'error');
  const cmd = p.pipeline.commands[0];
  if (err) return { error: err.message };
  if (p.pipeline.commands.length !== 1 || !cmd || cmd.kind !== 'search' || !cmd.expr)
    return { error: 'an eventtype search must be one search expression' };
  return cmd.expr;
}

/** Orders eventtypes so that every `eventtype=X` reference comes after X's own definition. */
function orderEventtypes(list: { et: Eventtype; expr: SearchExpr }[]): { et: Eventtype; expr: SearchExpr }[] {
  const byName = new Map(list.map((x) => [x.et.name, x]));
  const done = new Set<string>();
  const out: { et: Eventtype; expr: SearchExpr }[] = [];
  const visiting = new Set<string>();
  const refs = (e: SearchExpr, acc: string[]): string[] => {
    if (e.kind === 'and' || e.kind === 'or') for (const a of e.args) refs(a, acc);
    else if (e.kind === 'not') refs(e.arg, acc);
    else if (e.kind === 'compare' && e.field === 'eventtype') acc.push(e.value.value);
    return acc;
  };
  const visit = (x: { et: Eventtype; expr: SearchExpr }) => {
    if (done.has(x.et.name) || visiting.has(x.et.name)) return;
    visiting.add(x.et.name);
    for (const r of refs(x.expr, [])) {
      const d = byName.get(r);
      if (d) visit(d);
    }
    visiting.delete(x.et.name);
    done.add(x.et.name);
    out.push(x);
  };
  for (const x of list) visit(x);
  return out;
}

/**
 * The EventCode values an expression is a pure disjunction of (`EventCode=4624 OR EventCode IN
 * (528, 540)`), lower-cased; undefined for anything else (wildcards, other fields, CASE()).
 */
function eventCodeValues(e: SearchExpr): string[] | undefined {
  const lit = (v: { value: string; caseSensitive?: boolean }) =>
    v.caseSensitive || v.value.indexOf('*') >= 0 ? undefined : v.value.toLowerCase();
  if (e.kind === 'compare' && e.field === 'EventCode' && e.op === '=') {
    const v = lit(e.value);
    return v === undefined ? undefined : [v];
  }
  if (e.kind === 'in' && e.field === 'EventCode') {
    const vs = e.values.map(lit);
    return vs.every((v) => v !== undefined) ? (vs as string[]) : undefined;
  }
  if (e.kind === 'or') {
    const out: string[] = [];
    for (const a of e.args) {
      const v = eventCodeValues(a);
      if (!v) return undefined;
      out.push(...v);
    }
    return out;
  }
  return undefined;
}
