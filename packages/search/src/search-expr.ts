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
import {
  compareValues,
  isTimeModifier,
  type Literal,
  lowerCased,
  parsePipeline,
  type SearchExpr,
  termMatches,
} from '@dac/spl';
import type { Row, Value } from './types.js';
import { text } from './values.js';

export type Predicate = (row: Row) => boolean;

const TRUE: Predicate = () => true;
const FALSE: Predicate = () => false;

/** A test of one field value's text, as the row holds it (folding, if any, is the test's own). */
type TextTest = (text: string) => boolean;

const ANY_TEXT: TextTest = () => true;
const NO_TEXT: TextTest = () => false;

/**
 * Whole-value wildcard match of `v` against a pattern's pieces between `*`s (at least two: the
 * text before the first `*` and after the last). Greedy, linear time: each inner piece is taken
 * at its leftmost place, which never loses a match (Splunk's `*` matches any run, §1.2).
 */
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

/**
 * One test for "the text equals one of these patterns" (patterns and text compared as given: the
 * caller folds both for a case-insensitive match). Each pattern is sorted by its shape once —
 * `*` alone (any text), no `*` (exact: one Set lookup for all of them), `abc*` (prefix), `*abc`
 * (suffix), `*abc*` (contains), anything else (general glob) — so a field's OR of terms is one
 * pass over a few arrays, with no allocation per call.
 */
export function patternsTest(patterns: readonly string[]): TextTest {
  const exact = new Set<string>();
  const prefixes: string[] = [];
  const suffixes: string[] = [];
  const infixes: string[] = [];
  const globs: string[][] = [];
  for (const p of patterns) {
    if (!p.includes('*')) {
      exact.add(p);
      continue;
    }
    const parts = p.split('*');
    const first = parts[0]!;
    const last = parts[parts.length - 1]!;
    // `a**b` is `a*b`: an empty piece between two `*`s constrains nothing.
    const inner = parts.slice(1, -1).filter((x) => x !== '');
    if (inner.length === 0 && first === '' && last === '') return ANY_TEXT;
    if (inner.length === 0 && last === '') prefixes.push(first);
    else if (inner.length === 0 && first === '') suffixes.push(last);
    else if (inner.length === 1 && first === '' && last === '') infixes.push(inner[0]!);
    else globs.push([first, ...inner, last]);
  }
  const kinds = (exact.size > 0 ? 1 : 0) + [prefixes, suffixes, infixes, globs].filter((a) => a.length > 0).length;
  if (kinds === 0) return NO_TEXT;
  // The shapes a single term (or an IN list of plain values) compiles to, without the loop.
  if (kinds === 1) {
    if (exact.size === 1) {
      const [only] = exact;
      return (t) => t === only;
    }
    if (exact.size > 1) return (t) => exact.has(t);
    if (prefixes.length === 1) {
      const [only] = prefixes as [string];
      return (t) => t.startsWith(only);
    }
    if (suffixes.length === 1) {
      const [only] = suffixes as [string];
      return (t) => t.endsWith(only);
    }
    if (infixes.length === 1) {
      const [only] = infixes as [string];
      return (t) => t.includes(only);
    }
    if (globs.length === 1) {
      const [only] = globs as [string[]];
      return (t) => glob(t, only);
    }
  }
  const anyExact = exact.size > 0;
  return (t) => {
    if (anyExact && exact.has(t)) return true;
    for (let i = 0; i < suffixes.length; i++) if (t.endsWith(suffixes[i]!)) return true;
    for (let i = 0; i < prefixes.length; i++) if (t.startsWith(prefixes[i]!)) return true;
    for (let i = 0; i < infixes.length; i++) if (t.includes(infixes[i]!)) return true;
    for (let i = 0; i < globs.length; i++) if (glob(t, globs[i]!)) return true;
    return false;
  };
}

/**
 * The lower-cased form of the text last folded for one field key. Every compiled search of the
 * process shares it: the scan hands one event to ~100 candidate searches in turn, which mostly
 * test the same few fields, so each value is lower-cased once instead of once per comparison (a
 * hit is one string comparison, usually of the same string object).
 */
class FoldMemo {
  private text = '';
  private folded = '';
  fold(t: string): string {
    if (t !== this.text) {
      this.text = t;
      this.folded = lowerCased(t);
    }
    return this.folded;
  }
}

