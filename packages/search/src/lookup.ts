/**
 * CSV lookups: tables built from a lookup definition (transforms.conf settings, the content's
 * `lookups/*.yml`) and its CSV text, a provider over them, and the matcher the `lookup` command
 * uses. Facts (Knowledge Manager Manual, "Add field matching rules to your lookup
 * configuration"; transforms.conf.spec):
 * - `case_sensitive_match` defaults to true;
 * - `match_type = WILDCARD(f)` makes the lookup column f a `*` pattern, `CIDR(f)` a CIDR block;
 * - `max_matches` defaults to 100 (no time_field): the first matches in file order;
 * - `min_matches` defaults to 0; with fewer matches, `default_match` fills the outputs.
 */
import { cidrMatch } from '@dac/spl';
import { parse as parseCsv } from 'csv-parse/sync';
import type { LookupMatchType, LookupProvider, LookupTable, Row, Scalar } from './types.js';
import { text, valuesOf } from './values.js';

export const LOOKUP_DEFAULTS = {
  caseSensitive: true,
  maxMatches: 100,
  minMatches: 0,
} as const;

/** A lookup definition as ESCU's `lookups/*.yml` writes it (strings for booleans and numbers allowed). */
export interface LookupDefinition {
  name: string;
  filename?: string;
  case_sensitive_match?: string | boolean;
  match_type?: string;
  max_matches?: string | number;
  min_matches?: string | number;
  default_match?: string;
}

function boolOf(v: string | boolean | undefined): boolean | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'boolean') return v;
  const s = v.trim().toLowerCase();
  if (['true', 't', '1', 'yes'].includes(s)) return true;
  if (['false', 'f', '0', 'no'].includes(s)) return false;
  return undefined;
}

function intOf(v: string | number | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = typeof v === 'number' ? v : Number(String(v).trim());
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}

/** `WILDCARD(a), CIDR(b)` → { a: 'WILDCARD', b: 'CIDR' }. */
export function parseMatchType(spec: string | undefined): Record<string, LookupMatchType> {
  const out: Record<string, LookupMatchType> = {};
  if (!spec) return out;
  for (const m of spec.matchAll(/\b(WILDCARD|CIDR|EXACT)\s*\(\s*([^)]*?)\s*\)/gi))
    out[m[2]!] = m[1]!.toUpperCase() as LookupMatchType;
  return out;
}

/** Builds a lookup table from its definition and CSV text (header row = column names). */
export function lookupTableFromCsv(def: LookupDefinition, csv: string): LookupTable | { error: string } {
  let records: string[][];
  try {
    records = parseCsv(csv, {
      bom: true,
      relax_column_count: true,
      skip_empty_lines: true,
      relax_quotes: true,
    }) as string[][];
  } catch (e) {
    return { error: `lookup ${def.name}: the CSV does not parse: ${(e as Error).message}` };
  }
  const header = records[0];
  if (!header || header.length === 0) return { error: `lookup ${def.name}: the CSV has no header row` };
  const fields = header.map((h) => h.trim());
  const rows = records.slice(1).map((r) => {
    const o: Record<string, string> = {};
    fields.forEach((f, i) => {
      o[f] = r[i] ?? '';
    });
    return o;
  });
  return {
    name: def.name,
    fields,
    rows,
    caseSensitive: boolOf(def.case_sensitive_match),
    matchTypes: parseMatchType(def.match_type),
    maxMatches: intOf(def.max_matches),
    minMatches: intOf(def.min_matches),
    defaultMatch: def.default_match,
  };
}

/**
 * A provider over tables, found by definition name or by file name (`x.csv`, as `lookup x.csv`
 * and `inputlookup x.csv` may write it); `unavailable` names lookups that exist but cannot be
 * read offline (KV store collections) with the reason.
 */
export function lookupProvider(
  tables: readonly (LookupTable & { filename?: string })[],
  unavailable: ReadonlyMap<string, string> = new Map(),
): LookupProvider {
  const byName = new Map<string, LookupTable>();
  for (const t of tables) {
    byName.set(t.name, t);
    if (t.filename) byName.set(t.filename, t);
  }
  return {
    lookup(name) {
      const t = byName.get(name) ?? byName.get(name.replace(/\.csv$/i, ''));
      if (t) return t;
      const u = unavailable.get(name) ?? unavailable.get(name.replace(/\.csv$/i, ''));
      return u === undefined ? undefined : { unavailable: u };
    },
  };
}

// ------------------------------------------------------------------------------- matching

