/**
 * The reference interpreter of search-language matching (the `search` command, the implied base
 * search and tstats WHERE), following splunk-semantics.md §1:
 * - values compare case-insensitively (§1.1) unless written `CASE(…)`; field names are
 *   case-sensitive (the event key is looked up exactly);
 * - `*` is a wildcard anywhere in a value, also inside quotes, and cannot be escaped (§1.2);
 *   matching is against the whole value;
 * - `f IN (…)` is an OR of `f=v` with wildcards (§1.3);
 * - a missing field never satisfies `=` or `!=` (§1.4), so `f!=v` is false when f is missing while
 *   `NOT f=v` is true;
 * - `=`/`!=` compare strings (`1` does not match `1.0`); `<` `>` `<=` `>=` compare numerically
 *   when both sides are numbers, else lexicographically in UTF-8 byte order (§1.7);
 * - a multivalue field matches when any value matches (§1.8, [unverified]); `!=` on a multivalue
 *   field is true when some value differs.
 */
import type { CompareOp, Literal, SearchExpr } from './ast.js';

export type FieldValue = string | number | string[] | null | undefined;

/**
 * `=` and `!=` compare as strings (splunk-semantics.md §1.7: "`1` does not match `1.0`"). The
 * issue text says "numeric comparison when both sides are numbers"; that holds for the ordering
 * operators. Flip this to make `=` numeric when both sides are numbers.
 */
export const NUMERIC_EQUALITY = false;

function isMissing(v: FieldValue): v is null | undefined {
  return v === null || v === undefined || (Array.isArray(v) && v.length === 0);
}

const NUMBER_RE = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** The number a value spells, or undefined (leading/trailing whitespace is not a number). */
export function asNumber(v: string | number): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (!NUMBER_RE.test(v)) return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

/**
 * The pieces between the `*`s of each wildcard pattern met so far. Patterns come from search
 * plans and data-model constraints (a few hundred per content tree) while matches run per event
 * and field (~1M per corpus scan), so each is split once instead of per match. Emptied when it
 * grows past the limit (a pattern is split again, with the same result).
 */
const wildcardPieces = new Map<string, readonly string[]>();
const WILDCARD_PIECES_LIMIT = 10_000;

function piecesOf(pattern: string): readonly string[] {
  let parts = wildcardPieces.get(pattern);
  if (parts === undefined) {
    if (wildcardPieces.size >= WILDCARD_PIECES_LIMIT) wildcardPieces.clear();
    wildcardPieces.set(pattern, (parts = pattern.split('*')));
  }
  return parts;
}

/**
 * Whole-value wildcard match: `*` matches any run of characters. Linear-time greedy matching
 * (the last `*` is the only backtrack point), so hostile patterns cannot blow up.
 */
export function wildcardMatch(value: string, pattern: string): boolean {
  if (pattern.indexOf('*') < 0) return value === pattern;
  const parts = piecesOf(pattern);
  const first = parts[0]!;
  const last = parts[parts.length - 1]!;
  if (value.length < first.length + last.length) return false;
  if (!value.startsWith(first) || !value.endsWith(last)) return false;
  let pos = first.length;
  const limit = value.length - last.length;
  for (let k = 1; k < parts.length - 1; k++) {
    const part = parts[k]!;
    if (part === '') continue;
    const at = value.indexOf(part, pos);
    if (at < 0 || at + part.length > limit) return false;
    pos = at + part.length;
  }
  return true;
}

/**
 * Lower-cased patterns by their text (patterns are few and asked about per event; bounded like
 * `wildcardPieces`).
 */
const foldedPatterns = new Map<string, string>();

function foldedPattern(pattern: string): string {
  let folded = foldedPatterns.get(pattern);
  if (folded === undefined) {
    if (foldedPatterns.size >= WILDCARD_PIECES_LIMIT) foldedPatterns.clear();
    foldedPatterns.set(pattern, (folded = pattern.toLowerCase()));
  }
  return folded;
}

/**
 * The value last lower-cased and its folded form: one event's value is usually tested against
 * several patterns in a row (a data set's constraints, an OR of terms), so it is folded once.
 * A hit is one string comparison (mostly of the same string object).
 */
let lastValue = '';
let lastFolded = '';

function foldedValue(value: string): string {
  if (value !== lastValue) {
    lastValue = value;
    lastFolded = lowerCased(value);
  }
  return lastFolded;
}

