/**
 * Compiles an eval expression (the @dac/spl AST) into a closure, for the add-on calculated fields
 * (`EVAL-x = …` in props.conf) and the CIM data-model Eval calculations that run on every event.
 *
 * Why not call `evaluateEval` (@dac/spl) per event: it is the reference interpreter and walks the
 * tree, re-creates regular expressions and allocates per call (~3 µs for one `replace`); a Sysmon
 * event runs ~40 calculated fields, which would cap extraction far below the 100k events/s the
 * replay needs. The closures below follow the interpreter's semantics exactly (null propagation,
 * three-valued logic, numeric-or-string comparison, multivalue "any" comparison, `\1` back
 * references, `(?i)` flag) and precompile literal regexes once; a differential property test
 * (eval-compile.test.ts) checks them against `evaluateEval` on every expression of the tables.
 *
 * Functions the interpreter has and this compiler does not, or any evaluation error, are never
 * guessed: `compileEval` returns the interpreter as the closure for an expression it cannot
 * compile, and a closure that throws yields null (Splunk leaves a calculated field unset when its
 * expression fails). `nullif`, `mvzip` and `strftime` are compiled here although the interpreter
 * lacks them, because the Windows add-on and the CIM models use them.
 */
import {
  asNumber,
  cidrMatch,
  compareCodePoints,
  detachedString,
  evaluateEval,
  holds,
  likeMatch,
  parsePipeline,
  type EvalExpr,
  type EvalValue,
} from '@dac/spl';

/** The row an expression reads: an event or a data-model row (unqualified field names). */
export type EvalInput = Record<string, string | number | boolean | null | undefined | readonly (string | number)[]>;
export type CompiledEval = (row: EvalInput) => EvalValue;

class CompileUnsupported extends Error {}
class RuntimeFailure extends Error {}

function isNull(v: EvalValue): v is null {
  return v === null || (Array.isArray(v) && v.length === 0);
}

function formatNumber(n: number): string {
  return Number.isInteger(n) ? String(n) : String(Number(n.toPrecision(15)));
}

/** The interpreter's `str`: multivalue joined by a space, numbers in Splunk's form. */
export function evalToString(v: EvalValue): string {
  if (Array.isArray(v)) return v.map(String).join(' ');
  if (typeof v === 'number') return formatNumber(v);
  return String(v);
}

// One-entry memo of the last string parsed as a number: one event compares the same EventCode
// against dozens of literals.
let lastNumText: string | undefined;
let lastNum: number | undefined;

function num(v: EvalValue): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string') {
    if (v === lastNumText) return lastNum;
    lastNumText = v;
    lastNum = asNumber(v.trim());
    return lastNum;
  }
  if (Array.isArray(v) && v.length === 1) return num(v[0]);
  return undefined;
}

function scalars(v: EvalValue): (string | number | boolean)[] {
  if (v === null) return [];
  return Array.isArray(v) ? v : [v];
}

function compareOne(op: string, x: string | number | boolean, y: string | number | boolean): boolean {
  const xn = typeof x === 'boolean' ? undefined : num(x);
  const yn = typeof y === 'boolean' ? undefined : num(y);
  const c = xn !== undefined && yn !== undefined ? xn - yn : compareCodePoints(String(x), String(y));
  return holds(c, op);
}

function compare(op: string, a: EvalValue, b: EvalValue): boolean | null {
  if (isNull(a) || isNull(b)) return null;
  if (!Array.isArray(a) && !Array.isArray(b)) return compareOne(op, a, b);
  const as = scalars(a);
  const bs = scalars(b);
  return as.some((x) => bs.some((y) => compareOne(op, x, y)));
}

function boolOf(v: EvalValue): boolean | null {
  if (v === null || typeof v === 'boolean') return v;
  throw new RuntimeFailure('expected a Boolean expression');
}

/** `(?i)` prefix → flag, as the interpreter does; anything JavaScript rejects is unsupported. */
function makeRegex(p: string, extraFlags = ''): RegExp {
  try {
    return p.startsWith('(?i)') ? new RegExp(p.slice(4), `i${extraFlags}`) : new RegExp(p, extraFlags);
  } catch {
    throw new RuntimeFailure(`regular expression ${JSON.stringify(p)} is not supported`);
  }
}

