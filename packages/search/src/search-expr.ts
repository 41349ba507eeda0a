/**
 * The search language (base search, `| search`, tstats WHERE, inputlookup where) compiled to a
 * predicate over rows, with the semantics of @dac/spl's reference interpreter (`evaluateSearch`,
 * splunk-semantics.md §1) — a property test holds the two equal:
 * - values match case-insensitively unless `CASE(…)`; field names case-sensitively (§1.1);
 * - `*` is a wildcard anywhere, also in quotes; the match covers the whole value (§1.2);
 * - `f IN (…)` is an OR of `f=v` (§1.3); a missing field satisfies no comparison, so `f!=v` is
 *   false and `NOT f=v` true for it (§1.4); `=`/`!=` compare text, `<`… numerically when both
 *   sides are numbers (§1.7); multivalue: any value (§1.8);
 * - a bare term searches `_raw` (segmentation-bounded, see `termMatches`); time modifiers
 *   (`earliest=-24h`) are true.
 * Subsearches are replaced by their results, as Splunk's `format` renders them (`formatResults`).
 */
import { compareValues, isTimeModifier, type Literal, parsePipeline, type SearchExpr, termMatches } from '@dac/spl';
import type { Row, Scalar, Value } from './types.js';
import { text } from './values.js';

export type Predicate = (row: Row) => boolean;

const TRUE: Predicate = () => true;
const FALSE: Predicate = () => false;

interface CompiledPattern {
  caseSensitive: boolean;
  /** Compared text (lower-cased unless case-sensitive). */
  lower: string;
  /** Pieces between `*`s, or undefined without wildcard. */
  parts?: string[];
}

function compilePattern(l: Literal): CompiledPattern {
  const cs = l.caseSensitive === true;
  const lower = cs ? l.value : l.value.toLowerCase();
  return { caseSensitive: cs, lower, parts: lower.includes('*') ? lower.split('*') : undefined };
}

function glob(v: string, parts: readonly string[]): boolean {
  const n = parts.length;
  const first = parts[0]!;
  const last = parts[n - 1]!;
  if (v.length < first.length + last.length) return false;
  if (!v.startsWith(first) || !v.endsWith(last)) return false;
  let pos = first.length;
  const end = v.length - last.length;
  for (let i = 1; i < n - 1; i++) {
    const piece = parts[i]!;
    if (piece === '') continue;
    const j = v.indexOf(piece, pos);
    if (j < 0 || j + piece.length > end) return false;
    pos = j + piece.length;
  }
  return true;
}

function matchScalar(s: Scalar, p: CompiledPattern): boolean {
  const t = typeof s === 'number' ? text(s) : s;
  const v = p.caseSensitive ? t : t.toLowerCase();
  return p.parts ? glob(v, p.parts) : v === p.lower;
}

function anyMatch(v: Value | undefined, p: CompiledPattern): boolean {
  if (v === undefined) return false;
  if (Array.isArray(v)) {
    for (const x of v) if (matchScalar(x, p)) return true;
    return false;
  }
  return matchScalar(v, p);
}

function someDiffers(v: Value | undefined, p: CompiledPattern): boolean {
  if (v === undefined) return false;
  if (Array.isArray(v)) {
    for (const x of v) if (!matchScalar(x, p)) return true;
    return false;
  }
  return !matchScalar(v, p);
}

