/**
 * The search-time extraction engine: turns one raw event into the event a Splunk search sees,
 * by applying the add-on knowledge of ./model.ts in Splunk's search-time operation order
 * (Splunk props.conf.spec 9.0.3; Knowledge Manager Manual "The sequence of search-time
 * operations"):
 *
 *   base fields (XML / classic text: REPORT-0…, JSON / key=value: KV_MODE after REPORT)
 *   → EXTRACT-* (ASCII order of class) → REPORT-* (ASCII order; transforms in listed order)
 *   → FIELDALIAS-* → EVAL-* (all in parallel) → LOOKUP-* → eventtype → tag
 *
 * Settings of all matching stanzas are layered: a `[source::…]` stanza's setting replaces the
 * same-named setting of a `[<sourcetype>]` stanza (props.conf.spec: source > host > sourcetype);
 * stanza matching is case-sensitive for both (props.conf.spec, "Case-sensitivity for [<spec>]
 * stanza matching").
 *
 * An extractor is compiled once per (sourcetype, source) stream and cached: eventtype searches
 * are partially evaluated for the stream's source/sourcetype/index, so per event only what can
 * differ between events is tested. `wanted` narrows the work to the operations that can produce
 * the requested fields (their transitive inputs included), which is how a search that reads six
 * fields avoids computing sixty.
 */
import type { FieldValue } from '@dac/spl';
import type { RawEvent, RawFields } from '../types.js';
import { compileEval, EvalInputs, evalToString, memoizeEvalIn, type CompiledEval } from './eval-compile.js';
import { parseWinEventLogText } from './classic.js';
import { defaultFieldsInto, lineCount, punctOf } from './defaults.js';
import { flattenJson } from './json.js';
import { autoKv, cleanKey } from './kv.js';
import { StreamEventtypes } from './eventtypes.js';
import type { InputProfile, Knowledge, KnowledgeOp, LookupTable, Stanza, Transform } from './model.js';

/** An event as a Splunk search sees it: field name → string, multivalue list, or `_time` number. */
export type SplunkEvent = Record<string, FieldValue>;

/** The metadata of an input stream (the test entry's, or `dac replay --sourcetype/--source`). */
export interface StreamMeta {
  sourcetype: string;
  source: string;
  /** `host`; absent: the profile's host fields (e.g. `Computer`). */
  host?: string;
  /** `index`; absent: `main`. */
  index?: string;
}

/** A compiled knowledge problem (an expression that does not parse, a bad regex). */
export interface KnowledgeProblem {
  at: string;
  message: string;
}

interface Step {
  phase: (typeof PHASES)[number];
  /** Setting name, `REPORT-user_for_windows_security`. */
  key: string;
  at: string;
  reads: ReadonlySet<string>;
  writes: ReadonlySet<string>;
  run(ev: SplunkEvent): void;
  /** A `$N` (dynamic) field name step: the field it reads; it writes nothing when that has no value. */
  dynamicFrom?: string;
  /** EVAL steps: the expression, run against the pre-EVAL snapshot of the event. */
  evalFn?: CompiledEval;
  evalField?: string;
  /**
   * Fields of which one must have a value for `run` to change the event: with none of them
   * present it returns before touching anything (undefined: it may always act, as EVAL does).
   * What lets `stepsFor` leave out the steps an event's reader fields cannot start.
   */
  gates?: readonly string[];
}

/** Operation kinds in search-time order. */
const PHASES = ['extract', 'report', 'alias', 'eval', 'lookup'] as const;

function settingKey(op: KnowledgeOp): string {
  switch (op.kind) {
    case 'extract':
      return `EXTRACT-${op.cls}`;
    case 'report':
      return `REPORT-${op.cls}`;
    case 'alias':
      return `FIELDALIAS-${op.cls}`;
    case 'eval':
      return `EVAL-${op.field}`;
    case 'lookup':
      return `LOOKUP-${op.cls}`;
  }
}

/** ASCII (code unit) order, as Splunk orders setting classes. */
function ascii(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const cleaned = new Map<string, string>();
/** `cleanKey`, remembered (names repeat on every event of a stream). */
function cleanedKey(k: string): string {
  let c = cleaned.get(k);
  if (c === undefined) {
    c = /^[A-Za-z][A-Za-z0-9_]*$/.test(k) ? k : cleanKey(k) || k;
    if (cleaned.size < 10_000) cleaned.set(k, c);
  }
  return c;
}

/**
 * Splunk source pattern (`source::…`): `...` matches anything, `*` anything but `/` (props.conf.spec
 * "[source::<source>]"); a `(?i)`-free pattern matches case-sensitively.
 */
export function sourcePatternMatches(pattern: string, source: string): boolean {
  if (!pattern.includes('*') && !pattern.includes('...')) return pattern === source;
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    if (pattern.startsWith('...', i)) {
      re += '.*';
      i += 2;
    } else if (pattern[i] === '*') re += '[^/]*';
    else re += pattern[i].replace(/[.+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 's').test(source);
}

function stanzaMatches(s: Stanza, sourcetype: string, source: string): boolean {
  return 'sourcetype' in s.match ? s.match.sourcetype === sourcetype : sourcePatternMatches(s.match.source, source);
}

function firstValue(v: FieldValue): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  // A multivalue SOURCE_KEY is read as its values joined by newlines: the add-on regexes that
  // skip a first line (`(?:[^\n]*\n)?(…)` for Account_Name) rely on it [inferred].
  return v.length === 0 ? undefined : v.join('\n');
}

/**
 * What `(.+)` captures: the first non-empty run of characters between line terminators (`.`
 * stops at them); with `^(.+)` (no `m` flag) only the first line, possibly empty.
 */
function firstLine(text: string, anchored: boolean): string {
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13 || c === 0x2028 || c === 0x2029) {
      if (i > start || anchored) return text.slice(start, i);
      start = i + 1;
    }
  }
  return text.slice(start);
}

function hasValue(ev: SplunkEvent, f: string): boolean {
  const v = ev[f];
  return v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0);
}

/** Adds a value with extractor semantics: a new value for an existing field is dropped unless mvAdd. */
function addExtracted(ev: SplunkEvent, field: string, value: string, mvAdd: boolean): void {
  if (value === '') return; // KEEP_EMPTY_VALS = false (transforms.conf.spec default)
  const prev = ev[field];
  if (prev === undefined || prev === null) ev[field] = value;
  else if (!mvAdd) return;
  else if (Array.isArray(prev)) prev.push(value);
  else ev[field] = [String(prev), value];
}

/**
 * The Windows add-on's `EXTRACT-…_from_xml = <Data Name='X'>(?<y>[^<]+)<\/Data>` (./tables/
 * windows.ts dataExtract) as its name and field; undefined for any other regex. Such a regex is
 * a literal, one `[^<]+` run and a literal that starts with `<`, so its first match can be found
 * without a regex engine (DataElements) — a Security event runs seven of them over its whole
 * `_raw`, and seven scans plus the engine's match arrays and group objects were their cost.
 */
export function dataElementPattern(regex: string): { name: string; field: string } | undefined {
  const m = /^<Data Name='([A-Za-z0-9_]+)'>\(\?<([A-Za-z_][A-Za-z0-9_]*)>\[\^<\]\+\)<\\\/Data>$/.exec(regex);
  return m ? { name: m[1], field: m[2] } : undefined;
}

const DATA_OPEN = "<Data Name='";

/**
 * The first-match values of `<Data Name='X'>(?<y>[^<]+)<\/Data>` for several names X (each
 * `[A-Za-z0-9_]+`) in one text, found by one pass over it and remembered for the last text (the
 * steps of one event ask in turn). The regex's first match, per name: at an occurrence of
 * `<Data Name='X'>` the run `[^<]+` can only end right before the next `<` (it cannot hold one
 * and what follows must start with `<`), so that occurrence matches iff the run is non-empty and
 * `</Data>` starts at that `<`; else the regex tries the next occurrence. Since X holds no `'`,
 * `<Data Name='X'>` occurs at p iff `<Data Name='` does, its first `'` after comes right after
 * X, and `>` follows: so walking the occurrences of `<Data Name='` in order visits every
 * candidate of every name in order. `m`/`s` flags change nothing (no `^`, `$` or `.`).
 */