/** One memo per row key (bounded by the field names written in the compiled searches). */
const foldMemos = new Map<string, FoldMemo>();

function foldMemoOf(key: string): FoldMemo {
  let m = foldMemos.get(key);
  if (!m) foldMemos.set(key, (m = new FoldMemo()));
  return m;
}

/**
 * Whether a value's text matches any of the literals (an OR of `key=literal`): values match
 * case-insensitively unless written `CASE(…)` (splunk-semantics.md §1.1), so the literals are
 * folded here, once, and the value once per call (through the key's memo).
 */
function literalsTest(key: string, literals: readonly Literal[]): TextTest {
  const caseSensitive = patternsTest(literals.filter((l) => l.caseSensitive === true).map((l) => l.value));
  const folded = patternsTest(literals.filter((l) => l.caseSensitive !== true).map((l) => l.value.toLowerCase()));
  if (folded === NO_TEXT) return caseSensitive;
  if (folded === ANY_TEXT || caseSensitive === ANY_TEXT) return ANY_TEXT;
  const memo = foldMemoOf(key);
  if (caseSensitive === NO_TEXT) return (t) => folded(memo.fold(t));
  return (t) => caseSensitive(t) || folded(memo.fold(t));
}

/**
 * A test that remembers its last text and answer. Tests are pure functions of the text, so this
 * is right for any row, also one that `eval` changed in place; it pays because the scan hands one
 * event to ~100 candidate searches in turn and many of them share a test (the stream clauses
 * `eventtype=wineventlog_security OR Channel=security …`, `EventCode=4688`, `process_name=…`).
 */
function rememberingLast(test: TextTest): TextTest {
  if (test === ANY_TEXT || test === NO_TEXT) return test;
  let lastText: string | undefined;
  let lastAnswer = false;
  return (t) => {
    if (t !== lastText) {
      lastText = t;
      lastAnswer = test(t);
    }
    return lastAnswer;
  };
}

/**
 * Tests shared by all compiled searches of the process, by row key and pattern set (an OR's
 * order does not matter, so the set is sorted). Searches compiled from subsearch results add
 * entries at run time, so the table is emptied when it grows past this size (a test already
 * handed out stays valid).
 */
const SHARED_TESTS_MAX = 20_000;
const sharedTests = new Map<string, TextTest>();

/** `literalsTest`, shared with every other search that tests the same key for the same patterns. */
function sharedLiteralsTest(key: string, literals: readonly Literal[]): TextTest {
  const patterns = literals.map((l) => (l.caseSensitive === true ? `C${l.value}` : `i${l.value.toLowerCase()}`));
  const signature = JSON.stringify([key, ...patterns.sort()]);
  let test = sharedTests.get(signature);
  if (!test) {
    if (sharedTests.size >= SHARED_TESTS_MAX) sharedTests.clear();
    test = rememberingLast(literalsTest(key, literals));
    sharedTests.set(signature, test);
  }
  return test;
}

/**
 * `key=…`: true when any value of the field passes (multivalue: any value, §1.8); a missing
 * field, an empty list, or what a key such as `constructor` or `__proto__` reads from
 * Object.prototype (no field value) passes nothing (§1.4 — and a search must not crash on it).
 */
function anyValuePasses(key: string, test: TextTest): Predicate {
  if (test === NO_TEXT) return FALSE;
  return (r) => {
    const v = r[key];
    if (typeof v === 'string') return test(v);
    if (typeof v === 'number') return test(text(v));
    if (!Array.isArray(v)) return false;
    for (let i = 0; i < v.length; i++) {
      const x = v[i]!;
      if (test(typeof x === 'number' ? text(x) : x)) return true;
    }
    return false;
  };
}

