/**
 * Prints a search-language expression back to SPL that parses to an equivalent expression:
 * values and odd field names are double-quoted with Splunk's escapes (`\\`, `\"`), and
 * parentheses are written only where Splunk's precedence (NOT > OR > AND, splunk-semantics.md
 * §1.5) needs them — so `a AND (b OR c)` prints as `a b OR c`.
 */
import type { Literal, SearchExpr } from './ast.js';

/** Quotes a value for SPL: `*` stays a wildcard, `\` and `"` are escaped. */
export function quoteSplValue(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

const SAFE_FIELD = /^[A-Za-z_][A-Za-z0-9_.:{}@-]*$/;
const KEYWORDS = new Set(['AND', 'OR', 'NOT', 'IN']);

function field(name: string): string {
  return SAFE_FIELD.test(name) && !KEYWORDS.has(name) ? name : quoteSplValue(name);
}

function value(l: Literal): string {
  const q = quoteSplValue(l.value);
  if (l.caseSensitive) return `CASE(${q})`;
  if (l.term) return `TERM(${q})`;
  return q;
}

/** Binding strength: higher binds tighter. */
function level(e: SearchExpr): number {
  switch (e.kind) {
    case 'and':
      return 1;
    case 'or':
      return 2;
    case 'not':
      return 3;
    default:
      return 4;
  }
}

function wrap(e: SearchExpr, min: number): string {
  const s = formatSearchExpr(e);
  return level(e) < min ? `(${s})` : s;
}

export function formatSearchExpr(e: SearchExpr): string {
  switch (e.kind) {
    case 'and':
      // An AND nested directly in an AND needs no parentheses; an OR neither (OR binds tighter).
      return e.args.map((a) => wrap(a, 1)).join(' ');
    case 'or':
      return e.args.map((a) => wrap(a, 2)).join(' OR ');
    case 'not':
      return `NOT ${wrap(e.arg, 3)}`;
    case 'compare':
      return `${field(e.field)}${e.op}${value(e.value)}`;
    case 'in':
      return `${field(e.field)} IN (${e.values.map(value).join(', ')})`;
    case 'term':
      return value(e.value);
    case 'subsearch':
      return '[search *]';
  }
}
