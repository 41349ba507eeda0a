/**
 * Compiles a search-language expression (eventtype searches, data-model constraints) into a
 * closure over one event, with the semantics of @dac/spl's reference interpreter `evaluateSearch`
 * (case-insensitive values, `*` wildcards, a missing field matching nothing, multivalue "any").
 *
 * Two things make it fast enough to run ~100 eventtype searches per event:
 * - partial evaluation: the fields that are fixed for a whole input stream (`source`,
 *   `sourcetype`, `index`, `host`) are substituted at compile time, so
 *   `source=XmlWinEventLog:Security (EventCode=4624 OR …)` becomes just the EventCode test, and
 *   searches for other sourcetypes become the constant false and are dropped;
 * - `field=value` without wildcards compares one lower-cased string (no pattern machinery).
 * Everything else calls the interpreter's own primitives (`compareValues`, `matchesValue`,
 * `termMatches`), so the semantics cannot drift; search-compile.test.ts checks the closures
 * against `evaluateSearch` on generated expressions and events.
 */
import {
  compareValues,
  evaluateSearch,
  isTimeModifier,
  matchesValue,
  termMatches,
  type FieldValue,
  type Literal,
  type SearchExpr,
} from '@dac/spl';

export type SearchEvent = Record<string, FieldValue>;
export type CompiledSearch = (ev: SearchEvent) => boolean;

/** A simplified expression: a constant, or what is left to test per event. */
type Partial = { kind: 'const'; value: boolean } | { kind: 'expr'; expr: SearchExpr };

const TRUE: Partial = { kind: 'const', value: true };
const FALSE: Partial = { kind: 'const', value: false };

function get(ev: SearchEvent, key: string): FieldValue {
  return Object.hasOwn(ev, key) ? ev[key] : undefined;
}

/**
 * Substitutes the known fields. `eventtype` references are resolved through `eventtypeValue`
 * when given (an eventtype that is constant for the stream becomes a constant).
 */
export function partiallyEvaluate(
  expr: SearchExpr,
  known: Readonly<Record<string, FieldValue>>,
  eventtypeValue?: (name: string) => boolean | undefined,
): Partial {
  switch (expr.kind) {
    case 'and':
    case 'or': {
      const isAnd = expr.kind === 'and';
      const rest: SearchExpr[] = [];
      for (const a of expr.args) {
        const p = partiallyEvaluate(a, known, eventtypeValue);
        if (p.kind === 'const') {
          if (p.value !== isAnd) return p; // false in AND, true in OR decides
          continue;
        }
        rest.push(p.expr);
      }
      if (rest.length === 0) return isAnd ? TRUE : FALSE;
      if (rest.length === 1) return { kind: 'expr', expr: rest[0] };
      return { kind: 'expr', expr: { ...expr, args: rest } };
    }
    case 'not': {
      const p = partiallyEvaluate(expr.arg, known, eventtypeValue);
      if (p.kind === 'const') return p.value ? FALSE : TRUE;
      return { kind: 'expr', expr: { ...expr, arg: p.expr } };
    }
    case 'compare':
    case 'in': {
      if (expr.field === 'eventtype' && eventtypeValue && expr.kind === 'compare' && expr.op === '=') {
        const v = expr.value.value;
        if (v.indexOf('*') < 0) {
          const r = eventtypeValue(v);
          if (r !== undefined) return r ? TRUE : FALSE;
        }
      }
      if (!Object.hasOwn(known, expr.field)) return { kind: 'expr', expr };
      const ev = { [expr.field]: known[expr.field] } as SearchEvent;
      return evaluateSearch(expr, ev) ? TRUE : FALSE;
    }
    default:
      return { kind: 'expr', expr };
  }
}

function literalEquals(field: string, lit: Literal): CompiledSearch | undefined {
  if (lit.caseSensitive || lit.value.indexOf('*') >= 0) return undefined;
  const want = lit.value.toLowerCase();
  return (ev) => {
    const v = get(ev, field);
    if (typeof v === 'string') return v === lit.value || v.toLowerCase() === want;
    if (v === undefined || v === null) return false;
    if (Array.isArray(v)) {
      // `tag=process` over a multivalue `tag`: `matchesValue` per value is a whole-value
      // case-insensitive match of a wildcard-free pattern, i.e. this comparison, without the
      // pattern object and the pattern's lower-casing per value (data-set constraints run it
      // for every data set on every event).
      for (let i = 0; i < v.length; i++) {
        const x = v[i];
        if (x === undefined || x === null) continue;
        const s = typeof x === 'string' ? x : String(x);
        if (s === lit.value || s.toLowerCase() === want) return true;
      }
      return false;
    }
    return matchesValue(v, lit);
  };
}