/**
 * `value.toLowerCase()`, without a new string when nothing changes: among ASCII characters only
 * A-Z change, so a value of other ASCII characters is its own lower case (tags, paths already in
 * lower case: most values); anything else goes through `toLowerCase` itself.
 */
export function lowerCased(value: string): string {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c > 0x7f || (c >= 0x41 && c <= 0x5a)) return value.toLowerCase();
  }
  return value;
}

/**
 * A copy of `s` that holds no other string alive, for keys and values a long-lived memo keeps.
 * V8 makes a substring of 13 or more characters a "sliced" string that points into its parent:
 * a field value cut from a 64 KB `_raw` keeps all 64 KB alive for as long as a memo holds it, so
 * a memo bounded by entries would not be bounded in bytes. Concatenating makes a new (cons)
 * string and slicing that flattens it into a string of its own: the result's parent is the
 * one-character-longer copy, not the event text. Shorter strings are never slices.
 */
export function detachedString(s: string): string {
  return s.length < 13 ? s : ` ${s}`.slice(1);
}

/** `actual` against a pattern, which is lower-cased already unless the match is case-sensitive. */
function scalarMatches(actual: string | number, pattern: string, caseSensitive: boolean): boolean {
  if (NUMERIC_EQUALITY && pattern.indexOf('*') < 0) {
    const a = asNumber(actual);
    const b = asNumber(pattern);
    if (a !== undefined && b !== undefined) return a === b;
  }
  const s = typeof actual === 'string' ? actual : String(actual);
  return wildcardMatch(caseSensitive ? s : foldedValue(s), pattern);
}

/** A pattern's text as `scalarMatches` takes it (folded unless `CASE(…)`), and its case mode. */
function isCaseSensitive(p: Literal | string): boolean {
  return typeof p !== 'string' && p.caseSensitive === true;
}

function matchText(p: Literal | string, caseSensitive: boolean): string {
  const value = typeof p === 'string' ? p : p.value;
  return caseSensitive ? value : foldedPattern(value);
}

/**
 * Splunk value matching for `field=pattern`: case-insensitive, `*` anywhere (also in quoted
 * values), multivalue = any value matches; a missing field never matches.
 */
export function matchesValue(actual: FieldValue, pattern: Literal | string): boolean {
  if (isMissing(actual)) return false;
  const cs = isCaseSensitive(pattern);
  const p = matchText(pattern, cs);
  if (!Array.isArray(actual)) return scalarMatches(actual, p, cs);
  for (let i = 0; i < actual.length; i++) {
    const v = actual[i];
    if (v !== null && v !== undefined && scalarMatches(v, p, cs)) return true;
  }
  return false;
}

/** UTF-8 byte order equals Unicode code point order (JS `<` compares UTF-16 units instead). */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs === ys) return x - y;
    // A surrogate (code point ≥ U+10000) sorts after every BMP code unit.
    return xs ? 1 : -1;
  }
  return a.length - b.length;
}

function ordered(actual: string | number, op: '<' | '<=' | '>' | '>=', expected: string): boolean {
  const a = asNumber(actual);
  const b = asNumber(expected);
  const c = a !== undefined && b !== undefined ? a - b : compareCodePoints(String(actual), expected);
  return holds(c, op);
}

/** Whether `op` holds for a three-way comparison result `c` (negative, zero, positive). */
export function holds(c: number, op: string): boolean {
  switch (op) {
    case '=':
    case '==':
      return c === 0;
    case '!=':
      return c !== 0;
    case '<':
      return c < 0;
    case '<=':
      return c <= 0;
    case '>':
      return c > 0;
    default:
      return c >= 0;
  }
}

/** `field op value` with Splunk's null semantics: a missing field satisfies no operator. */
export function compareValues(actual: FieldValue, op: CompareOp, expected: Literal | string): boolean {
  if (isMissing(actual)) return false;
  if (!Array.isArray(actual)) return compareScalar(actual, op, expected);
  for (let i = 0; i < actual.length; i++) {
    const v = actual[i];
    if (v !== null && v !== undefined && compareScalar(v, op, expected)) return true;
  }
  return false;
}

/** One value of `field op value`: `=`/`!=` match the pattern, the others order (§1.7). */
function compareScalar(v: string | number, op: CompareOp, expected: Literal | string): boolean {
  switch (op) {
    case '=':
    case '!=': {
      const cs = isCaseSensitive(expected);
      const matched = scalarMatches(v, matchText(expected, cs), cs);
      return op === '=' ? matched : !matched;
    }
    default:
      return ordered(v, op, typeof expected === 'string' ? expected : expected.value);
  }
}