export class DataElements {
  private readonly names: string[] = [];
  private readonly values: (string | undefined)[] = [];
  private text: string | undefined;

  /** The slot of name X (registered before the first `value`). */
  slot(name: string): number {
    const k = this.names.indexOf(name);
    if (k >= 0) return k;
    this.names.push(name);
    this.values.push(undefined);
    return this.names.length - 1;
  }

  /** The captured value for the name of `slot` in `text`; undefined when the regex does not match. */
  value(text: string, slot: number): string | undefined {
    if (text !== this.text) this.scan(text);
    return this.values[slot];
  }

  private scan(text: string): void {
    const names = this.names;
    const values = this.values;
    values.fill(undefined);
    this.text = text;
    let left = names.length;
    // Per slot: whether its value is decided (found); undecided names keep looking further on.
    for (let p = text.indexOf(DATA_OPEN); p >= 0 && left > 0; p = text.indexOf(DATA_OPEN, p + 1)) {
      const n0 = p + DATA_OPEN.length;
      const quote = text.indexOf("'", n0);
      if (quote < 0) return;
      if (text.charCodeAt(quote + 1) !== 62 /* > */) continue;
      const len = quote - n0;
      for (let k = 0; k < names.length; k++) {
        const name = names[k];
        if (name.length !== len || values[k] !== undefined || !text.startsWith(name, n0)) continue;
        const q = quote + 2;
        const r = text.indexOf('<', q);
        // No `<` after: no later occurrence either (each starts with one).
        if (r < 0) return;
        if (r > q && text.startsWith('</Data>', r)) {
          values[k] = text.slice(q, r);
          left--;
        }
        break;
      }
    }
  }
}

function compileTransform(t: Transform, problems: KnowledgeProblem[]): Step | undefined {
  let re: RegExp;
  try {
    re = new RegExp(t.regex, `g${t.flags ?? ''}`);
  } catch (e) {
    problems.push({
      at: t.at,
      message: `transform ${t.name}: bad regex: ${(e as Error).message}`,
    });
    return undefined;
  }
  const outs = Object.entries(t.out);
  const mvAdd = t.mvAdd === true;
  const from = t.from;
  const dynamic = outs.some(([f]) => f.charCodeAt(0) === 36);
  const copyAll = !t.flags && (t.regex === '(.+)' || t.regex === '^(.+)') && outs.length === 1 && outs[0][1] === 1;
  const anchored = t.regex === '^(.+)';
  return {
    phase: 'report',
    key: t.name,
    at: t.at,
    reads: new Set([from, ...outs.map(([f]) => f)]),
    // A `$N` (dynamic) field name can write anything: such a step is always kept by projections.
    writes: new Set(dynamic ? ['*'] : outs.map(([f]) => f)),
    dynamicFrom: dynamic ? from : undefined,
    gates: [from],
    run(ev) {
      // Most of a stream's copy transforms name a source field its events lack: asked first.
      const source = ev[from];
      if (source === undefined || source === null) return;
      // A value for a field that already has one would be discarded (MV_ADD = false): when every
      // output exists, the regex need not run at all.
      if (!mvAdd && !dynamic) {
        let all = true;
        for (let i = 0; i < outs.length; i++)
          if (!hasValue(ev, outs[i][0])) {
            all = false;
            break;
          }
        if (all) return;
      }
      const text = firstValue(source);
      if (text === undefined) return;
      if (copyAll) {
        // `(.+)` / `^(.+)` → the value up to its first line terminator (`.` stops there).
        addExtracted(ev, outs[0][0], firstLine(text, anchored), mvAdd);
        return;
      }
      re.lastIndex = 0;
      // Search-time REPORT applies the regex to every match in the source (all Data elements of
      // an XML block are extracted by one transform); each match fills the FORMAT fields.
      for (let m = re.exec(text); m !== null; m = re.exec(text)) {
        for (const [field, g] of outs) {
          const v = typeof g === 'number' ? m[g] : m.groups?.[g];
          // `$N` as the field name: FORMAT = $1::$2 (the name comes from group N, key-cleaned).
          const name = field.charCodeAt(0) === 36 ? cleanKey(m[Number(field.slice(1))] ?? '') : field;
          if (v !== undefined && name !== '') addExtracted(ev, name, v, mvAdd);
        }
        if (m[0] === '') re.lastIndex++;
        if (!t.repeat && !mvAdd && !dynamic && outs.every(([f]) => hasValue(ev, f))) break;
      }
    },
  };
}

function lookupIndex(table: LookupTable, inputs: string[]): Map<string, number[]> {
  const cols = inputs.map((c) => table.columns.indexOf(c));
  const idx = new Map<string, number[]>();
  table.rows.forEach((row, i) => {
    const key = cols.map((c) => (table.caseSensitive === false ? (row[c] ?? '').toLowerCase() : (row[c] ?? '')));
    const k = key.join('\u0000');
    const list = idx.get(k);
    if (list) list.push(i);
    else idx.set(k, [i]);
  });
  return idx;
}

/**
 * `dataElements`: the stream's shared index of `<Data Name=…>` values (EXTRACT fast path);
 * `evalInputs`: the stream's versioned EVAL inputs (memoizeEvalIn), undefined: EVALs are not
 * remembered (the plain path).
 */