function get(row: Row, key: string): Value | undefined {
  const v = row[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string' || typeof v === 'number') return v;
  // An empty list is null; anything that is no field value — what a key such as `constructor`
  // or `__proto__` reads from Object.prototype — is absent (a search must not crash on it).
  if (!Array.isArray(v) || v.length === 0) return undefined;
  return v;
}

export interface CompileSearchOptions {
  /** Written field → row key (tstats: `Processes.process_name` → `process_name`). */
  fieldKey?: (written: string) => string;
  /** The search expression a subsearch stands for (already run). */
  subsearch?: (expr: Extract<SearchExpr, { kind: 'subsearch' }>) => SearchExpr;
}

/** Compiles a search expression (undefined = everything matches). */
export function compileSearch(expr: SearchExpr | undefined, options: CompileSearchOptions = {}): Predicate {
  if (!expr) return TRUE;
  const key = options.fieldKey ?? ((f: string) => f);
  const rec = (e: SearchExpr, depth: number): Predicate => {
    if (depth > 1000) return FALSE;
    switch (e.kind) {
      case 'and': {
        const ps = e.args.map((a) => rec(a, depth + 1));
        if (ps.length === 1) return ps[0]!;
        if (ps.length === 2) {
          const [a, b] = ps as [Predicate, Predicate];
          return (r) => a(r) && b(r);
        }
        return (r) => {
          for (const p of ps) if (!p(r)) return false;
          return true;
        };
      }
      case 'or': {
        const ps = e.args.map((a) => rec(a, depth + 1));
        if (ps.length === 0) return FALSE;
        if (ps.length === 1) return ps[0]!;
        return (r) => {
          for (const p of ps) if (p(r)) return true;
          return false;
        };
      }
      case 'not': {
        const p = rec(e.arg, depth + 1);
        return (r) => !p(r);
      }
      case 'compare': {
        if (isTimeModifier(e.field)) return TRUE;
        const k = key(e.field);
        if (e.op === '=') {
          const p = compilePattern(e.value);
          return (r) => anyMatch(get(r, k), p);
        }
        if (e.op === '!=') {
          const p = compilePattern(e.value);
          return (r) => someDiffers(get(r, k), p);
        }
        const op = e.op;
        const lit = e.value;
        return (r) => {
          const v = get(r, k);
          return v !== undefined && compareValues(Array.isArray(v) ? v.map(text) : text(v), op, lit);
        };
      }
      case 'in': {
        const k = key(e.field);
        const exact = new Set<string>();
        const others: CompiledPattern[] = [];
        for (const l of e.values) {
          const p = compilePattern(l);
          if (p.parts || p.caseSensitive) others.push(p);
          else exact.add(p.lower);
        }
        const one = (s: Scalar): boolean => {
          const t = typeof s === 'number' ? text(s) : s;
          if (exact.size > 0 && exact.has(t.toLowerCase())) return true;
          for (const p of others) if (matchScalar(t, p)) return true;
          return false;
        };
        return (r) => {
          const v = get(r, k);
          if (v === undefined) return false;
          if (Array.isArray(v)) return v.some(one);
          return one(v);
        };
      }
      case 'term': {
        if (/^\*+$/.test(e.value.value)) return TRUE;
        const t = e.value.value;
        const cs = e.value.caseSensitive === true;
        return (r) => {
          const raw = get(r, '_raw');
          return raw !== undefined && termMatches(Array.isArray(raw) ? raw.map(text) : text(raw), t, cs);
        };
      }
      case 'subsearch': {
        if (!options.subsearch) return TRUE;
        return rec(options.subsearch(e), depth + 1);
      }
      default:
        return FALSE;
    }
  };
  return rec(expr, 0);
}

/** Every subsearch node of a search expression, in text order. */
export function subsearchesOf(expr: SearchExpr | undefined): Extract<SearchExpr, { kind: 'subsearch' }>[] {
  const out: Extract<SearchExpr, { kind: 'subsearch' }>[] = [];
  const walk = (e: SearchExpr, d: number): void => {
    if (d > 1000) return;
    if (e.kind === 'subsearch') out.push(e);
    else if (e.kind === 'and' || e.kind === 'or') for (const a of e.args) walk(a, d + 1);
    else if (e.kind === 'not') walk(e.arg, d + 1);
  };
  if (expr) walk(expr, 0);
  return out;
}

// --------------------------------------------------------------------------- format

/**
 * Fields `format` leaves out of the search it builds: Splunk's internal fields (leading `_`)
 * [unverified: the format docs do not list them; subsearch results in practice pass `fields`].
 */
export const FORMAT_SKIPS_INTERNAL_FIELDS = true;

/**
 * The fields whose value is taken as literal search text instead of `field="value"`: a
 * subsearch that returns `search` or `query` (Search Manual, "Change the format of subsearch
 * results").
 */
export const SEARCH_TEXT_FIELDS: ReadonlySet<string> = new Set(['search', 'query']);

function quote(v: string): string {
  return `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

export interface FormatOptions {
  rowPrefix?: string;
  colPrefix?: string;
  colSeparator?: string;
  colEnd?: string;
  rowSeparator?: string;
  rowEnd?: string;
  /** Text for no results (Splunk: `NOT ()`, which matches nothing). */
  emptyStr?: string;
}

/**
 * Splunk's `format`: `( ( a="1" AND b="2" ) OR ( a="3" ) )` — one parenthesised AND of
 * `field="value"` per row (a multivalue field is an OR of its values), rows joined by OR.
 */
export function formatResults(rows: readonly Row[], o: FormatOptions = {}): string {
  const rowPrefix = o.rowPrefix ?? '(';
  const colPrefix = o.colPrefix ?? '(';
  const colSep = o.colSeparator ?? 'AND';
  const colEnd = o.colEnd ?? ')';
  const rowSep = o.rowSeparator ?? 'OR';
  const rowEnd = o.rowEnd ?? ')';
  const parts: string[] = [];
  for (const r of rows) {
    const cols: string[] = [];
    for (const k of Object.keys(r)) {
      const v = r[k];
      if (v === undefined) continue;
      if (SEARCH_TEXT_FIELDS.has(k)) {
        cols.push(Array.isArray(v) ? v.map(text).join(' ') : text(v));
        continue;
      }
      if (FORMAT_SKIPS_INTERNAL_FIELDS && k.startsWith('_')) continue;
      const name = /^[A-Za-z0-9_.:-]+$/.test(k) ? k : quote(k);
      if (Array.isArray(v)) cols.push(`( ${v.map((x) => `${name}=${quote(text(x))}`).join(' OR ')} )`);
      else cols.push(`${name}=${quote(text(v))}`);
    }
    if (cols.length > 0) parts.push(`${colPrefix} ${cols.join(` ${colSep} `)} ${colEnd}`);
  }
  if (parts.length === 0) return o.emptyStr ?? 'NOT ()';
  return `${rowPrefix} ${parts.join(` ${rowSep} `)} ${rowEnd}`;
}

const NOTHING: SearchExpr = { kind: 'or', args: [], span: { start: 0, end: 0 } };
const EVERYTHING: SearchExpr = { kind: 'and', args: [], span: { start: 0, end: 0 } };

/**
 * The search expression a subsearch's results stand for. No results: Splunk's `NOT ()`, which
 * matches no event. Text that does not parse matches nothing (and is reported by the caller).
 */
export function subsearchExpr(rows: readonly Row[]): { expr: SearchExpr; problem?: string } {
  const textForm = formatResults(rows);
  if (textForm === 'NOT ()') return { expr: NOTHING };
  const p = parsePipeline(`search ${textForm}`);
  const err = p.diagnostics.find((d) => d.severity === 'error');
  if (err) return { expr: NOTHING, problem: `subsearch results do not form a search: ${err.message}` };
  const c = p.pipeline.commands[0];
  return { expr: c?.kind === 'search' && c.expr ? c.expr : EVERYTHING };
}