/** `key!=…`: true when some value of the field fails the test; a missing field never (§1.4). */
function someValueFails(key: string, test: TextTest): Predicate {
  return (r) => {
    const v = r[key];
    if (typeof v === 'string') return !test(v);
    if (typeof v === 'number') return !test(text(v));
    if (!Array.isArray(v)) return false;
    for (let i = 0; i < v.length; i++) {
      const x = v[i]!;
      if (!test(typeof x === 'number' ? text(x) : x)) return true;
    }
    return false;
  };
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

/** Deeper expressions than this match nothing (a guard against hostile nesting). */
const MAX_DEPTH = 1000;

/**
 * Compiles a search expression (undefined = everything matches). Nested ANDs and ORs are
 * flattened (also through subsearches, which stand for their results), and an OR's `f=…` and
 * `f IN (…)` terms on one row key become one test of that field (an IN list is an OR of `f=v`,
 * §1.3; OR's terms have no side effects, so their order is free).
 */
export function compileSearch(expr: SearchExpr | undefined, options: CompileSearchOptions = {}): Predicate {
  if (!expr) return TRUE;
  if (options.subsearch)
    return compileWithSubsearches(
      expr,
      options as Required<Pick<CompileSearchOptions, 'subsearch'>> & CompileSearchOptions,
    );
  return compileExpr(expr, options);
}

/**
 * Predicates compiled with subsearch results, by expression: the field-key function, the
 * expressions its subsearches stood for, and the predicate. A plan opened again at the same
 * `now` hands out the same result rows (push.ts keeps them), whose expressions `subsearchExpr`
 * remembers, so the predicate is the same and is reused (`dac scan` opens a run per detection
 * and log; a where-clause with an inputlookup subsearch compiled ~90 times per corpus scan).
 */
const withSubsearches = new WeakMap<
  SearchExpr,
  { fieldKey: CompileSearchOptions['fieldKey']; results: readonly SearchExpr[]; predicate: Predicate }[]
>();
/** Entries kept per expression (runs at other `now`s, other field keys). */
const WITH_SUBSEARCHES_PER_EXPR = 4;
/** Expressions nested deeper than this compile plainly (subsearches met in the compile's own order). */
const REMEMBERED_DEPTH = 100;

function compileWithSubsearches(
  expr: SearchExpr,
  options: CompileSearchOptions & Required<Pick<CompileSearchOptions, 'subsearch'>>,
): Predicate {
  if (depthOf(expr, 0) > REMEMBERED_DEPTH) return compileExpr(expr, options);
  // Each subsearch asked once, in text order, as the compile would ask (it may warn).
  const nodes = subsearchesOf(expr);
  const results = nodes.map((n) => options.subsearch(n));
  // A result that holds subsearches itself (a `search` field's text) is compiled plainly.
  if (results.some((r) => depthOf(r, 0) > REMEMBERED_DEPTH || subsearchesOf(r).length > 0)) {
    const resolved = new Map(nodes.map((n, i) => [n, results[i]!] as const));
    return compileExpr(expr, { ...options, subsearch: (n) => resolved.get(n) ?? options.subsearch(n) });
  }
  const entries = withSubsearches.get(expr) ?? [];
  const known = entries.find(
    (e) =>
      e.fieldKey === options.fieldKey &&
      e.results.length === results.length &&
      e.results.every((r, i) => r === results[i]),
  );
  if (known) return known.predicate;
  const resolved = new Map(nodes.map((n, i) => [n, results[i]!] as const));
  const predicate = compileExpr(expr, { fieldKey: options.fieldKey, subsearch: (n) => resolved.get(n)! });
  if (entries.length >= WITH_SUBSEARCHES_PER_EXPR) entries.shift();
  entries.push({ fieldKey: options.fieldKey, results, predicate });
  withSubsearches.set(expr, entries);
  return predicate;
}

/** The nesting depth of an expression's and/or/not nodes (stops counting past REMEMBERED_DEPTH). */
function depthOf(e: SearchExpr, d: number): number {
  if (d > REMEMBERED_DEPTH) return d;
  if (e.kind === 'and' || e.kind === 'or') {
    let max = d;
    for (const a of e.args) max = Math.max(max, depthOf(a, d + 1));
    return max;
  }
  if (e.kind === 'not') return depthOf(e.arg, d + 1);
  return d;
}

/** `compileSearch` itself: the expression compiled, subsearches asked for as they are met. */
function compileExpr(expr: SearchExpr, options: CompileSearchOptions): Predicate {
  const key = options.fieldKey ?? ((f: string) => f);
  /** The operands of nested `kind` nodes, each with its depth. */
  const operands = (e: SearchExpr & { args: SearchExpr[] }, depth: number): [SearchExpr, number][] => {
    const out: [SearchExpr, number][] = [];
    const walk = (x: SearchExpr, d: number): void => {
      if (d <= MAX_DEPTH && x.kind === 'subsearch' && options.subsearch) walk(options.subsearch(x), d + 1);
      else if (d <= MAX_DEPTH && x.kind === e.kind) for (const a of (x as typeof e).args) walk(a, d + 1);
      else out.push([x, d]);
    };
    for (const a of e.args) walk(a, depth + 1);
    return out;
  };
  const rec = (e: SearchExpr, depth: number): Predicate => {
    if (depth > MAX_DEPTH) return FALSE;
    switch (e.kind) {
      case 'and': {
        const ps = operands(e, depth).map(([a, d]) => rec(a, d));
        if (ps.length === 1) return ps[0]!;
        if (ps.length === 2) {
          const [a, b] = ps as [Predicate, Predicate];
          return (r) => a(r) && b(r);
        }
        return (r) => {
          for (let i = 0; i < ps.length; i++) if (!ps[i]!(r)) return false;
          return true;
        };
      }
      case 'or': {
        // Equality terms gathered by row key, at the place of the key's first term.
        const byKey = new Map<string, Literal[]>();
        const slots: (Predicate | string)[] = [];
        for (const [a, d] of operands(e, depth)) {
          const equality =
            d <= MAX_DEPTH && ((a.kind === 'compare' && a.op === '=' && !isTimeModifier(a.field)) || a.kind === 'in');
          if (!equality) {
            slots.push(rec(a, d));
            continue;
          }
          const literals = a.kind === 'in' ? a.values : [a.value];
          const k = key(a.field);
          const known = byKey.get(k);
          if (known) known.push(...literals);
          else {
            byKey.set(k, [...literals]);
            slots.push(k);
          }
        }
        const ps = slots.map((s) =>
          typeof s === 'string' ? anyValuePasses(s, sharedLiteralsTest(s, byKey.get(s)!)) : s,
        );
        if (ps.length === 0) return FALSE;
        if (ps.length === 1) return ps[0]!;
        if (ps.length === 2) {
          const [a, b] = ps as [Predicate, Predicate];
          return (r) => a(r) || b(r);
        }
        return (r) => {
          for (let i = 0; i < ps.length; i++) if (ps[i]!(r)) return true;
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
        if (e.op === '=') return anyValuePasses(k, sharedLiteralsTest(k, [e.value]));
        if (e.op === '!=') return someValueFails(k, sharedLiteralsTest(k, [e.value]));
        const op = e.op;
        const lit = e.value;
        // `<` … on a multivalue field: any value (§1.8), each compared as text or number (§1.7).
        return (r) => {
          const v = get(r, k);
          if (v === undefined) return false;
          if (!Array.isArray(v)) return compareValues(text(v), op, lit);
          for (let i = 0; i < v.length; i++) if (compareValues(text(v[i]!), op, lit)) return true;
          return false;
        };
      }
      case 'in': {
        const k = key(e.field);
        return anyValuePasses(k, sharedLiteralsTest(k, e.values));
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
  let known = exprsByResults.get(rows);
  if (!known) exprsByResults.set(rows, (known = subsearchExprOf(rows)));
  return known;
}

/**
 * `subsearchExpr` by the result rows: a subsearch's results never change once it has run (the
 * commands that use them only read them: `Runtime.results`), and a plan opened again at the same
 * `now` reuses them (push.ts), so their search text is formatted and parsed once, and
 * `compileSearch` can tell the same results by the expression's identity.
 */
const exprsByResults = new WeakMap<readonly Row[], { expr: SearchExpr; problem?: string }>();

function subsearchExprOf(rows: readonly Row[]): { expr: SearchExpr; problem?: string } {
  const textForm = formatResults(rows);
  if (textForm === 'NOT ()') return { expr: NOTHING };
  const p = parsePipeline(`search ${textForm}`);
  const err = p.diagnostics.find((d) => d.severity === 'error');
  if (err) return { expr: NOTHING, problem: `subsearch results do not form a search: ${err.message}` };
  const c = p.pipeline.commands[0];
  return { expr: c?.kind === 'search' && c.expr ? c.expr : EVERYTHING };
}