function compileOp(
  op: KnowledgeOp,
  problems: KnowledgeProblem[],
  dataElements?: DataElements,
  evalInputs?: EvalInputs,
): Step[] {
  const key = settingKey(op);
  switch (op.kind) {
    case 'extract': {
      let re: RegExp;
      try {
        // props.conf.spec: "(?ms) modifiers are added in front of the regex".
        re = new RegExp(op.regex, `ms${op.flags ?? ''}`);
      } catch (e) {
        problems.push({
          at: op.at,
          message: `${key}: bad regex: ${(e as Error).message}`,
        });
        return [];
      }
      const names = [...op.regex.matchAll(/\(\?<([A-Za-z_][A-Za-z0-9_]*)>/g)].map((m) => m[1]);
      const from = op.from ?? '_raw';
      const data = op.flags || !dataElements ? undefined : dataElementPattern(op.regex);
      if (data && dataElements) {
        const field = data.field;
        const slot = dataElements.slot(data.name);
        return [
          {
            phase: 'extract',
            key,
            at: op.at,
            reads: new Set([from, field]),
            writes: new Set([field]),
            gates: [from],
            run(ev) {
              const text = firstValue(ev[from]);
              if (text === undefined) return;
              const v = dataElements.value(text, slot);
              if (v !== undefined) addExtracted(ev, field, v, false);
            },
          },
        ];
      }
      return [
        {
          phase: 'extract',
          key,
          at: op.at,
          reads: new Set([from, ...names]),
          writes: new Set(names),
          gates: [from],
          run(ev) {
            const text = firstValue(ev[from]);
            if (text === undefined) return;
            const m = re.exec(text);
            if (!m?.groups) return;
            for (const n of names) {
              const v = m.groups[n];
              if (v !== undefined) addExtracted(ev, n, v, false);
            }
          },
        },
      ];
    }
    case 'report':
      return op.transforms.flatMap((t) => {
        const s = compileTransform(t, problems);
        return s ? [{ ...s, key: `${key}:${t.name}` }] : [];
      });
    case 'alias': {
      const pairs = op.pairs;
      return [
        {
          phase: 'alias',
          key,
          at: op.at,
          reads: new Set(pairs.flatMap((p) => (p.asnew ? [p.from, p.to] : [p.from]))),
          writes: new Set(pairs.map((p) => p.to)),
          // A pair whose source has no value does nothing, or (without ASNEW) removes its target.
          gates:
            pairs.length > 0
              ? [...pairs.map((p) => p.from), ...pairs.filter((p) => !p.asnew).map((p) => p.to)]
              : undefined,
          run(ev) {
            for (const p of pairs) {
              const v = ev[p.from];
              const present = v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0);
              if (p.asnew) {
                if (present && !hasValue(ev, p.to)) ev[p.to] = Array.isArray(v) ? [...v] : v;
              } else if (present) ev[p.to] = Array.isArray(v) ? [...v] : v;
              // AS: "If the <orig_field_name> field has no value or does not exist, the
              // <new_field_name> is removed" (props.conf.spec 9.0.3).
              else delete ev[p.to];
            }
          },
        },
      ];
    }
    case 'eval': {
      const c = compileEval(op.expr);
      if ('error' in c) {
        problems.push({ at: op.at, message: `${key}: ${c.error}` });
        return [];
      }
      const field = op.field;
      // Remembered by its inputs' values (see memoizeEvalIn): 25 calculated fields per event, whose
      // inputs repeat across a stream's events.
      const fn = c.mode === 'compiled' && evalInputs ? memoizeEvalIn(evalInputs, c.fn, c.reads) : c.fn;
      return [
        {
          phase: 'eval',
          key,
          at: op.at,
          reads: new Set(c.reads),
          writes: new Set([field]),
          run(ev) {
            assignEval(ev, field, fn(ev));
          },
          evalFn: fn,
          evalField: field,
        },
      ];
    }
    case 'lookup': {
      const t = op.table;
      const inCols = op.inputs.map(([c]) => c);
      const inFields = op.inputs.map(([, f]) => f);
      const outs = op.outputs.map(([c, f]) => [t.columns.indexOf(c), f] as const);
      for (const [c] of op.inputs)
        if (!t.columns.includes(c)) problems.push({ at: op.at, message: `${key}: no column ${c}` });
      for (const [i, f] of outs) if (i < 0) problems.push({ at: op.at, message: `${key}: no column for ${f}` });
      const idx = lookupIndex(t, inCols);
      const lower = t.caseSensitive === false;
      const outputNew = op.outputNew;
      // Per key, each output's value (its rows' distinct non-empty cells), computed once: the
      // table does not change, and events of a stream repeat the same keys.
      const valuesByKey = new Map<string, (string | string[] | undefined)[]>();
      for (const [k, rows] of idx)
        valuesByKey.set(
          k,
          outs.map(([ci]) => {
            if (ci < 0) return undefined;
            const vals: string[] = [];
            for (const r of rows) {
              const cell = t.rows[r][ci];
              if (cell !== undefined && cell !== '' && !vals.includes(cell)) vals.push(cell);
            }
            return vals.length === 0 ? undefined : vals.length === 1 ? vals[0] : vals;
          }),
        );
      const single = inFields.length === 1 ? inFields[0] : undefined;
      // The last single input and its outputs: a stream's events mostly repeat the key (a
      // Security event runs ~10 lookups by EventCode or signature_id), and the lower-casing of
      // a case-insensitive table's key is a new string each time.
      let lastInput: string | undefined;
      let lastValues: (string | string[] | undefined)[] | undefined;
      return [
        {
          phase: 'lookup',
          key,
          at: op.at,
          reads: new Set([...inFields, ...(outputNew ? outs.map(([, f]) => f) : [])]),
          writes: new Set(outs.map(([, f]) => f)),
          // No lookup without every match field: with none of them, surely none.
          gates: inFields.length > 0 ? inFields : undefined,
          run(ev) {
            let values: (string | string[] | undefined)[] | undefined;
            if (single !== undefined) {
              const v = firstValue(ev[single]);
              if (v === undefined) return; // no lookup without every match field
              if (v === lastInput) values = lastValues;
              else {
                values = valuesByKey.get(lower ? v.toLowerCase() : v);
                lastInput = v;
                lastValues = values;
              }
            } else {
              const parts: string[] = [];
              for (const f of inFields) {
                const v = firstValue(ev[f]);
                if (v === undefined) return;
                parts.push(lower ? v.toLowerCase() : v);
              }
              values = valuesByKey.get(parts.join('\u0000'));
            }
            for (let k = 0; k < outs.length; k++) {
              const [ci, f] = outs[k];
              if (ci < 0) continue;
              if (outputNew && hasValue(ev, f)) continue;
              const v = values?.[k];
              // OUTPUT clears output fields on a miss; OUTPUTNEW only writes new ones.
              if (v === undefined) {
                if (!outputNew) delete ev[f];
              } else ev[f] = typeof v === 'string' ? v : [...v];
            }
          },
        },
      ];
    }
  }
}

function assignEval(ev: SplunkEvent, field: string, v: unknown): void {
  if (v === null || v === undefined || (Array.isArray(v) && v.length === 0)) delete ev[field];
  else if (Array.isArray(v)) ev[field] = v.map((x) => (typeof x === 'string' ? x : evalToString(x)));
  else if (typeof v === 'string') ev[field] = v;
  else if (typeof v === 'boolean') ev[field] = v ? 'True' : 'False';
  else ev[field] = evalToString(v as number);
}

export interface Extractor {
  readonly sourcetype: string;
  readonly source: string;
  /** The stanzas that apply to this stream, in layering order (sourcetype stanzas first). */
  readonly stanzas: readonly Stanza[];
  /** Eventtypes that can match some event of this stream (the others were decided at compile time). */
  readonly eventtypes: readonly string[];
  readonly problems: readonly KnowledgeProblem[];
  readonly profile: InputProfile | undefined;
  /**
   * The event with Splunk's default fields and every search-time field; with `wanted`, at least
   * the wanted fields (and whatever the operations producing them also produce).
   */
  extract(raw: RawEvent, meta: StreamMeta, wanted?: ReadonlySet<string>): SplunkEvent;
  /**
   * The event `extract(raw, meta, had ∪ wanted)` gives, from `ev`, which `extract(raw, meta, had)`
   * gave for the same `raw` and `meta` (undefined: every field): only the operations the first
   * extraction left out run, in Splunk's order. `ev` is continued in place and returned when
   * that provably gives the same event (field by field; see `extensionOf`), else a new event is
   * extracted from scratch.
   */
  extend(
    ev: SplunkEvent,
    raw: RawEvent,
    meta: StreamMeta,
    had: ReadonlySet<string> | undefined,
    wanted: ReadonlySet<string> | undefined,
  ): SplunkEvent;
  /**
   * The raw (reader) fields the extraction of `wanted` reads, for readers that can skip the
   * others; undefined: all of them (a bare-term search of `_raw`, or no projection).
   */
  baseFieldsFor(wanted?: ReadonlySet<string>): ReadonlySet<string> | undefined;
  /**
   * Every field name this stream's knowledge names: what its settings read (reader fields) and
   * write (extracted, aliased, calculated, looked-up fields), with `multivalue` for the fields a
   * setting can give several values (MV_ADD). Dynamic names (`$1::$2`) are not listed.
   */
  knownFields(): { name: string; written: boolean; multivalue: boolean }[];
}

/** Fields every event has (default fields, set before any add-on setting). */
const DEFAULT_FIELDS = ['_time', '_raw', 'host', 'source', 'sourcetype', 'index', 'linecount', 'punct'];