function fieldValue(row: EvalInput, name: string): EvalValue {
  const v = row[name];
  if (v === undefined || v === null) return null;
  if (Array.isArray(v)) return v.length === 0 ? null : (v as (string | number)[]);
  return v as EvalValue;
}

type C = (row: EvalInput) => EvalValue;

function compileExpr(e: EvalExpr): C {
  switch (e.kind) {
    case 'string': {
      const v = e.value;
      return () => v;
    }
    case 'number': {
      const v = e.value;
      return () => v;
    }
    case 'field': {
      const name = e.name;
      return (row) => {
        // Own properties only: events are prototype-less, rows may not be.
        if (!Object.hasOwn(row, name)) return null;
        return fieldValue(row, name);
      };
    }
    case 'subsearch':
      throw new CompileUnsupported('subsearch');
    case 'unary': {
      const a = compileExpr(e.arg);
      if (e.op === 'NOT')
        return (row) => {
          const v = boolOf(a(row));
          return v === null ? null : !v;
        };
      const neg = e.op === '-';
      return (row) => {
        const n = num(a(row));
        return n === undefined ? null : neg ? -n : n;
      };
    }
    case 'in': {
      const a = compileExpr(e.arg);
      const lits = e.values.map(literalOf);
      if (lits.every((x) => x !== undefined)) {
        // `EventCode IN (4703, 4704, …)`: numbers of the literals computed once.
        const nums = lits.map((x) => (typeof x === 'number' ? x : asNumber(String(x).trim())));
        const strs = lits.map((x) => String(x));
        const numberOf = lastNumberMemo();
        return (row) => {
          const v = a(row);
          if (isNull(v)) return null;
          if (Array.isArray(v)) return lits.some((x) => compare('==', v, x as string | number) === true);
          const xn = numberOf(v);
          const xs = String(v);
          for (let i = 0; i < strs.length; i++) {
            const yn = nums[i];
            if (xn !== undefined && yn !== undefined ? xn === yn : xs === strs[i]) return true;
          }
          return false;
        };
      }
      const vals = e.values.map(compileExpr);
      return (row) => {
        const v = a(row);
        if (isNull(v)) return null;
        // The interpreter evaluates every list value before comparing.
        const xs = vals.map((f) => f(row));
        return xs.some((x) => compare('==', v, x) === true);
      };
    }
    case 'binary':
      return compileBinary(e);
    case 'call':
      return compileCall(e);
  }
}

/** The value of a string or number literal (a constant side of a comparison). */
function literalOf(e: EvalExpr): string | number | undefined {
  return e.kind === 'string' || e.kind === 'number' ? e.value : undefined;
}

function compileBinary(e: Extract<EvalExpr, { kind: 'binary' }>): C {
  const l = compileExpr(e.left);
  const r = compileExpr(e.right);
  switch (e.op) {
    case 'AND':
      return (row) => {
        const a = boolOf(l(row));
        if (a === false) return false;
        const b = boolOf(r(row));
        if (b === false) return false;
        return a === null || b === null ? null : true;
      };
    case 'OR':
      return (row) => {
        const a = boolOf(l(row));
        if (a === true) return true;
        const b = boolOf(r(row));
        if (b === true) return true;
        return a === null || b === null ? null : false;
      };
    case 'XOR':
      return (row) => {
        const a = boolOf(l(row));
        const b = boolOf(r(row));
        return a === null || b === null ? null : a !== b;
      };
    case '=':
    case '==':
    case '!=':
    case '<':
    case '<=':
    case '>':
    case '>=': {
      const op = e.op;
      const lit = literalOf(e.right);
      if (lit !== undefined) {
        // `EventCode==4688`: the literal's number is computed once.
        const yn = typeof lit === 'number' ? (Number.isFinite(lit) ? lit : undefined) : asNumber(lit.trim());
        const ys = String(lit);
        const numberOf = lastNumberMemo();
        return (row) => {
          const a = l(row);
          if (isNull(a)) return null;
          if (Array.isArray(a)) return compare(op, a, lit);
          const xn = numberOf(a);
          const c = xn !== undefined && yn !== undefined ? xn - yn : compareCodePoints(String(a), ys);
          return holds(c, op);
        };
      }
      return (row) => compare(op, l(row), r(row));
    }
    case 'LIKE':
      return (row) => {
        const a = l(row);
        const b = r(row);
        if (isNull(a) || isNull(b)) return null;
        const p = evalToString(b);
        return scalars(a).some((x) => likeMatch(String(x), p));
      };
    case '.':
      return (row) => {
        const a = l(row);
        const b = r(row);
        if (isNull(a) || isNull(b)) return null;
        return evalToString(a) + evalToString(b);
      };
    case '+':
      return (row) => {
        const a = l(row);
        const b = r(row);
        if (isNull(a) || isNull(b)) return null;
        const x = num(a);
        const y = num(b);
        if (x !== undefined && y !== undefined) return x + y;
        return evalToString(a) + evalToString(b);
      };
    default: {
      const op = e.op;
      return (row) => {
        const a = l(row);
        const b = r(row);
        if (isNull(a) || isNull(b)) return null;
        const x = num(a);
        const y = num(b);
        if (x === undefined || y === undefined) return null;
        switch (op) {
          case '-':
            return x - y;
          case '*':
            return x * y;
          case '/':
            return y === 0 ? null : x / y;
          default:
            return y === 0 ? null : x % y;
        }
      };
    }
  }
}