/** `*` patterns split once per row (their pieces between stars), not once per check. */
function globParts(pattern: string): string[] {
  return pattern.split('*');
}

/** `v` against a pattern already split at its `*`s (`globParts`): the whole value must match. */
function globMatchParts(v: string, pattern: string, parts: readonly string[]): boolean {
  if (parts.length === 1) return v === pattern;
  const first = parts[0]!;
  const last = parts[parts.length - 1]!;
  if (v.length < first.length + last.length || !v.startsWith(first) || !v.endsWith(last)) return false;
  let pos = first.length;
  const end = v.length - last.length;
  for (let i = 1; i < parts.length - 1; i++) {
    const p = parts[i]!;
    if (p === '') continue;
    const j = v.indexOf(p, pos);
    if (j < 0 || j + p.length > end) return false;
    pos = j + p.length;
  }
  return true;
}

/** The plain matcher: one pattern, split on every call (the reference the index is tested against). */
export function globMatch(v: string, pattern: string): boolean {
  return globMatchParts(v, pattern, globParts(pattern));
}

/** Counts of work done by the WILDCARD index (tests and measurements read them). */
export const lookupCounters = { globChecks: 0, indexedLookups: 0 };

/**
 * A prefilter over one WILDCARD column: for a value, the rows whose pattern can match it, in file
 * order, a superset of the matching rows (each is still checked with `globMatchParts`).
 * - A pattern without `*` matches only itself: a hash lookup.
 * - A pattern with `*` matches only values that contain every literal piece between its stars,
 *   so it is keyed by its longest piece; one pass of an Aho–Corasick automaton over the value
 *   finds every key it contains (ESCU's windows_protocol_handlers: ~200 `*name:*` rows).
 * - A pattern of stars only (or `*` alone) may match anything: always a candidate.
 * Patterns and values are compared as the matcher folds them (both already folded here).
 */
class WildcardIndex {
  private readonly exact = new Map<string, number[]>();
  private readonly always: number[] = [];
  /** Automaton: transitions by code unit per state, failure links, and the rows each state's keys name. */
  private readonly next: Map<number, number>[] = [new Map()];
  private readonly fail: number[] = [0];
  private readonly out: number[][] = [[]];
  private readonly hasKeys: boolean;

  constructor(patterns: readonly string[], parts: readonly (readonly string[])[]) {
    let keys = 0;
    patterns.forEach((pat, i) => {
      const ps = parts[i]!;
      if (ps.length === 1) {
        let l = this.exact.get(pat);
        if (!l) this.exact.set(pat, (l = []));
        l.push(i);
        return;
      }
      let key = '';
      for (const p of ps) if (p.length > key.length) key = p;
      if (key === '') {
        this.always.push(i);
        return;
      }
      keys++;
      let s = 0;
      for (let k = 0; k < key.length; k++) {
        const c = key.charCodeAt(k);
        let t = this.next[s]!.get(c);
        if (t === undefined) {
          t = this.next.length;
          this.next.push(new Map());
          this.fail.push(0);
          this.out.push([]);
          this.next[s]!.set(c, t);
        }
        s = t;
      }
      this.out[s]!.push(i);
    });
    this.hasKeys = keys > 0;
    // Failure links breadth first; each state's rows include those of its failure state (the
    // keys that end there are suffixes of its own), so a scan reads one list per position.
    const queue: number[] = [];
    for (const t of this.next[0]!.values()) queue.push(t);
    for (let q = 0; q < queue.length; q++) {
      const s = queue[q]!;
      for (const [c, t] of this.next[s]!) {
        let f = this.fail[s]!;
        while (f !== 0 && !this.next[f]!.has(c)) f = this.fail[f]!;
        const g = this.next[f]!.get(c);
        this.fail[t] = g !== undefined && g !== t ? g : 0;
        this.out[t] = [...this.out[t]!, ...this.out[this.fail[t]!]!];
        queue.push(t);
      }
    }
  }

  /** Candidate rows for a (folded) value, ascending and without repeats. */
  candidateRows(v: string): number[] {
    const hits: number[] = [...(this.exact.get(v) ?? []), ...this.always];
    if (this.hasKeys) {
      let s = 0;
      for (let k = 0; k < v.length; k++) {
        const c = v.charCodeAt(k);
        let t = this.next[s]!.get(c);
        while (t === undefined && s !== 0) {
          s = this.fail[s]!;
          t = this.next[s]!.get(c);
        }
        s = t ?? 0;
        const o = this.out[s]!;
        for (let j = 0; j < o.length; j++) hits.push(o[j]!);
      }
    }
    if (hits.length < 2) return hits;
    hits.sort((a, b) => a - b);
    let n = 1;
    for (let j = 1; j < hits.length; j++) if (hits[j] !== hits[n - 1]) hits[n++] = hits[j]!;
    hits.length = n;
    return hits;
  }
}