class CompiledExtractor implements Extractor {
  readonly stanzas: Stanza[];
  readonly problems: KnowledgeProblem[] = [];
  readonly profile: InputProfile | undefined;
  readonly eventtypes: string[];
  private readonly steps: Step[] = [];
  private readonly streamEventtypes: StreamEventtypes;
  private readonly plans = new WeakMap<ReadonlySet<string>, Plan>();
  /**
   * Plans by the names of their wanted set: callers build a new set with the same names for
   * every file (the scan's per-file routing caches), and a plan is a function of the names only.
   * Sharing the Plan object also lets `extensions` (keyed by Plan identity) hit across files.
   * Bucketed by size and total name length; a bucket's sets are compared name by name.
   */
  private readonly plansByNames = new Map<string, { names: ReadonlySet<string>; plan: Plan }[]>();
  private readonly fullPlan: Plan;
  /** The reader fields come before EXTRACT (XML, classic text); else KV_MODE adds them after REPORT. */
  private readonly baseFirst: boolean;
  /** Every field the per-event eventtype searches and the field tags read. */
  private readonly eventtypeInputs = new Set<string>();
  private readonly extensions = new WeakMap<Plan, WeakMap<Plan, Extension>>();
  private lastExtension: { from: Plan; to: Plan; extension: Extension } | undefined;
  /** Scratch list of one event's EVAL results (assigned after all of them ran). */
  private readonly evalResults: unknown[] = [];
  /** The `<Data Name='X'>` values the EXTRACT steps read, one pass per event text. */
  private readonly dataElements = new DataElements();
  /** The values the EVAL steps read, versioned per EVAL phase (undefined: not remembered). */
  private readonly evalInputs: EvalInputs | undefined;
  /** The root of the trie of reader field-name lists seen (`addBase`, `stepsFor`); its key is unused. */
  private readonly nameTrie: NameNode = {
    key: '',
    raw: '',
    missingBase: undefined,
    first: false,
    parent: undefined,
    next: new Map(),
    stepsByPlan: new Map(),
    basePlan: undefined,
    inBase: false,
  };
  private nameNodes = 0;
  /** The last event `run` gave from reader fields, and their trie node (for `extend`). */
  private lastEvent: SplunkEvent | undefined;
  private lastNames: NameNode | undefined;

  constructor(
    readonly sourcetype: string,
    readonly source: string,
    knowledge: Knowledge,
    index: string,
    private readonly skipIdleSteps = true,
    rememberEvals = true,
    private readonly projectReaderFields = true,
  ) {
    this.evalInputs = rememberEvals ? new EvalInputs() : undefined;
    this.profile = knowledge.inputs.find((p) => p.sourcetypes.includes(sourcetype));
    const format = this.profile?.format;
    this.baseFirst = format === 'xml' || format === 'wineventlog' || format === undefined;
    // Layer: sourcetype stanzas, then source stanzas (which win on the same setting).
    const st = knowledge.stanzas.filter((s) => 'sourcetype' in s.match && stanzaMatches(s, sourcetype, source));
    const src = knowledge.stanzas.filter((s) => 'source' in s.match && stanzaMatches(s, sourcetype, source));
    this.stanzas = [...st, ...src];
    const settings = new Map<string, KnowledgeOp>();
    for (const s of this.stanzas) for (const op of s.ops) settings.set(settingKey(op), op);
    const ops = [...settings.entries()];
    for (const phase of PHASES) {
      const inPhase = ops.filter(([, op]) => op.kind === phase).sort(([a], [b]) => ascii(a, b));
      for (const [, op] of inPhase)
        for (const step of compileOp(op, this.problems, this.dataElements, this.evalInputs))
          this.steps.push(uniformStep(step));
    }
    // Eventtypes, partially evaluated for this stream.
    this.streamEventtypes = new StreamEventtypes(knowledge, { sourcetype, source, index }, this.problems);
    this.eventtypes = this.streamEventtypes.names;
    for (const r of this.streamEventtypes.searchReads) this.eventtypeInputs.add(r);
    for (const f of this.streamEventtypes.tagFields) this.eventtypeInputs.add(f);
    this.fullPlan = this.plan(undefined);
  }

  knownFields(): { name: string; written: boolean; multivalue: boolean }[] {
    const out = new Map<string, { name: string; written: boolean; multivalue: boolean }>();
    const add = (name: string, written: boolean, multivalue = false) => {
      if (name === '*' || name === '' || name.charCodeAt(0) === 36) return;
      const f = out.get(name);
      if (f) {
        f.written ||= written;
        f.multivalue ||= multivalue;
      } else out.set(name, { name, written, multivalue });
    };
    for (const s of this.steps) {
      for (const w of s.writes) add(w, true);
      for (const r of s.reads) add(r, false);
    }
    // Settings with MV_ADD can give a field several values.
    for (const st of this.stanzas)
      for (const op of st.ops)
        if (op.kind === 'report')
          for (const t of op.transforms) if (t.mvAdd) for (const f of Object.keys(t.out)) add(f, true, true);
    for (const r of this.streamEventtypes.searchReads) add(r, false);
    return [...out.values()];
  }

  private plan(wanted: ReadonlySet<string> | undefined): Plan {
    if (!wanted) {
      return {
        steps: this.steps.map((_, i) => i),
        eventtypes: true,
        base: undefined,
        punct: true,
        linecount: true,
        xmlBlocks: 7,
      };
    }
    const need = new Set(wanted);
    for (const h of this.profile?.hostFields ?? []) need.add(h);
    const wantsTags = need.has('tag') || [...need].some((f) => f.startsWith('tag::'));
    const wantsEt = wantsTags || need.has('eventtype');
    if (wantsEt) {
      for (const r of this.streamEventtypes.searchReads) need.add(r);
      if (wantsTags) for (const f of this.streamEventtypes.tagFields) need.add(f);
    }
    const chosen: number[] = [];
    for (let i = this.steps.length - 1; i >= 0; i--) {
      const s = this.steps[i];
      let hit = s.writes.has('*');
      for (const w of s.writes)
        if (need.has(w)) {
          hit = true;
          break;
        }
      if (!hit) continue;
      chosen.push(i);
      for (const r of s.reads) need.add(r);
    }
    chosen.reverse();
    let xmlBlocks = 0;
    for (const [bit, name] of XML_BLOCKS) if (need.has(name)) xmlBlocks |= bit;
    return {
      steps: chosen,
      eventtypes: wantsEt,
      base: need,
      punct: need.has('punct'),
      linecount: need.has('linecount'),
      xmlBlocks,
    };
  }

  baseFieldsFor(wanted?: ReadonlySet<string>): ReadonlySet<string> | undefined {
    if (!wanted) return undefined;
    return this.planFor(wanted).base;
  }

  private planFor(wanted: ReadonlySet<string> | undefined): Plan {
    if (!wanted) return this.fullPlan;
    let p = this.plans.get(wanted);
    if (!p) {
      let chars = 0;
      for (const f of wanted) chars += f.length;
      const key = `${wanted.size}:${chars}`;
      let bucket = this.plansByNames.get(key);
      p = bucket?.find((e) => sameNames(e.names, wanted))?.plan;
      if (!p) {
        p = this.plan(wanted);
        // A new set of names every time would grow this without end: keep only the first ones.
        if (!bucket && this.plansByNames.size < 4096) this.plansByNames.set(key, (bucket = []));
        if (bucket && bucket.length < 16) bucket.push({ names: new Set(wanted), plan: p });
      }
      this.plans.set(wanted, p);
    }
    return p;
  }

  extract(raw: RawEvent, meta: StreamMeta, wanted?: ReadonlySet<string>): SplunkEvent {
    return this.run(raw, meta, this.planFor(wanted));
  }