/** A regex argument: compiled once when it is a string literal, else per call (cached by text). */
function regexArg(arg: EvalExpr, extraFlags = ''): (row: EvalInput) => RegExp {
  if (arg.kind === 'string') {
    let re: RegExp | undefined;
    let err: RuntimeFailure | undefined;
    try {
      re = makeRegex(arg.value, extraFlags);
    } catch (e) {
      err = e as RuntimeFailure;
    }
    return () => {
      if (err) throw err;
      return re!;
    };
  }
  const f = compileExpr(arg);
  const cache = new Map<string, RegExp>();
  return (row) => {
    const v = f(row);
    const p = isNull(v) ? '' : evalToString(v);
    let re = cache.get(p);
    if (!re) {
      re = makeRegex(p, extraFlags);
      if (cache.size < 64) cache.set(p, re);
    }
    return re;
  };
}

/** SPL `\1` back references → JavaScript `$1`; a literal `$` stays literal. */
function replacement(s: string): string {
  return s.replace(/\$/g, '$$$$').replace(/\\(\d)/g, '$$$1');
}

function compileCall(e: Extract<EvalExpr, { kind: 'call' }>): C {
  const args = e.args;
  const n = args.length;
  const arity = (min: number, max = min) => {
    // Arity errors are evaluation failures in the interpreter: defer them the same way.
    if (n < min || n > max) throw new CompileUnsupported(`${e.fn}() arity`);
  };
  const a = args.map(compileExpr);
  const str = (i: number, row: EvalInput): string | null => {
    const x = a[i](row);
    return isNull(x) ? null : evalToString(x);
  };
  const numArg = (i: number, row: EvalInput): number | null => {
    const x = a[i](row);
    return isNull(x) ? null : (num(x) ?? null);
  };
  switch (e.fn) {
    case 'if': {
      arity(3);
      const [c, t, f] = a;
      return (row) => (boolOf(c(row)) === true ? t(row) : f(row));
    }
    case 'case': {
      if (n % 2 !== 0) throw new CompileUnsupported('case() pairs');
      return (row) => {
        for (let i = 0; i < n; i += 2) if (boolOf(a[i](row)) === true) return a[i + 1](row);
        return null;
      };
    }
    case 'coalesce':
      return (row) => {
        for (let i = 0; i < n; i++) {
          const x = a[i](row);
          if (!isNull(x)) return x;
        }
        return null;
      };
    case 'isnull':
      arity(1);
      return (row) => isNull(a[0](row));
    case 'isnotnull':
      arity(1);
      return (row) => !isNull(a[0](row));
    case 'isnum':
      arity(1);
      return (row) => {
        const x = a[0](row);
        return !isNull(x) && num(x) !== undefined;
      };
    case 'isstr':
      arity(1);
      return (row) => {
        const x = a[0](row);
        return typeof x === 'string' && num(x) === undefined;
      };
    case 'null':
      arity(0);
      return () => null;
    case 'true':
      arity(0);
      return () => true;
    case 'false':
      arity(0);
      return () => false;
    case 'lower':
    case 'upper': {
      arity(1);
      const up = e.fn === 'upper';
      return (row) => {
        const x = a[0](row);
        if (isNull(x)) return null;
        const f = (y: string | number | boolean) => (up ? String(y).toUpperCase() : String(y).toLowerCase());
        return Array.isArray(x) ? x.map(f) : f(x);
      };
    }
    case 'len':
      arity(1);
      return (row) => {
        const x = str(0, row);
        return x === null ? null : [...x].length;
      };
    case 'match': {
      arity(2);
      const re = regexArg(args[1]);
      return (row) => {
        const x = a[0](row);
        if (isNull(x)) return null;
        const r = re(row);
        if (!Array.isArray(x)) return r.test(String(x));
        return x.some((y) => r.test(String(y)));
      };
    }
    case 'like':
      arity(2);
      return (row) => {
        const x = a[0](row);
        const p = str(1, row);
        if (isNull(x) || p === null) return null;
        return scalars(x).some((y) => likeMatch(String(y), p));
      };
    case 'replace': {
      arity(3);
      const re = regexArg(args[1], 'g');
      const lit = args[2].kind === 'string' ? replacement(args[2].value) : undefined;
      return (row) => {
        const x = str(0, row);
        if (x === null) return null;
        const r = re(row);
        // Evaluated in the interpreter's order: the replacement after the regex.
        const repl = lit ?? replacement(str(2, row) ?? '');
        r.lastIndex = 0;
        return x.replace(r, repl);
      };
    }
    case 'substr':
      arity(2, 3);
      return (row) => {
        const x = str(0, row);
        const start = numArg(1, row);
        if (x === null || start === null) return null;
        const chars = [...x];
        const from = start > 0 ? start - 1 : start < 0 ? Math.max(0, chars.length + start) : 0;
        const len = n === 3 ? numArg(2, row) : null;
        return chars.slice(from, len === null ? undefined : from + Math.max(0, len)).join('');
      };
    case 'trim':
    case 'ltrim':
    case 'rtrim': {
      arity(1, 2);
      const which = e.fn;
      return (row) => {
        const x = str(0, row);
        if (x === null) return null;
        const set = n === 2 ? (str(1, row) ?? '') : ' \t';
        let i = 0;
        let j = x.length;
        if (which !== 'rtrim') while (i < j && set.includes(x[i])) i++;
        if (which !== 'ltrim') while (j > i && set.includes(x[j - 1])) j--;
        return x.slice(i, j);
      };
    }
    case 'split':
      arity(2);
      return (row) => {
        const x = str(0, row);
        const sep = str(1, row);
        if (x === null || sep === null) return null;
        return sep === '' ? [...x] : x.split(sep);
      };
    case 'mvcount':
      arity(1);
      return (row) => {
        const x = a[0](row);
        return isNull(x) ? null : scalars(x).length;
      };
    case 'mvindex':
      arity(2, 3);
      return (row) => {
        const x = a[0](row);
        const i0 = numArg(1, row);
        if (isNull(x) || i0 === null) return null;
        const list = scalars(x).map((y) => (typeof y === 'boolean' ? String(y) : y));
        const idx = (k: number) => (k < 0 ? list.length + k : k);
        const from = idx(i0);
        if (n === 2) return from >= 0 && from < list.length ? list[from] : null;
        const i1 = numArg(2, row);
        if (i1 === null) return null;
        const out = list.slice(Math.max(0, from), idx(i1) + 1);
        return out.length === 0 ? null : out.length === 1 ? out[0] : out;
      };
    case 'mvjoin':
      arity(2);
      return (row) => {
        const x = a[0](row);
        const sep = str(1, row);
        if (isNull(x) || sep === null) return null;
        return scalars(x).map(String).join(sep);
      };
    case 'mvappend':
      return (row) => {
        const out: (string | number)[] = [];
        for (let i = 0; i < n; i++)
          for (const y of scalars(a[i](row))) out.push(typeof y === 'boolean' ? String(y) : y);
        return out.length === 0 ? null : out;
      };
    case 'mvdedup':
      arity(1);
      return (row) => {
        const x = a[0](row);
        if (isNull(x)) return null;
        return [...new Set(scalars(x).map(String))];
      };
    case 'in':
      if (n < 1) throw new CompileUnsupported('in()');
      return (row) => {
        const x = a[0](row);
        if (isNull(x)) return null;
        for (let i = 1; i < n; i++) if (compare('==', x, a[i](row)) === true) return true;
        return false;
      };
    case 'tostring':
      // Only the one-argument form; formats go to the interpreter.
      if (n !== 1) throw new CompileUnsupported('tostring format');
      return (row) => {
        const x = a[0](row);
        if (isNull(x)) return null;
        return typeof x === 'boolean' ? (x ? 'True' : 'False') : evalToString(x);
      };
    case 'tonumber':
      arity(1, 2);
      return (row) => {
        const x = str(0, row);
        if (x === null) return null;
        const base = n === 2 ? numArg(1, row) : 10;
        if (base === 10 || base === null) return asNumber(x.trim()) ?? null;
        const k = Number.parseInt(x.trim().replace(/^0x/i, ''), base);
        return Number.isNaN(k) ? null : k;
      };
    case 'cidrmatch':
      arity(2);
      return (row) => {
        const c = str(0, row);
        const ip = str(1, row);
        if (c === null || ip === null) return null;
        return cidrMatch(c, ip);
      };
    case 'urldecode':
      arity(1);
      return (row) => {
        const x = str(0, row);
        if (x === null) return null;
        try {
          return decodeURIComponent(x.replace(/\+/g, ' '));
        } catch {
          return x;
        }
      };
    // --- functions the reference interpreter does not have (Splunk eval functions) ---
    case 'nullif':
      // nullif(X,Y): X unless X equals Y (Splunk Search Reference, "Comparison and Conditional functions").
      arity(2);
      return (row) => {
        const x = a[0](row);
        const y = a[1](row);
        return compare('==', x, y) === true ? null : x;
      };
    case 'mvzip':
      // mvzip(X,Y[,"delim"]): pairwise join, as many pairs as the shorter list; default delimiter ",".
      arity(2, 3);
      return (row) => {
        const x = a[0](row);
        const y = a[1](row);
        if (isNull(x) || isNull(y)) return null;
        const d = n === 3 ? (str(2, row) ?? ',') : ',';
        const xs = scalars(x);
        const ys = scalars(y);
        const out: string[] = [];
        for (let i = 0; i < Math.min(xs.length, ys.length); i++) out.push(`${String(xs[i])}${d}${String(ys[i])}`);
        return out.length === 1 ? out[0] : out;
      };
    default:
      throw new CompileUnsupported(`${e.fn}()`);
  }
}

