/**
 * Runtime helpers the generated matcher modules import (`import { … } from "./runtime.js"`).
 *
 * This module is self-contained on purpose: `dac compile` writes a copy of it next to the
 * generated modules so the output directory type-checks on its own, and the loader hands it to
 * the transpiled modules as their only import. Keep it free of imports.
 *
 * Semantics are those of Splunk's `search` command and tstats WHERE
 * (../shared/reference/splunk-semantics.md §1):
 * - values compare case-insensitively (§1.1); field names are case-sensitive (handled at
 *   generation time: they are property names);
 * - `*` is a wildcard anywhere in a value, also inside quotes, and cannot be escaped (§1.2);
 *   the match covers the whole value;
 * - `f=v` / `f!=v` compare strings (`1` does not match `1.0`, §1.7);
 * - `<`, `<=`, `>`, `>=` compare numerically when both sides are numbers, else
 *   lexicographically in UTF-8 byte order (= code point order), case-sensitively (§1.7);
 * - a missing field (null/undefined/empty multivalue) never satisfies a comparison, so `f!=v` is
 *   false and `NOT f=v` true for it (§1.4);
 * - a multivalue field satisfies `=`/`<`/… when any value does (§1.8), and `!=` when some
 *   value differs from the pattern (§1.8, "true if some value differs").
 */

/** A field value as the generated code receives it. */
export type FieldValue = string | number | boolean | readonly (string | number | boolean)[] | null | undefined;

/**
 * A compiled search value: its lower-cased text and, if it has a `*`, the literal pieces between
 * the stars. Matching a wildcard is a prefix test, a suffix test and leftmost `indexOf` of each
 * middle piece in order, which is exact for `*`-only globs and never backtracks (a RegExp such as
 * `^.*a.*a.*a…b$` would take exponential time on hostile content).
 */
export interface ValuePattern {
  readonly text: string;
  /** `CASE(value)`: compare case-sensitively (splunk-semantics.md §1.1). */
  readonly caseSensitive: boolean;
  /** The text compared against: lower-cased unless case-sensitive. */
  readonly lower: string;
  readonly parts: readonly string[] | undefined;
}

/** A compiled `IN (…)` list: case-insensitive exact values in a set, the others as patterns. */
export interface ValueList {
  readonly exact: ReadonlySet<string>;
  readonly others: readonly ValuePattern[];
}

const patternCache = new Map<string, ValuePattern>();
const PATTERN_CACHE_LIMIT = 50_000;

/**
 * Compiles (and caches) a search value. `*` → any run of characters, including none and
 * newlines. `caseSensitive` is set for values written `CASE(…)`.
 */
export function pattern(text: string, caseSensitive = false): ValuePattern {
  const key = caseSensitive ? `C${text}` : `i${text}`;
  let p = patternCache.get(key);
  if (p) return p;
  const lower = caseSensitive ? text : text.toLowerCase();
  // Runs of `*` collapse: `a**b` is `a*b`.
  const parts = lower.includes('*') ? lower.split(/\*+/) : undefined;
  p = { text, caseSensitive, lower, parts };
  if (patternCache.size >= PATTERN_CACHE_LIMIT) patternCache.clear();
  patternCache.set(key, p);
  return p;
}

/** Compiles an `IN (…)` list: strings are ordinary (case-insensitive) values. */
export function list(values: readonly (string | ValuePattern)[]): ValueList {
  const exact = new Set<string>();
  const others: ValuePattern[] = [];
  for (const v of values) {
    const p = typeof v === 'string' ? pattern(v) : v;
    if (p.parts || p.caseSensitive) others.push(p);
    else exact.add(p.lower);
  }
  return { exact, others };
}

/**
 * A number as search compares it: the text Splunk prints for it — integers plainly, fractions to
 * 15 significant digits without exponent (the search engine's `formatNumber`,
 * OUTPUT_SIGNIFICANT_DIGITS; kept as a copy because this module has no imports). Events read
 * from logs hold strings; numbers come from `_time` and computed fields.
 */