  extend(
    ev: SplunkEvent,
    raw: RawEvent,
    meta: StreamMeta,
    had: ReadonlySet<string> | undefined,
    wanted: ReadonlySet<string> | undefined,
  ): SplunkEvent {
    const from = this.planFor(had);
    const x = this.extensionOf(from, this.planFor(wanted));
    if (!x.steps) return this.run(raw, meta, x.target);
    for (const f of x.emptyFields) if (hasValue(ev, f)) return this.run(raw, meta, x.target);
    // The reader fields the union copies and `from` left out, written first (as `run` does).
    if (x.moreBase && this.projectsBase(raw, from)) {
      // The event `run` just gave: its name list's copy list is remembered per extension.
      const names = ev === this.lastEvent ? this.lastNames : undefined;
      if (!(names ? this.addMissingBaseOf(ev, raw, x, names) : this.addMissingBase(ev, raw, x)))
        return this.run(raw, meta, x.target);
    }
    const text = raw.text;
    if (text !== undefined) {
      if (x.linecount) ev.linecount = String(lineCount(text));
      if (x.punct) ev.punct = punctOf(text);
      if (x.xmlBlocks !== 0) addXmlBlocks(ev, text, x.xmlBlocks);
    }
    // The event `run` just gave (the scan continues each routing extraction at once): its reader
    // field names are known, so the continuation's idle steps can be left out too.
    const names = ev === this.lastEvent ? this.lastNames : undefined;
    this.runSteps(ev, names ? this.stepsFor(names, x, x.steps, x.ran, blockMask(ev)) : x.steps, undefined, 0);
    if (x.eventtypes) this.addEventtypes(ev);
    return ev;
  }

  /**
   * Whether `run` copies only the reader fields of `plan.base` (the fields the plan's steps,
   * eventtypes and tags read, and the wanted ones) instead of all of them: a Security event
   * has ~27 reader fields of which the scan's routing plan reads ~11, and each copy is a store
   * into a dictionary-mode event. The rest cannot change what the plan gives: no step of the
   * plan reads them (their reads are in `base`), so only fields nobody asked for are missing.
   * `extend` copies them when a later plan wants them. Not for text the engine parses itself
   * (classic WinEventLog text without reader fields), nor for formats whose fields come after
   * REPORT (KV_MODE).
   */
  private projectsBase(raw: RawEvent, plan: Plan): boolean {
    if (!this.projectReaderFields || plan.base === undefined || !this.baseFirst) return false;
    if (this.profile?.format === 'wineventlog' && raw.text !== undefined) {
      for (const _ in raw.fields) return true;
      return false;
    }
    return true;
  }

  /**
   * Copies into `ev` (extracted with `x`'s `from` plan, whose `base` it holds) the reader fields
   * the union plan copies and `from` did not, as `addBase` copies them. False (nothing written)
   * when that would not give the union's event: a step already run reads or writes such a field
   * (in the union it ran after the field was there), or the eventtypes already computed read or
   * write it; or it has a value already that `run` would not have given it before the reader
   * fields (a `$N` step already run wrote it: in the union the reader's value was there first
   * and kept the step from writing it). Only the default fields `run` always writes after the
   * reader fields (over theirs) may have one.
   */
  private addMissingBase(ev: SplunkEvent, raw: RawEvent, x: Extension): boolean {
    const fields = raw.fields;
    const format = this.profile?.format;
    const clean = format === 'xml' || format === 'wineventlog';
    const fromBase = x.fromBase!;
    const target = x.target.base;
    const conflicts = x.baseConflicts;
    for (const key in fields) {
      const k = clean ? cleanedKey(key) : key;
      if (fromBase.has(k) || (target !== undefined && !target.has(k))) continue;
      if (conflicts.has(k) || (x.ranEventtypes && isEventtypeOutput(k))) return false;
      if (ev[k] !== undefined && !this.defaultWritten(k, raw)) return false;
    }
    const keepEmpty = this.profile?.keepEmpty === true;
    let eventId = false;
    for (const key in fields) {
      const k = clean ? cleanedKey(key) : key;
      if (fromBase.has(k) || (target !== undefined && !target.has(k))) continue;
      // Fields already set are the default fields (which `run` writes over the reader's) or an
      // earlier reader field of the same cleaned name (the first non-empty one wins, as in addBase).
      if (storeMissingReaderValue(ev, k, fields[key], keepEmpty) && k === 'EventID') eventId = true;
    }
    if (eventId && format === 'xml') dropAttributedEventId(ev, raw.text);
    return true;
  }

  /**
   * `addMissingBase` for an event whose reader field names are `names`' (the same decisions
   * and the same stores): which names to copy, and whether one conflicts with the steps or
   * eventtypes already run, depend only on the names and the extension, so they are decided
   * once per (name list, extension); per event only the values are checked and copied.
   */
  private addMissingBaseOf(ev: SplunkEvent, raw: RawEvent, x: Extension, names: NameNode): boolean {
    names.missingBase ??= new Map();
    let list = names.missingBase.get(x);
    if (list === undefined) {
      const path: NameNode[] = [];
      for (let n = names; n.parent !== undefined; n = n.parent) path.push(n);
      path.reverse();
      list = [];
      const target = x.target.base;
      for (const n of path) {
        const k = n.key;
        if (x.fromBase!.has(k) || (target !== undefined && !target.has(k))) continue;
        if (x.baseConflicts.has(k) || (x.ranEventtypes && isEventtypeOutput(k))) {
          list = null;
          break;
        }
        list.push({ raw: n.raw, key: k });
      }
      if (names.missingBase.size < 64) names.missingBase.set(x, list);
    }
    if (list === null) return false;
    if (list.length === 0) return true;
    for (const { key: k } of list) if (ev[k] !== undefined && !this.defaultWritten(k, raw)) return false;
    const fields = raw.fields;
    const keepEmpty = this.profile?.keepEmpty === true;
    let eventId = false;
    for (const { raw: rk, key: k } of list) {
      if (storeMissingReaderValue(ev, k, fields[rk], keepEmpty) && k === 'EventID') eventId = true;
    }
    if (eventId && this.profile?.format === 'xml') dropAttributedEventId(ev, raw.text);
    return true;
  }

  /** Whether `defaultFieldsInto` always writes `k` for `raw` (after the reader fields, over them). */
  private defaultWritten(k: string, raw: RawEvent): boolean {
    if (k === 'source' || k === 'sourcetype' || k === 'index') return true;
    if (k === '_time') return raw.time !== undefined;
    return k === '_raw' && raw.text !== undefined;
  }

  private run(raw: RawEvent, meta: StreamMeta, plan: Plan): SplunkEvent {
    const profile = this.profile;
    const ev = Object.create(null) as SplunkEvent;
    if (this.baseFirst) {
      const names = this.addBase(ev, raw, profile, plan.xmlBlocks, this.skipIdleSteps, plan);
      defaultFieldsInto(ev, raw, meta, profile, plan.punct, plan.linecount);
      this.runSteps(
        ev,
        names ? this.stepsFor(names, plan, plan.steps, undefined, blockMask(ev)) : plan.steps,
        undefined,
        plan.xmlBlocks,
      );
      this.lastEvent = ev;
      this.lastNames = names;
    } else {
      defaultFieldsInto(ev, raw, meta, profile, plan.punct, plan.linecount);
      this.runSteps(ev, plan.steps, raw, plan.xmlBlocks);
    }
    if (plan.eventtypes) this.addEventtypes(ev);
    return ev;
  }

  /**
   * Runs the `chosen` steps in Splunk's order. `kvBase`: the event whose reader fields KV_MODE
   * (json / auto) adds after REPORT and before FIELDALIAS; undefined when they are there already.
   */
  private runSteps(ev: SplunkEvent, chosen: readonly number[], kvBase: RawEvent | undefined, xmlBlocks: number): void {
    const steps = this.steps;
    let i = 0;
    // EXTRACT + REPORT (+ FIELDALIAS when the base fields came first)
    for (; i < chosen.length; i++) {
      const s = steps[chosen[i]];
      if (s.phase === 'eval' || s.phase === 'lookup' || (kvBase && s.phase === 'alias')) break;
      s.run(ev);
    }
    if (kvBase) {
      this.addBase(ev, kvBase, this.profile, xmlBlocks, false);
      for (; i < chosen.length && steps[chosen[i]].phase === 'alias'; i++) steps[chosen[i]].run(ev);
    }
    // EVAL: parallel — every expression sees the event as it was before the first EVAL (one
    // snapshot for the remembered results' inputs).
    const evalFrom = i;
    if (i < chosen.length && steps[chosen[i]].phase === 'eval') this.evalInputs?.begin();
    for (; i < chosen.length && steps[chosen[i]].phase === 'eval'; i++) {
      this.evalResults.push(steps[chosen[i]].evalFn!(ev));
    }
    const results = this.evalResults;
    for (let k = 0; k < results.length; k++) assignEval(ev, steps[chosen[evalFrom + k]].evalField!, results[k]);
    results.length = 0;
    // LOOKUP
    for (; i < chosen.length; i++) steps[chosen[i]].run(ev);
  }