/** Wraps a closure so that any runtime failure yields null, as a failing calculated field does. */
function safe(f: C): CompiledEval {
  return (row) => {
    try {
      return f(row);
    } catch {
      return null;
    }
  };
}

/** The reference interpreter as a closure (for expressions the compiler does not handle). */
function interpreted(expr: EvalExpr): CompiledEval {
  return (row) => {
    const r = evaluateEval(expr, row);
    return r.ok ? r.value : null;
  };
}

/** Bound on remembered input combinations per memoized expression. */
const MEMO_ENTRIES = 1024;
/** Longest memo key looked up (longer inputs are only compared with the previous call's). */
const MEMO_KEY_CHARS = 160;

/** One value's part of a memo key: type-tagged and length-prefixed, so no two values or absences collide. */
function keyPart(v: EvalInput[string]): string {
  if (v === undefined) return 'u';
  if (v === null) return 'z';
  if (typeof v === 'string') return `s${v.length}:${v}`;
  if (typeof v === 'number') {
    const n = Object.is(v, -0) ? '-0' : String(v);
    return `n${n.length}:${n}`;
  }
  if (typeof v === 'boolean') return v ? 'T' : 'F';
  let out = `a${v.length}:`;
  for (const x of v) out += typeof x === 'string' ? `s${x.length}:${x}` : keyPart(x);
  return out;
}