/** Distinct input-value combinations remembered per matcher before its memo is emptied. */
const LOOKUP_MEMO_LIMIT = 4096;

/** An index over a table for a set of input (lookup) fields. */
export class LookupMatcher {
  private readonly exactFields: string[];
  private readonly otherFields: { field: string; type: LookupMatchType }[];
  private readonly index = new Map<string, number[]>();
  /** WILDCARD patterns folded once per row (by otherFields position), not per lookup. */
  private readonly foldedPatterns: (string[] | undefined)[];
  /** The folded patterns split at their `*`s, by otherFields position (WILDCARD fields only). */
  private readonly patternParts: (string[][] | undefined)[];
  /**
   * With no EXACT input field, the prefilter over the first WILDCARD input field (see
   * `WildcardIndex`): without it every value would be checked against every row.
   */
  private readonly wildIndex: { at: number; index: WildcardIndex } | undefined;
  /**
   * Results by input values: the table does not change during a search, so a value asked again
   * (ESCU's remote_access_software is asked ~850 times for ~80 distinct values on the shared
   * corpus) gets the same rows. Bounded; emptied when full.
   */
  private readonly memo = new Map<string, readonly Readonly<Record<string, string>>[]>();
  private readonly cs: boolean;
  readonly maxMatches: number;

  constructor(
    readonly table: LookupTable,
    readonly inputFields: readonly string[],
    /** `plain`: no WILDCARD index, every row checked (the reference path the tests compare with). */
    options: { plain?: boolean } = {},
  ) {
    this.cs = table.caseSensitive ?? LOOKUP_DEFAULTS.caseSensitive;
    this.maxMatches = Math.max(1, table.maxMatches ?? LOOKUP_DEFAULTS.maxMatches);
    const mt = table.matchTypes ?? {};
    this.exactFields = inputFields.filter((f) => (mt[f] ?? 'EXACT') === 'EXACT');
    this.otherFields = inputFields
      .filter((f) => (mt[f] ?? 'EXACT') !== 'EXACT')
      .map((f) => ({ field: f, type: mt[f]! }));
    if (this.exactFields.length > 0)
      table.rows.forEach((r, i) => {
        const k = this.key(this.exactFields.map((f) => r[f] ?? ''));
        let l = this.index.get(k);
        if (!l) this.index.set(k, (l = []));
        l.push(i);
      });
    this.foldedPatterns = this.otherFields.map((o) =>
      o.type === 'WILDCARD' ? table.rows.map((r) => this.norm(r[o.field] ?? '')) : undefined,
    );
    this.patternParts = this.foldedPatterns.map((f) => f?.map(globParts));
    const at = this.foldedPatterns.findIndex((f) => f !== undefined);
    this.wildIndex =
      this.exactFields.length === 0 && at >= 0 && !options.plain
        ? { at, index: new WildcardIndex(this.foldedPatterns[at]!, this.patternParts[at]!) }
        : undefined;
  }

  private norm(s: string): string {
    return this.cs ? s : s.toLowerCase();
  }

  private key(values: readonly string[]): string {
    return values.map((v) => this.norm(v)).join('\u0000');
  }

  /** Table rows matching one combination of input values (in file order, at most maxMatches). */
  match(values: Readonly<Record<string, string>>): readonly Readonly<Record<string, string>>[] {
    // One input field (the usual case) keys by its value; several by a JSON array, which no
    // choice of values can make ambiguous.
    const memoKey =
      this.inputFields.length === 1
        ? (values[this.inputFields[0]!] ?? '')
        : JSON.stringify(this.inputFields.map((f) => values[f] ?? ''));
    return this.remembered(memoKey, values);
  }

  private remembered(
    memoKey: string,
    values: Readonly<Record<string, string>>,
  ): readonly Readonly<Record<string, string>>[] {
    const known = this.memo.get(memoKey);
    if (known) return known;
    const out = this.matchUncached(values);
    if (this.memo.size >= LOOKUP_MEMO_LIMIT) this.memo.clear();
    this.memo.set(memoKey, out);
    return out;
  }