  /** The extension of an event extracted with `from` to one extracted with `from` and `to` (cached). */
  private extensionOf(from: Plan, to: Plan): Extension {
    if (from === this.lastExtension?.from && to === this.lastExtension.to) return this.lastExtension.extension;
    let byTo = this.extensions.get(from);
    if (!byTo) this.extensions.set(from, (byTo = new WeakMap()));
    let x = byTo.get(to);
    if (!x) {
      const target = unionPlan(from, to);
      const done = new Set(from.steps);
      const rest = target.steps.filter((i) => !done.has(i));
      const punct = target.punct && !from.punct;
      const linecount = target.linecount && !from.linecount;
      const xmlBlocks = this.profile?.format === 'xml' ? target.xmlBlocks & ~from.xmlBlocks : 0;
      const early = new Set<string>(punct ? ['punct'] : []);
      if (linecount) early.add('linecount');
      for (const [bit, name] of XML_BLOCKS) if (xmlBlocks & bit) early.add(name);
      const emptyFields = this.continuationNeeds(from, rest, early);
      // Reader fields the union copies that `from` may have left out (projectsBase).
      let moreBase = false;
      const baseConflicts = new Set<string>();
      if (this.projectReaderFields && this.baseFirst && from.base !== undefined) {
        const fromBase = from.base;
        moreBase = target.base === undefined || [...target.base].some((f) => !fromBase.has(f));
      }
      if (moreBase && emptyFields) {
        for (const i of from.steps) {
          const st = this.steps[i];
          for (const f of st.reads) baseConflicts.add(f);
          for (const f of st.writes) baseConflicts.add(f);
        }
        if (from.eventtypes) for (const f of this.eventtypeInputs) baseConflicts.add(f);
      }
      x = {
        moreBase,
        fromBase: from.base,
        baseConflicts,
        ranEventtypes: from.eventtypes,
        target,
        ran: from.steps,
        steps: emptyFields ? rest : undefined,
        emptyFields: emptyFields ?? [],
        punct,
        linecount,
        xmlBlocks,
        eventtypes: target.eventtypes && !from.eventtypes,
      };
      byTo.set(to, x);
    }
    this.lastExtension = { from, to, extension: x };
    return x;
  }

  /**
   * Whether running the steps `rest` (after writing the default or base fields `early`) on an
   * event extracted with `from` gives the event a from-scratch extraction of both gives. It does
   * when every step left to run commutes with every step already run that Splunk's order puts
   * after it, or in the same EVAL group (whose expressions all read one snapshot): neither
   * writes a field the other reads or writes. The fields a step's result depends on are its
   * `reads` (which include the outputs a step only fills when empty); `early` is written before
   * every step. Eventtypes and tags that `from` already computed stay valid when no remaining
   * step writes a field they read (or reads what they write).
   *
   * A `$N` step already run can write any field, but writes nothing when its source field has
   * no value: the fields returned are those that must be empty in the event for the
   * continuation to hold. Undefined: it never holds.
   */
  private continuationNeeds(from: Plan, rest: readonly number[], early: ReadonlySet<string>): string[] | undefined {
    const steps = this.steps;
    const empty = new Set<string>();
    // Whether `ran` (already run) and a step writing `writes`, reading `reads` may not commute.
    // Whether a step run after `ran` (index order is Splunk's order) wrote `field`: the field's
    // value now is then not the one `ran` saw.
    const rewrittenAfter = (ran: number, field: string): boolean => {
      for (const j of from.steps) if (j > ran && steps[j].writes.has(field)) return true;
      return false;
    };
    const conflicts = (i: number, writes: ReadonlySet<string>, reads: ReadonlySet<string>): boolean => {
      const ran = steps[i];
      if (meets(writes, ran.reads)) return true;
      if (ran.dynamicFrom !== undefined) {
        if (writes.size > 0 || reads.size > 0) {
          // "Empty now" proves the `$N` step wrote nothing only if no later step could have
          // emptied its source after it ran (second review: `c` extracted, `$1::$2` from `c`,
          // then `EVAL c=lower(missing)` deleted it — the `$N` writes were still there).
          if (rewrittenAfter(i, ran.dynamicFrom)) return true;
          empty.add(ran.dynamicFrom);
        }
        return false;
      }
      return meets(writes, ran.writes) || meets(ran.writes, reads);
    };
    if (early.size > 0) for (const i of from.steps) if (conflicts(i, early, NONE)) return undefined;
    for (const t of rest) {
      const later = steps[t];
      // KV_MODE fields come after REPORT: an EXTRACT/REPORT step run now would see them.
      if (!this.baseFirst && (later.phase === 'extract' || later.phase === 'report')) return undefined;
      for (const i of from.steps) {
        if (i < t && !(later.phase === 'eval' && steps[i].phase === 'eval')) continue;
        if (conflicts(i, later.writes, later.reads)) return undefined;
      }
    }
    if (from.eventtypes) {
      if (meets(early, this.eventtypeInputs)) return undefined;
      for (const t of rest) {
        const s = steps[t];
        if (meets(s.writes, this.eventtypeInputs)) return undefined;
        for (const f of s.reads) if (isEventtypeOutput(f)) return undefined;
        for (const f of s.writes) if (isEventtypeOutput(f)) return undefined;
      }
    }
    return [...empty];
  }

  /**
   * The steps of `plan` that can change an event whose reader fields had the names of `names`:
   * a step with `gates` is left out when no field it gates on can have a value by its turn —
   * none is a reader field, default field, XML block the event has (`blocks`: `blockMask` of
   * the event before the steps), or written by a step kept before it. Such a step would have
   * returned without touching the event, so the event is the one all of `plan.steps` give.
   * Computed once per (names, plan, blocks): a stream's events repeat a few name lists.
   *
   * The blocks count: a block the event lacks gates what reads it (Security's
   * `logfilecleared_xml_block` reads UserData_Xml, and the `$1::$2` transform after it would
   * otherwise keep every later gated step of every event: ~25 idle REPORT steps per event).
   */
  private stepsFor(
    names: NameNode,
    cacheKey: Plan | Extension,
    chosen: readonly number[],
    ran: readonly number[] | undefined,
    blocks: number,
  ): readonly number[] {
    let byBlocks = names.stepsByPlan.get(cacheKey);
    const known = byBlocks?.[blocks];
    if (known) return known;
    const possible = new Set<string>(DEFAULT_FIELDS);
    for (const [bit, name] of XML_BLOCKS) if (blocks & bit) possible.add(name);
    for (let n = names; n.parent !== undefined; n = n.parent) possible.add(n.key);
    const steps = this.steps;
    let any = false; // a `$N` step kept: any field may have a value after it
    // A continuation (`extend`): the steps already run may have written their fields, and the
    // eventtypes theirs (`eventtype`, `tag`, `tag::…`, open below).
    if (ran !== undefined)
      for (const i of ran)
        for (const w of steps[i].writes) {
          if (w === '*') any = true;
          possible.add(w);
        }
    const kept: number[] = [];
    for (const i of chosen) {
      const s = steps[i];
      const gates = s.gates;
      if (!any && gates !== undefined) {
        let open = false;
        for (const g of gates)
          if (possible.has(g) || (ran !== undefined && isEventtypeOutput(g))) {
            open = true;
            break;
          }
        if (!open) continue;
      }
      kept.push(i);
      for (const w of s.writes) {
        if (w === '*') any = true;
        possible.add(w);
      }
    }
    // Plans are few per stream (cached by their names); the bound only guards odd callers.
    if (!byBlocks && names.stepsByPlan.size < 64) names.stepsByPlan.set(cacheKey, (byBlocks = []));
    if (byBlocks) byBlocks[blocks] = kept;
    return kept;
  }