/**
 * A value's number (`num`; none for a boolean), remembered for the last value, one per compiled
 * comparison with a literal: consecutive events mostly repeat it (EventCode), and the shared
 * one-entry memo of `num` is overwritten by every other expression in between.
 */
function lastNumberMemo(): (v: string | number | boolean) => number | undefined {
  let last: string | number | boolean | undefined;
  let lastNumber: number | undefined;
  return (v) => {
    if (v !== last) {
      lastNumber = typeof v === 'boolean' ? undefined : num(v);
      last = v;
    }
    return lastNumber;
  };
}

function detachedValue<T>(v: T): T {
  return (typeof v === 'string' ? detachedString(v) : v) as T;
}

/**
 * `fn` remembered by the values of exactly the fields it reads. A compiled expression is a pure
 * function of those values (its closures read the row only through `field` nodes, whose names
 * are `reads`; no clock, no randomness), and the Windows add-on's calculated fields see few
 * distinct inputs per stream (EventCode, Status, SubjectUserName, Image paths repeat): first the
 * previous call's inputs are compared (strings and numbers by value; a multivalue never counts
 * as the same, since arrays can change in place), then a bounded map by the inputs' key. A
 * remembered result is handed to every caller that meets the same inputs, multivalue arrays
 * included: callers copy what they store (assignEval, the data-model `assign`) and must not
 * change it in place.
 */