  /** `match` of one input field's value: the memo is asked first, the record made only on a miss. */
  private matchOne(value: string): readonly Readonly<Record<string, string>>[] {
    const known = this.memo.get(value);
    if (known) return known;
    return this.remembered(value, { [this.inputFields[0]!]: value });
  }

  private matchUncached(values: Readonly<Record<string, string>>): Readonly<Record<string, string>>[] {
    const rows = this.table.rows;
    const otherValues = this.otherFields.map((o, j) => {
      const v = values[o.field] ?? '';
      return this.foldedPatterns[j] ? this.norm(v) : v;
    });
    let candidates: Iterable<number>;
    if (this.exactFields.length > 0) {
      const k = this.key(this.exactFields.map((f) => values[f] ?? ''));
      candidates = this.index.get(k) ?? [];
    } else if (this.wildIndex) {
      lookupCounters.indexedLookups++;
      candidates = this.wildIndex.index.candidateRows(otherValues[this.wildIndex.at]!);
    } else candidates = rows.keys();
    const out: Readonly<Record<string, string>>[] = [];
    for (const i of candidates) {
      const r = rows[i]!;
      let ok = true;
      for (let j = 0; j < this.otherFields.length; j++) {
        const folded = this.foldedPatterns[j];
        const v = otherValues[j]!;
        const pat = folded ? folded[i]! : (r[this.otherFields[j]!.field] ?? '');
        if (folded) lookupCounters.globChecks++;
        if (
          folded
            ? !globMatchParts(v, pat, this.patternParts[j]![i]!)
            : !cidrMatch(pat.includes('/') ? pat : `${pat}/32`, v)
        ) {
          ok = false;
          break;
        }
      }
      if (!ok) continue;
      out.push(r);
      if (out.length >= this.maxMatches) break;
    }
    return out;
  }

  /**
   * Matches for a row: every combination of the event's input values (a multivalue field is
   * looked up value by value), concatenated; undefined when an input field is null.
   */
  matchRow(row: Row, eventFields: readonly string[]): Readonly<Record<string, string>>[] | undefined {
    if (this.inputFields.length === 1) return this.matchRowOne(row[eventFields[0]!]);
    let combos: Record<string, string>[] = [{}];
    for (let i = 0; i < this.inputFields.length; i++) {
      const vs = valuesOf(row[eventFields[i]!]);
      if (vs.length === 0) return undefined;
      const f = this.inputFields[i]!;
      combos = combos.flatMap((c) => vs.map((v: Scalar) => ({ ...c, [f]: text(v) })));
      if (combos.length > 1000) combos = combos.slice(0, 1000);
    }
    const out: Readonly<Record<string, string>>[] = [];
    for (const c of combos) for (const r of this.match(c)) if (out.length < this.maxMatches) out.push(r);
    return out;
  }

  /**
   * `matchRow` with one input field (the usual lookup): the same matches, value by value, without
   * a record per value.
   */
  private matchRowOne(input: Row[string]): Readonly<Record<string, string>>[] | undefined {
    if (input === undefined || input === null) return undefined;
    const out: Readonly<Record<string, string>>[] = [];
    if (!Array.isArray(input)) {
      for (const r of this.matchOne(text(input))) if (out.length < this.maxMatches) out.push(r);
      return out;
    }
    const vs = valuesOf(input);
    if (vs.length === 0) return undefined;
    // As `matchRow`: at most the first 1000 values are looked up.
    const n = Math.min(vs.length, 1000);
    for (let i = 0; i < n; i++)
      for (const r of this.matchOne(text(vs[i]!))) if (out.length < this.maxMatches) out.push(r);
    return out;
  }
}

/** Matchers by table and input fields (JSON of the field list): see `lookupMatcher`. */
const matchers = new WeakMap<LookupTable, Map<string, LookupMatcher>>();

/**
 * The matcher over `table` for these input fields, shared by every search that looks the table
 * up by them: a matcher is a function of the two (its index and memo hold no run state), and
 * the detections of a content tree share one table object per lookup (ESCU: several look up
 * remote_access_software by the same field), so they share its index and remembered results.
 */
export function lookupMatcher(table: LookupTable, inputFields: readonly string[]): LookupMatcher {
  let byFields = matchers.get(table);
  if (!byFields) matchers.set(table, (byFields = new Map()));
  const key = JSON.stringify(inputFields);
  let m = byFields.get(key);
  if (!m) byFields.set(key, (m = new LookupMatcher(table, inputFields)));
  return m;
}