  /**
   * Adds the reader fields (and XML blocks). `walk` (only for a new event, nothing written yet):
   * also returns the trie node of the reader
   * fields' names in order (the cleaned key of each remembered on its edge, so no `cleanedKey`
   * per field), for `stepsFor`; undefined when the trie is full.
   */
  private addBase(
    ev: SplunkEvent,
    raw: RawEvent,
    profile: InputProfile | undefined,
    blocks: number,
    walk: boolean,
    plan?: Plan,
  ): NameNode | undefined {
    let fields: RawFields = raw.fields;
    const text = raw.text;
    const format = profile?.format;
    // Only these formats parse the text themselves; asking whether the reader's fields are empty
    // (a `for…in`, which lists every key of a dictionary object first) is skipped for the others.
    if (text !== undefined && (format === 'wineventlog' || format === 'json' || format === 'kv')) {
      let empty = true;
      for (const _ in fields) {
        empty = false;
        break;
      }
      if (empty) {
        if (format === 'wineventlog') fields = parseWinEventLogText(text);
        else if (format === 'json') fields = flattenJson(text) ?? fields;
        else fields = autoKv(text);
      } else if (format === 'kv') {
        // KV_MODE=auto runs on the text even when a reader already supplied fields.
        const kv = autoKv(text);
        for (const k in kv) if (ev[k] === undefined && kv[k] !== '') ev[k] = kv[k];
      }
    }
    const keepEmpty = profile?.keepEmpty === true;
    const clean = profile?.format === 'xml' || profile?.format === 'wineventlog';
    // Only the reader fields the plan reads or wants (see `projectsBase`).
    const base = plan !== undefined && this.projectsBase(raw, plan) ? plan.base : undefined;
    let node: NameNode | undefined = walk ? this.nameTrie : undefined;
    for (const key in fields) {
      const v = fields[key];
      // The XML and classic extractions name fields from the data (`FORMAT = $1::$2`), so
      // Splunk's key cleaning applies: `Detection Time` → `Detection_Time` (CLEAN_KEYS = true).
      let k: string;
      // The event is new (`walk`) and no earlier reader field has this name: it has no value yet.
      let unset = false;
      if (node !== undefined) {
        let next = node.next.get(key);
        if (next === undefined && this.nameNodes < MAX_NAME_NODES) {
          this.nameNodes++;
          next = newNameNode(node, clean ? cleanedKey(key) : key, key);
          node.next.set(key, next);
        }
        node = next;
        if (next !== undefined) {
          k = next.key;
          unset = next.first;
          if (base !== undefined) {
            // Whether the plan copies this name, remembered on the node for the last plan asked.
            if (next.basePlan !== plan) {
              next.basePlan = plan;
              next.inBase = base.has(k);
            }
            if (!next.inBase) continue;
          }
        } else {
          k = clean ? cleanedKey(key) : key;
          if (base !== undefined && !base.has(k)) continue;
        }
      } else {
        k = clean ? cleanedKey(key) : key;
        if (base !== undefined && !base.has(k)) continue;
      }
      if (v === undefined) continue;
      if (typeof v === 'string') {
        if (v === '' && !keepEmpty) continue;
        if (unset || ev[k] === undefined) ev[k] = v;
      } else {
        const vals = keepEmpty ? v : v.filter((x) => x !== '');
        if (vals.length === 0) continue;
        if (unset || ev[k] === undefined) ev[k] = vals.length === 1 ? vals[0] : [...vals];
      }
    }
    if (profile?.format === 'xml' && text !== undefined) xmlBlocks(ev, text, blocks);
    return node;
  }

  private addEventtypes(ev: SplunkEvent): void {
    this.streamEventtypes.addTo(ev);
  }
}

const NONE: ReadonlySet<string> = new Set();

/**
 * One node of an extractor's trie of reader field-name lists: the path from the root spells the
 * raw names of one event's reader fields in their order. The same few lists repeat on every
 * event of a stream (one per provider and event id), so per event the walk is one map lookup
 * per field, as `cleanedKey` was, and it ends at the node that holds that list's step lists.
 */
interface NameNode {
  /** The field name as `addBase` writes it (the raw name, key-cleaned for XML / classic text). */
  key: string;
  parent: NameNode | undefined;
  /** Raw name of the next reader field → its node. */
  next: Map<string, NameNode>;
  /** `stepsFor` results of the events that end here, by their `blockMask`. */
  stepsByPlan: Map<Plan | Extension, (readonly number[] | undefined)[]>;
  /** No node on the path before this one has the same `key`. */
  first: boolean;
  /** The plan `inBase` was last decided for (`addBase`). */
  basePlan: Plan | undefined;
  /** Whether `basePlan.base` holds `key`. */
  inBase: boolean;
  /** The reader field name (before key cleaning). */
  raw: string;
  /**
   * Per extension: the reader fields of this name list `addMissingBase` copies (raw name,
   * field name, in order), or null when one of them conflicts with what already ran.
   */
  missingBase: Map<Extension, { raw: string; key: string }[] | null> | undefined;
}

function newNameNode(parent: NameNode, key: string, raw: string): NameNode {
  let first = true;
  for (let n = parent; n.parent !== undefined; n = n.parent)
    if (n.key === key) {
      first = false;
      break;
    }
  return {
    key,
    raw,
    first,
    parent,
    next: new Map(),
    stepsByPlan: new Map(),
    basePlan: undefined,
    inBase: false,
    missingBase: undefined,
  };
}

/** A bound on one extractor's trie: events of ever-new name lists fall back to all steps. */
const MAX_NAME_NODES = 50_000;

/**
 * The step with every property present, in one order: all steps then share one object shape, so
 * the per-event loop's `steps[i].phase` / `.run(ev)` are monomorphic property reads (the kinds'
 * literals had five shapes).
 */
function uniformStep(s: Step): Step {
  return {
    phase: s.phase,
    key: s.key,
    at: s.at,
    reads: s.reads,
    writes: s.writes,
    run: s.run,
    dynamicFrom: s.dynamicFrom,
    evalFn: s.evalFn,
    evalField: s.evalField,
    gates: s.gates,
  };
}

/** Whether two sets hold the same names. */
function sameNames(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  if (a.size !== b.size) return false;
  for (const x of b) if (!a.has(x)) return false;
  return true;
}

/** A plan joined with another: what extracting the union of both plans' wanted fields runs. */
function unionPlan(a: Plan, b: Plan): Plan {
  if (a === b) return a;
  return {
    steps: [...new Set([...a.steps, ...b.steps])].sort((x, y) => x - y),
    eventtypes: a.eventtypes || b.eventtypes,
    base: a.base && b.base ? new Set([...a.base, ...b.base]) : undefined,
    punct: a.punct || b.punct,
    linecount: a.linecount || b.linecount,
    xmlBlocks: a.xmlBlocks | b.xmlBlocks,
  };
}

/** Whether a step writing `writes` can touch a field of `fields` (`*`: a `$N` name, any field). */
function meets(writes: ReadonlySet<string>, fields: ReadonlySet<string>): boolean {
  if (writes.size === 0 || fields.size === 0) return false;
  if (writes.has('*') || fields.has('*')) return true;
  for (const f of writes) if (fields.has(f)) return true;
  return false;
}