export function numberText(n: number): string {
  if (Number.isInteger(n)) return Math.abs(n) < 1e21 ? String(n) : n.toLocaleString('en-US', { useGrouping: false });
  if (!Number.isFinite(n)) return String(n);
  const r = Number(n.toPrecision(15));
  const s = String(r);
  if (!/e/i.test(s)) return s;
  return r.toFixed(Math.min(100, Math.max(0, 15 - Math.floor(Math.log10(Math.abs(r))) - 1))).replace(/\.?0+$/, '');
}

function scalarText(x: string | number | boolean): string {
  return typeof x === 'string' ? x : typeof x === 'number' ? numberText(x) : String(x);
}

/** The values of a field as strings, or undefined when the field is missing. */
export function valuesOf(v: FieldValue): readonly string[] | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'string') return [v];
  if (typeof v === 'number' || typeof v === 'boolean') return [scalarText(v)];
  // Anything else that is not an array (a function inherited from Object.prototype for a key
  // such as `constructor`, a stray object) is no field value.
  if (!Array.isArray(v)) return undefined;
  const out: string[] = [];
  for (const x of v)
    if (typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean') out.push(scalarText(x));
  return out.length > 0 ? out : undefined;
}

/** Whether a lower-cased value matches the pieces of a wildcard pattern (see ValuePattern). */
export function globMatch(v: string, parts: readonly string[]): boolean {
  const n = parts.length;
  const first = parts[0]!;
  const last = parts[n - 1]!;
  if (v.length < first.length + last.length) return false;
  if (!v.startsWith(first) || !v.endsWith(last)) return false;
  let pos = first.length;
  const end = v.length - last.length;
  for (let i = 1; i < n - 1; i++) {
    const piece = parts[i]!;
    const j = v.indexOf(piece, pos);
    if (j < 0 || j + piece.length > end) return false;
    pos = j + piece.length;
  }
  return true;
}

function matchLower(lower: string, p: ValuePattern): boolean {
  return p.parts ? globMatch(lower, p.parts) : lower === p.lower;
}

function matchOne(value: string, p: ValuePattern): boolean {
  return matchLower(p.caseSensitive ? value : value.toLowerCase(), p);
}

/** `field=value`: true when some value of the field matches (case-insensitive, wildcards). */
export function eq(v: FieldValue, p: ValuePattern): boolean {
  // A single string value (nearly every event field) needs no values array.
  if (typeof v === 'string') return matchOne(v, p);
  const vs = valuesOf(v);
  if (!vs) return false;
  for (const x of vs) if (matchOne(x, p)) return true;
  return false;
}

/** `field!=value`: false when the field is missing; else true when some value does not match. */
export function ne(v: FieldValue, p: ValuePattern): boolean {
  if (typeof v === 'string') return !matchOne(v, p);
  const vs = valuesOf(v);
  if (!vs) return false;
  for (const x of vs) if (!matchOne(x, p)) return true;
  return false;
}

/** `field IN (v1, v2, …)`: an OR of `field=vi` (splunk-semantics.md §1.3). */
export function inList(v: FieldValue, l: ValueList): boolean {
  if (typeof v === 'string') return inListOne(v, l);
  const vs = valuesOf(v);
  if (!vs) return false;
  for (const x of vs) if (inListOne(x, l)) return true;
  return false;
}

function inListOne(x: string, l: ValueList): boolean {
  const lower = x.toLowerCase();
  if (l.exact.has(lower)) return true;
  for (const p of l.others) if (matchLower(p.caseSensitive ? x : lower, p)) return true;
  return false;
}

const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Whether a value is a (finite) number for Splunk's ordering comparisons: decimal, optional sign/exponent. */
export function isNumeric(s: string): boolean {
  return NUMBER.test(s) && Number.isFinite(Number(s));
}

/**
 * Code-point (= UTF-8 byte) order, as Splunk's lexicographic comparison (§1.7): UTF-16 units
 * compare as they are, except that a surrogate (part of a code point ≥ U+10000) sorts after every
 * other unit — the same rule as @dac/spl's compareCodePoints, also for lone surrogates.
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs === ys) return x - y;
    return xs ? 1 : -1;
  }
  return a.length - b.length;
}

/** -1/0/1 ordering of a field value against a literal: numeric when both are numbers. */
export function order(value: string, literal: string): number {
  if (isNumeric(value) && isNumeric(literal)) {
    const d = Number(value) - Number(literal);
    return d < 0 ? -1 : d > 0 ? 1 : 0;
  }
  const c = compareCodePoints(value, literal);
  return c < 0 ? -1 : c > 0 ? 1 : 0;
}