/**
 * Evaluates a search-language expression against one event. `fieldName` maps a field as written
 * (e.g. `Processes.process_name`) to the event's key (e.g. `process_name`).
 * - A bare term matches `_raw` case-insensitively, bounded by segmentation breakers
 *   (`termMatches`); `*` alone matches every event.
 * - A subsearch cannot be run locally and is treated as true.
 * - Time modifiers (`earliest=-24h`, see TIME_MODIFIERS) are treated as true.
 */
export function evaluateSearch(
  expr: SearchExpr,
  event: Record<string, FieldValue>,
  fieldName: (written: string) => string = (f) => f,
): boolean {
  switch (expr.kind) {
    case 'and':
      return expr.args.every((a) => evaluateSearch(a, event, fieldName));
    case 'or':
      return expr.args.some((a) => evaluateSearch(a, event, fieldName));
    case 'not':
      return !evaluateSearch(expr.arg, event, fieldName);
    case 'compare':
      if (isTimeModifier(expr.field)) return true;
      return compareValues(lookup(event, fieldName(expr.field)), expr.op, expr.value);
    case 'in': {
      const actual = lookup(event, fieldName(expr.field));
      return expr.values.some((v) => matchesValue(actual, v));
    }
    case 'term': {
      if (/^\*+$/.test(expr.value.value)) return true;
      return termMatches(lookup(event, '_raw'), expr.value.value, expr.value.caseSensitive === true);
    }
    case 'subsearch':
      return true;
    default:
      return false;
  }
}

/**
 * Search-time modifiers written like comparisons (`earliest=-24h`, `starthoursago=168`): they set
 * the search's time range and are not field comparisons, so the interpreter treats them as true
 * (no time filtering locally). Splunk search reference, "Time modifiers".
 */
export const TIME_MODIFIERS: ReadonlySet<string> = new Set([
  'earliest',
  'latest',
  '_index_earliest',
  '_index_latest',
  'starttime',
  'endtime',
  'timeformat',
  'daysago',
  'hoursago',
  'minutesago',
  'monthsago',
  'startdaysago',
  'starthoursago',
  'startminutesago',
  'startmonthsago',
  'enddaysago',
  'endhoursago',
  'endminutesago',
  'endmonthsago',
  'searchtimespandays',
  'searchtimespanhours',
  'searchtimespanminutes',
  'searchtimespanmonths',
]);

/** True for `earliest=…`-style time modifiers (field names are case-sensitive; Splunk's are lowercase). */
export function isTimeModifier(field: string): boolean {
  return TIME_MODIFIERS.has(field);
}

/** Splunk's default major and minor segmentation breakers (segmenters.conf). */
const BREAKERS = new Set([...' \t\n\r[]<>(){}|!;,\'"*&?+/:=@.-$#%\\_']);

/**
 * A bare search term against `_raw`: case-insensitive, `*` wildcards, and — where the term does not
 * start or end with `*` — bounded by segmentation breakers, so `ngrok` matches `run ngrok.exe` but
 * not `myngrokfile` (an approximation of Splunk's indexed-term matching).
 */
export function termMatches(raw: FieldValue, term: string, caseSensitive = false): boolean {
  if (isMissing(raw) || term === '') return false;
  const values = Array.isArray(raw) ? raw : [raw];
  const t = caseSensitive ? term : term.toLowerCase();
  if (t === '') return false;
  if (t.indexOf('*') >= 0) {
    // Inner wildcards: substring semantics around the pattern.
    const p = `${t.startsWith('*') ? '' : '*'}${t}${t.endsWith('*') ? '' : '*'}`;
    return values.some(
      (v) => v !== null && v !== undefined && wildcardMatch(caseSensitive ? String(v) : String(v).toLowerCase(), p),
    );
  }
  return values.some((v) => {
    if (v === null || v === undefined) return false;
    const text = caseSensitive ? String(v) : String(v).toLowerCase();
    for (let at = text.indexOf(t); at >= 0 && at < text.length; at = text.indexOf(t, at + 1)) {
      const before = at === 0 || BREAKERS.has(text[at - 1]) || BREAKERS.has(t[0]);
      const after = at + t.length === text.length || BREAKERS.has(text[at + t.length]) || BREAKERS.has(t[t.length - 1]);
      if (before && after) return true;
    }
    return false;
  });
}

function lookup(event: Record<string, FieldValue>, key: string): FieldValue {
  return Object.hasOwn(event, key) ? event[key] : undefined;
}