export function memoizeEval(fn: CompiledEval, reads: readonly string[]): CompiledEval {
  const n = reads.length;
  const last: EvalInput[string][] = new Array(n);
  let lastResult: EvalValue = null;
  let hasLast = false;
  const memo = new Map<string, EvalValue>();
  return (row) => {
    if (hasLast) {
      let same = true;
      for (let i = 0; i < n; i++) {
        const v = Object.hasOwn(row, reads[i]) ? row[reads[i]] : undefined;
        if (v !== last[i] || Array.isArray(v)) {
          same = false;
          break;
        }
      }
      if (same) return lastResult;
    }
    let key = '';
    for (let i = 0; i < n; i++) {
      const v = Object.hasOwn(row, reads[i]) ? row[reads[i]] : undefined;
      last[i] = v;
      key += keyPart(v);
    }
    // Hashing a long key (a command line) costs about what evaluating does: those are evaluated.
    let r = key.length <= MEMO_KEY_CHARS ? memo.get(key) : undefined;
    if (r === undefined) {
      r = fn(row);
      if (memo.size < MEMO_ENTRIES && key.length <= MEMO_KEY_CHARS) {
        // Detached: a result cut from a long input (`substr`, `replace` of a command line) would
        // keep that input — often the event text itself — alive for as long as the memo holds it.
        r = typeof r === 'string' ? detachedString(r) : Array.isArray(r) ? r.map(detachedValue) : r;
        memo.set(key, r);
      }
    }
    lastResult = r;
    hasLast = true;
    return r;
  };
}

/**
 * The field values one stream's EVAL steps read, observed once per EVAL phase (one snapshot of
 * one event: props.conf EVALs all read the event as it was before the first of them) and
 * versioned: a slot's version changes whenever its value differs from the one observed before
 * (a multivalue, NaN or 0 always counts as changed: arrays can change in place, and `===`
 * cannot tell NaN from itself or -0 from 0). An expression whose read slots all have the
 * versions of its previous call has the inputs of that call, so its result is that call's.
 *
 * What it replaces per expression and event (memoizeEval's check): two lookups per read field
 * in the event and a string comparison per value. A Security event runs ~30 calculated fields
 * over ~25 distinct fields: each field is now looked up and compared once per event, and each
 * expression compares small integers.
 */
export class EvalInputs {
  private readonly slotOf = new Map<string, number>();
  private readonly fields: string[] = [];
  /** The value observed last, by slot. */
  private readonly values: EvalInput[string][] = [];
  private readonly versions: number[] = [];
  /** The phase each slot was last observed in. */
  private readonly observedIn: number[] = [];
  private phase = 0;
  private counter = 0;

  /** The slot of a field (registered when the steps are compiled). */
  slot(field: string): number {
    let s = this.slotOf.get(field);
    if (s === undefined) {
      s = this.fields.length;
      this.slotOf.set(field, s);
      this.fields.push(field);
      this.values.push(undefined);
      this.versions.push(0);
      this.observedIn.push(0);
    }
    return s;
  }

  /** Starts a new snapshot: the next observations read the event as it is now. */
  begin(): void {
    this.phase++;
  }