function anyOrder(v: FieldValue, literal: string, ok: (c: number) => boolean): boolean {
  const vs = valuesOf(v);
  if (!vs) return false;
  for (const x of vs) if (ok(order(x, literal))) return true;
  return false;
}

/** `field<value` */
export function lt(v: FieldValue, p: ValuePattern): boolean {
  return anyOrder(v, p.text, (c) => c < 0);
}
/** `field<=value` */
export function le(v: FieldValue, p: ValuePattern): boolean {
  return anyOrder(v, p.text, (c) => c <= 0);
}
/** `field>value` */
export function gt(v: FieldValue, p: ValuePattern): boolean {
  return anyOrder(v, p.text, (c) => c > 0);
}
/** `field>=value` */
export function ge(v: FieldValue, p: ValuePattern): boolean {
  return anyOrder(v, p.text, (c) => c >= 0);
}

/** A BY field of the tstats command: as written and the CimEvent key it reads. */
export interface ByField {
  readonly written: string;
  readonly key: string;
}

/** An aggregate of the tstats command (`count`, `min(_time) as firstTime`, …). */
export interface Aggregate {
  readonly fn: string;
  readonly field?: string;
  readonly as?: string;
}

// ------------------------------------------------------------------------------------------
// Bare search terms (raw-event base searches): `ngrok`, `"bar baz"`, `*lsass*`.

/**
 * Splunk's default major and minor segmentation breakers (segmenters.conf), as @dac/spl's
 * `termMatches` uses them.
 */
const BREAKERS = new Set(Array.from(' \t\n\r[]<>(){}|!;,\'"*&?+/:=@.-$#%\\_'));

/** A compiled bare term: its compared text and, with a `*`, the substring glob around it. */
export interface TermPattern {
  readonly text: string;
  readonly caseSensitive: boolean;
  readonly lower: string;
  /** Pieces of `*t*` (a term with an inner or outer `*` matches as a substring glob). */
  readonly parts: readonly string[] | undefined;
  readonly breakBefore: boolean;
  readonly breakAfter: boolean;
}

/** Compiles a bare term (`caseSensitive` for `CASE(…)`). */
export function term(text: string, caseSensitive = false): TermPattern {
  const lower = caseSensitive ? text : text.toLowerCase();
  let parts: string[] | undefined;
  if (lower.includes('*')) {
    const glob = `${lower.startsWith('*') ? '' : '*'}${lower}${lower.endsWith('*') ? '' : '*'}`;
    parts = glob.split(/\*+/);
  }
  return {
    text,
    caseSensitive,
    lower,
    parts,
    breakBefore: lower.length > 0 && BREAKERS.has(lower[0]!),
    breakAfter: lower.length > 0 && BREAKERS.has(lower[lower.length - 1]!),
  };
}

/**
 * A bare term against `_raw` (splunk-semantics.md §1.1, search docs "keyword search"):
 * case-insensitive unless `CASE(…)`; with `*` a substring glob; else a substring bounded by
 * segmentation breakers on both sides, so `ngrok` matches `run ngrok.exe` but not `myngrokfile`
 * (an approximation of Splunk's indexed-term matching, identical to @dac/spl `termMatches`).
 * A missing `_raw` or an empty term matches nothing.
 */
export function hasTerm(raw: FieldValue, t: TermPattern): boolean {
  if (t.lower === '') return false;
  if (typeof raw === 'string') return termInText(raw, t);
  const vs = valuesOf(raw);
  if (!vs) return false;
  for (const v of vs) if (termInText(v, t)) return true;
  return false;
}

function termInText(v: string, t: TermPattern): boolean {
  const x = t.caseSensitive ? v : v.toLowerCase();
  if (t.parts) return globMatch(x, t.parts);
  const n = t.lower.length;
  for (let at = x.indexOf(t.lower); at >= 0 && at < x.length; at = x.indexOf(t.lower, at + 1)) {
    const before = at === 0 || t.breakBefore || BREAKERS.has(x[at - 1]!);
    const after = at + n === x.length || t.breakAfter || BREAKERS.has(x[at + n]!);
    if (before && after) return true;
  }
  return false;
}