/** The fields `addEventtypes` writes. */
function isEventtypeOutput(field: string): boolean {
  return field === 'eventtype' || field === 'tag' || field.startsWith('tag::');
}

/** How an event extracted with one plan is continued into the union with another (`extensionOf`). */
interface Extension {
  /** The union plan: what a from-scratch extraction runs. */
  target: Plan;
  /** The union copies reader fields the continued plan may have left out (`projectsBase`). */
  moreBase: boolean;
  /** The continued plan's `base`. */
  fromBase: ReadonlySet<string> | undefined;
  /** With `moreBase`: what the steps already run read or write, and the eventtypes' inputs when they ran. */
  baseConflicts: ReadonlySet<string>;
  /** The eventtypes and tags were computed already. */
  ranEventtypes: boolean;
  /** The steps of the plan continued (already run on the event). */
  ran: readonly number[];
  /** The steps still to run (indexes into the steps, in order); undefined: extract `target` from scratch. */
  steps: number[] | undefined;
  /** Fields that must have no value in the event for `steps` to continue it (else: from scratch). */
  emptyFields: string[];
  /** `punct` still to be set. */
  punct: boolean;
  /** `linecount` still to be set. */
  linecount: boolean;
  /** XML blocks still to be added (bits as in `Plan.xmlBlocks`). */
  xmlBlocks: number;
  /** Eventtypes and tags still to be computed. */
  eventtypes: boolean;
}

interface Plan {
  steps: number[];
  eventtypes: boolean;
  base: ReadonlySet<string> | undefined;
  punct: boolean;
  /**
   * Whether `linecount` is set: a projection leaves it out unless it is wanted or read, as it
   * does `punct` (counting lines scans the whole event text; the scan's routing never reads it).
   */
  linecount: boolean;
  /** Which of System_Props_Xml (1) / EventData_Xml (2) / UserData_Xml (4) are needed. */
  xmlBlocks: number;
}

/**
 * Stores a reader value under `k` as `addBase` copies it, unless `k` holds a value already (a
 * default field `run` writes over the reader's, or an earlier reader field of the same cleaned
 * name): empty values are left out unless the input keeps them, a list of one is its value.
 * False when there is nothing to store (no value, or only empty ones).
 */
function storeMissingReaderValue(
  ev: SplunkEvent,
  k: string,
  v: string | readonly string[] | undefined,
  keepEmpty: boolean,
): boolean {
  if (v === undefined) return false;
  if (typeof v === 'string') {
    if (v === '' && !keepEmpty) return false;
    if (ev[k] === undefined) ev[k] = v;
    return true;
  }
  const vals = keepEmpty ? v : v.filter((y) => y !== '');
  if (vals.length === 0) return false;
  if (ev[k] === undefined) ev[k] = vals.length === 1 ? vals[0]! : [...vals];
  return true;
}

/**
 * xmlBlocks' EventID rule (also for an EventID copied after the blocks): the reader's EventID is
 * dropped when the element has attributes. The EventID element comes first in <System>: the
 * first `<EventID` is the one.
 */
function dropAttributedEventId(ev: SplunkEvent, text: string | undefined): void {
  if (text === undefined) return;
  const at = text.indexOf('<EventID');
  if (at >= 0 && text.charCodeAt(at + 8) !== 62 /* > */ && ev.EventID !== undefined) delete ev.EventID;
}

/**
 * Splunk_TA_windows `REPORT-0xml_block_extract`: `System_Props_Xml`, `EventData_Xml`,
 * `UserData_Xml` hold the inner XML of those blocks; `<EventID Qualifiers='…'>` is not matched by
 * `system_props_xml_kv` (`<(\w*)>([^<]*)<\/\1>` needs an attribute-less tag), so such events have
 * EventCode (from EventID2_as_EventCode) but no EventID.
 */
function xmlBlocks(ev: SplunkEvent, text: string, which: number): void {
  addXmlBlocks(ev, text, which);
  dropAttributedEventId(ev, text);
}

/** The `Plan.xmlBlocks` bits and the fields they stand for. */
const XML_BLOCKS = [
  [1, 'System_Props_Xml'],
  [2, 'EventData_Xml'],
  [4, 'UserData_Xml'],
] as const;

/** Which XML block fields (`Plan.xmlBlocks` bits) have a value in the event. */
function blockMask(ev: SplunkEvent): number {
  return (
    (ev.System_Props_Xml !== undefined ? 1 : 0) |
    (ev.EventData_Xml !== undefined ? 2 : 0) |
    (ev.UserData_Xml !== undefined ? 4 : 0)
  );
}

/** The inner XML of the `which` blocks (`Plan.xmlBlocks` bits), each as its field. */
function addXmlBlocks(ev: SplunkEvent, text: string, which: number): void {
  // The tags as constants (not built per call): one event asks for up to three blocks.
  const block = (openTag: string, closeTag: string) => {
    const open = text.indexOf(openTag);
    if (open < 0) return undefined;
    const gt = text.indexOf('>', open);
    if (gt < 0 || text.charCodeAt(gt - 1) === 47 /* self-closing */) return undefined;
    const close = text.indexOf(closeTag, gt);
    return close < 0 ? undefined : text.slice(gt + 1, close);
  };
  if (which & 1) {
    const sys = block('<System', '</System>');
    if (sys !== undefined && sys !== '') ev.System_Props_Xml = sys;
  }
  if (which & 2) {
    const data = block('<EventData', '</EventData>');
    if (data !== undefined && data !== '') ev.EventData_Xml = data;
  }
  if (which & 4) {
    const user = block('<UserData', '</UserData>');
    if (user !== undefined && user !== '') ev.UserData_Xml = user;
  }
}

export interface AddonEngine {
  readonly knowledge: Knowledge;
  /** The (cached) extractor of one input stream. */
  extractor(sourcetype: string, source: string, index?: string): Extractor;
  /** `extractor(meta…).extract(raw, meta, wanted)`. */
  extract(raw: RawEvent, meta: StreamMeta, wanted?: ReadonlySet<string>): SplunkEvent;
}

export interface EngineOptions {
  /**
   * Leave out, per reader field-name list, the steps that cannot change its events (`stepsFor`);
   * default true. False runs every step of the plan: the plain path the tests compare with.
   */
  skipIdleSteps?: boolean;
  /**
   * Remember each calculated field's results by the values it reads (memoizeEvalIn); default
   * true. False evaluates every EVAL on every event: the plain path the tests compare with.
   */
  rememberEvals?: boolean;
  /**
   * Copy into a projected event only the reader fields its plan reads or wants (`projectsBase`);
   * default true. False copies every reader field: the plain path the tests compare with.
   */
  projectReaderFields?: boolean;
}

/** An engine over the given knowledge (the default: the transcribed Splunk add-ons of ./tables). */
export function createAddonEngine(knowledge: Knowledge, options: EngineOptions = {}): AddonEngine {
  const cache = new Map<string, Extractor>();
  let lastKey = '';
  let last: Extractor | undefined;
  const extractor = (sourcetype: string, source: string, index = 'main') => {
    const key = `${sourcetype}\u0000${source}\u0000${index}`;
    if (key === lastKey && last) return last;
    let x = cache.get(key);
    if (!x) {
      x = new CompiledExtractor(
        sourcetype,
        source,
        knowledge,
        index,
        options.skipIdleSteps !== false,
        options.rememberEvals !== false,
        options.projectReaderFields !== false,
      );
      cache.set(key, x);
    }
    lastKey = key;
    last = x;
    return x;
  };
  return {
    knowledge,
    extractor,
    extract: (raw, meta, wanted) => extractor(meta.sourcetype, meta.source, meta.index).extract(raw, meta, wanted),
  };
}

export { DEFAULT_FIELDS, punctOf };