  /** The version of the slot's value in `row` (the snapshot of the current phase). */
  version(row: EvalInput, slot: number): number {
    if (this.observedIn[slot] !== this.phase) {
      this.observedIn[slot] = this.phase;
      const f = this.fields[slot];
      const v = Object.hasOwn(row, f) ? row[f] : undefined;
      // NaN is never `===` the previous value: it takes the first branch as well.
      if (v !== this.values[slot] || v === 0 || typeof v === 'object') {
        this.values[slot] = v;
        this.versions[slot] = ++this.counter;
      }
    }
    return this.versions[slot];
  }

  /** The value of the slot in the current snapshot (after `version`). */
  value(slot: number): EvalInput[string] {
    return this.values[slot];
  }
}

/**
 * `fn` remembered as memoizeEval does (by the values of exactly the fields it reads, with the
 * same bounded map by key), with the previous-call check done by `inputs`' versions. The
 * caller must call `inputs.begin()` before each snapshot it evaluates against.
 */
export function memoizeEvalIn(inputs: EvalInputs, fn: CompiledEval, reads: readonly string[]): CompiledEval {
  const slots = reads.map((f) => inputs.slot(f));
  const n = slots.length;
  const seen = new Array<number>(n).fill(-1);
  let lastResult: EvalValue = null;
  let hasLast = false;
  const memo = new Map<string, EvalValue>();
  return (row) => {
    let same = hasLast;
    for (let i = 0; i < n; i++) if (inputs.version(row, slots[i]) !== seen[i]) same = false;
    if (same) return lastResult;
    let key = '';
    for (let i = 0; i < n; i++) key += keyPart(inputs.value(slots[i]));
    let r = key.length <= MEMO_KEY_CHARS ? memo.get(key) : undefined;
    if (r === undefined) {
      r = fn(row);
      if (memo.size < MEMO_ENTRIES && key.length <= MEMO_KEY_CHARS) {
        r = typeof r === 'string' ? detachedString(r) : Array.isArray(r) ? r.map(detachedValue) : r;
        memo.set(key, r);
      }
    }
    // Recorded only now: had `fn` thrown, the next call must not take the old result as its own.
    for (let i = 0; i < n; i++) seen[i] = inputs.version(row, slots[i]);
    lastResult = r;
    hasLast = true;
    return r;
  };
}

export interface CompiledEvalInfo {
  fn: CompiledEval;
  /** Fields the expression reads. */
  reads: string[];
  /** `compiled`: closures of this module; `interpreted`: the @dac/spl interpreter. */
  mode: 'compiled' | 'interpreted';
}

/** The fields an expression reads. */
export function evalReads(e: EvalExpr, out: Set<string> = new Set()): Set<string> {
  switch (e.kind) {
    case 'field':
      out.add(e.name);
      break;
    case 'unary':
      evalReads(e.arg, out);
      break;
    case 'binary':
      evalReads(e.left, out);
      evalReads(e.right, out);
      break;
    case 'in':
      evalReads(e.arg, out);
      for (const v of e.values) evalReads(v, out);
      break;
    case 'call':
      for (const v of e.args) evalReads(v, out);
      break;
    default:
      break;
  }
  return out;
}

/** Compiles an already parsed expression. */
export function compileEvalExpr(expr: EvalExpr): CompiledEvalInfo {
  const reads = [...evalReads(expr)];
  try {
    return { fn: safe(compileExpr(expr)), reads, mode: 'compiled' };
  } catch (e) {
    if (e instanceof CompileUnsupported) return { fn: interpreted(expr), reads, mode: 'interpreted' };
    throw e;
  }
}

/** Parses `expr` (eval syntax, e.g. `if(EventCode==4688, a, b)`) and compiles it. */
export function compileEval(expr: string): CompiledEvalInfo | { error: string } {
  const parsed = parseEvalText(expr);
  if ('error' in parsed) return parsed;
  return compileEvalExpr(parsed.expr);
}

/** Parses one eval expression through the SPL parser (`| eval x=<expr>`). */
export function parseEvalText(expr: string): { expr: EvalExpr } | { error: string } {
  const p = parsePipeline(`| eval __dac_value__=${expr}`);
  const err = p.diagnostics.find((d) => d.severity === 'error');
  const cmd = p.pipeline.commands[0];
  if (err || !cmd || cmd.kind !== 'command' || !cmd.assignments || cmd.assignments.length !== 1)
    return { error: `eval expression does not parse: ${err?.message ?? expr}` };
  return { expr: cmd.assignments[0].expr };
}