/** Compiles an expression (already partially evaluated or not). */
export function compileSearchExpr(expr: SearchExpr): CompiledSearch {
  switch (expr.kind) {
    case 'and': {
      const fs = expr.args.map(compileSearchExpr);
      if (fs.length === 2) {
        const [a, b] = fs;
        return (ev) => a(ev) && b(ev);
      }
      return (ev) => {
        for (const f of fs) if (!f(ev)) return false;
        return true;
      };
    }
    case 'or': {
      const fs = expr.args.map(compileSearchExpr);
      const any: CompiledSearch = (ev) => {
        for (const f of fs) if (f(ev)) return true;
        return false;
      };
      // `error OR failure OR fatal`: one case-insensitive scan of _raw rejects the events that
      // contain none of the terms (each term's own test starts with that scan for its term).
      const terms = expr.args.map((a) => (a.kind === 'term' ? plainTerm(a.value) : undefined));
      if (terms.length < 2 || !terms.every((t) => t !== undefined)) return any;
      const pre = new RegExp(terms.map(escapeRegex).join('|'), 'iu');
      return (ev) => {
        const raw = get(ev, '_raw');
        if (typeof raw === 'string' && !pre.test(raw)) return false;
        return any(ev);
      };
    }
    case 'not': {
      const f = compileSearchExpr(expr.arg);
      return (ev) => !f(ev);
    }
    case 'compare': {
      if (isTimeModifier(expr.field)) return () => true;
      if (expr.op === '=') {
        const fast = literalEquals(expr.field, expr.value);
        if (fast) return fast;
      }
      const { field, op, value } = expr;
      // Time modifiers and the rest: the interpreter decides (it knows TIME_MODIFIERS).
      if (op !== '=' && op !== '!=') return (ev) => evaluateSearch(expr, ev);
      return (ev) => compareValues(get(ev, field), op, value);
    }
    case 'in': {
      const { field, values } = expr;
      const fast = values.map((v) => literalEquals(field, v));
      if (fast.every((f) => f !== undefined)) {
        const lowered = new Set(values.map((v) => v.value.toLowerCase()));
        return (ev) => {
          const v = get(ev, field);
          if (typeof v === 'string') return lowered.has(v.toLowerCase());
          return values.some((x) => matchesValue(v, x));
        };
      }
      return (ev) => {
        const v = get(ev, field);
        return values.some((x) => matchesValue(v, x));
      };
    }
    case 'term': {
      const { value } = expr;
      if (/^\*+$/.test(value.value)) return () => true;
      const t = plainTerm(value);
      if (t === undefined) return (ev) => termMatches(get(ev, '_raw'), value.value, value.caseSensitive === true);
      // A case-insensitive regex rejects most events without lower-casing their text.
      const pre = new RegExp(escapeRegex(t), 'iu');
      return (ev) => {
        const raw = get(ev, '_raw');
        if (typeof raw !== 'string') return termMatches(raw, value.value, false);
        if (!pre.test(raw)) return false;
        return termIn(lowerRaw(raw), t);
      };
    }
    default:
      return (ev) => evaluateSearch(expr, ev);
  }
}

/** A bare term compiled to a lower-cased text test: case-insensitive, no wildcard, not empty. */
function plainTerm(value: Literal): string | undefined {
  const t = value.value.toLowerCase();
  return value.caseSensitive || t === '' || t.indexOf('*') >= 0 ? undefined : t;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// One-entry memo: the bare terms of one eventtype search (`error OR failure OR …`) all scan the
// same event text, lower-cased once.
let lastRaw: string | undefined;
let lastLower = '';
function lowerRaw(raw: string): string {
  if (raw !== lastRaw) {
    lastRaw = raw;
    lastLower = raw.toLowerCase();
  }
  return lastLower;
}

/** Splunk's default major and minor breakers (as @dac/spl termMatches). */
const BREAKERS = new Set([...' \t\n\r[]<>(){}|!;,\'"*&?+/:=@.-$#%\\_']);

/** `termMatches` for a lower-cased text and term without wildcards (same algorithm). */
function termIn(text: string, t: string): boolean {
  for (let at = text.indexOf(t); at >= 0 && at < text.length; at = text.indexOf(t, at + 1)) {
    const before = at === 0 || BREAKERS.has(text[at - 1]) || BREAKERS.has(t[0]);
    const after = at + t.length === text.length || BREAKERS.has(text[at + t.length]) || BREAKERS.has(t[t.length - 1]);
    if (before && after) return true;
  }
  return false;
}

/** The fields an expression reads (`_raw` for bare terms). */
export function searchReads(expr: SearchExpr, out: Set<string> = new Set()): Set<string> {
  switch (expr.kind) {
    case 'and':
    case 'or':
      for (const a of expr.args) searchReads(a, out);
      break;
    case 'not':
      searchReads(expr.arg, out);
      break;
    case 'compare':
    case 'in':
      out.add(expr.field);
      break;
    case 'term':
      out.add('_raw');
      break;
    default:
      break;
  }
  return out;
}

/** `Partial` → closure (constants become constant closures). */
export function compilePartial(p: Partial): CompiledSearch | boolean {
  return p.kind === 'const' ? p.value : compileSearchExpr(p.expr);
}
