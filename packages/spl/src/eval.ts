/**
 * A reference interpreter for `eval` and `where` expressions over one result row, for replaying
 * the commands that follow a tstats/stats (`| where count > 5`, `| eval x=if(…)`).
 *
 * Semantics (splunk-semantics.md §1.1, §1.3, §1.5; points marked [unverified] are standard
 * Splunk behaviour that no primary text in the reference confirms):
 * - a missing field is null; comparisons, arithmetic and `.` with a null operand give null;
 *   `where` keeps a row only when the expression is true (null is not true);
 * - AND/OR/XOR/NOT use three-valued logic (null AND false = false, null OR true = true) [unverified];
 * - `=`, `==`, `!=`, `<`, … compare numerically when both sides are numbers (or numeric strings),
 *   else as strings, case-sensitively (§1.1 [unverified]), in code-point order;
 * - `LIKE` / `like()` use `%` (any run) and `_` (one character), case-sensitively; `in()` and
 *   `x IN (…)` compare exactly, without wildcards (§1.3);
 * - `+` adds numbers and concatenates when either side is a non-numeric string; `.` concatenates;
 * - a multivalue field compares true when any value does [unverified].
 * Functions outside the supported list are reported (never guessed).
 */
import { createHash } from 'node:crypto';
import type { EvalAssignment, EvalExpr, Span } from './ast.js';
import { compilePcre } from './regex.js';
import { asNumber, compareCodePoints, holds } from './semantics.js';
import { strftime, strptime } from './time.js';

export type EvalValue = string | number | boolean | null | (string | number)[];
export type EvalRow = Record<string, string | number | boolean | null | undefined | readonly (string | number)[]>;

export type EvalResult = { ok: true; value: EvalValue } | { ok: false; message: string; span: Span };

export interface EvalOptions {
  /** Epoch seconds returned by `now()` and `time()`; without it those functions are unsupported. */
  now?: number;
}

class EvalFailure extends Error {
  constructor(
    message: string,
    readonly span: Span,
  ) {
    super(message);
  }
}

/** Evaluates an eval/where expression over one row. Never throws. */
export function evaluateEval(expr: EvalExpr, row: EvalRow, options: EvalOptions = {}): EvalResult {
  try {
    return { ok: true, value: new Interpreter(row, options).eval(expr, 0) };
  } catch (e) {
    if (e instanceof EvalFailure) return { ok: false, message: e.message, span: e.span };
    return { ok: false, message: `evaluation failed: ${(e as Error).message}`, span: expr.span };
  }
}

/** `where`: true only when the expression evaluates to true. */
export function evaluateWhere(
  expr: EvalExpr,
  row: EvalRow,
  options: EvalOptions = {},
): { ok: true; keep: boolean } | { ok: false; message: string; span: Span } {
  const r = evaluateEval(expr, row, options);
  return r.ok ? { ok: true, keep: truthy(r.value) === true } : r;
}

/**
 * `eval a=…, b=…`: assignments run left to right, each seeing the fields set before it
 * [unverified]; a null result removes the field.
 */
export function applyEvalAssignments(
  assignments: EvalAssignment[],
  row: EvalRow,
  options: EvalOptions = {},
): { ok: true; row: EvalRow } | { ok: false; message: string; span: Span } {
  const out: EvalRow = { ...row };
  for (const a of assignments) {
    const r = evaluateEval(a.expr, out, options);
    if (!r.ok) return r;
    if (r.value === null) delete out[a.field];
    else out[a.field] = Array.isArray(r.value) ? [...r.value] : r.value;
  }
  return { ok: true, row: out };
}

/** Boolean view of a value: booleans as is, null stays null, anything else is an error. */
function truthy(v: EvalValue): boolean | null {
  if (v === null) return null;
  if (typeof v === 'boolean') return v;
  return null;
}

function isNull(v: EvalValue): v is null {
  return v === null || (Array.isArray(v) && v.length === 0);
}

function str(v: EvalValue): string {
  if (Array.isArray(v)) return v.map(String).join(' ');
  if (typeof v === 'number') return formatNumber(v);
  return String(v);
}

function formatNumber(n: number): string {
  return Number.isInteger(n) ? String(n) : String(Number(n.toPrecision(15)));
}

function num(v: EvalValue): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string') return asNumber(v.trim());
  if (Array.isArray(v) && v.length === 1) return num(v[0]);
  return undefined;
}

function scalars(v: EvalValue): (string | number | boolean)[] {
  if (v === null) return [];
  return Array.isArray(v) ? v : [v];
}

/**
 * The number of code points of `s`, as `[...s].length` counts them (a surrogate pair is one, a
 * lone surrogate one) without making the array: `len()` runs per row on command lines of
 * kilobytes (unusually_long_command_line).
 */
export function codePointLength(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length - 1; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

/** SQL LIKE: `%` any run, `_` one character; linear-time (no RegExp backtracking). */
export function likeMatch(value: string, pattern: string): boolean {
  // Dynamic programming over pattern positions: O(|value| · |pattern|) worst case, no blow-up.
  let states = new Set<number>([0]);
  const close = (set: Set<number>) => {
    for (const p of [...set]) {
      let q = p;
      while (q < pattern.length && pattern[q] === '%') set.add(++q);
    }
    return set;
  };
  states = close(states);
  for (const ch of value) {
    const next = new Set<number>();
    for (const p of states) {
      if (p >= pattern.length) continue;
      const pc = pattern[p];
      if (pc === '%') next.add(p);
      else if (pc === '_' || pc === ch) next.add(p + 1);
    }
    states = close(next);
    if (states.size === 0) return false;
  }
  return states.has(pattern.length);
}

function compare(op: string, a: EvalValue, b: EvalValue): boolean | null {
  if (isNull(a) || isNull(b)) return null;
  const as = scalars(a);
  const bs = scalars(b);
  const one = (x: string | number | boolean, y: string | number | boolean): boolean => {
    const xn = typeof x === 'boolean' ? undefined : num(x);
    const yn = typeof y === 'boolean' ? undefined : num(y);
    const c = xn !== undefined && yn !== undefined ? xn - yn : compareCodePoints(String(x), String(y));
    return holds(c, op);
  };
  return as.some((x) => bs.some((y) => one(x, y)));
}

const MAX_EVAL_DEPTH = 200;

/** Functions `evaluateEval` implements (`now`/`time` need `options.now`). */
export const SUPPORTED_EVAL_FUNCTIONS: ReadonlySet<string> = new Set([
  'if',
  'case',
  'coalesce',
  'isnull',
  'isnotnull',
  'isnum',
  'isstr',
  'null',
  'true',
  'false',
  'lower',
  'upper',
  'len',
  'like',
  'match',
  'replace',
  'substr',
  'trim',
  'ltrim',
  'rtrim',
  'split',
  'mvcount',
  'mvindex',
  'mvjoin',
  'mvappend',
  'mvdedup',
  'mvfilter',
  'mvfind',
  'in',
  'tostring',
  'tonumber',
  'round',
  'floor',
  'ceil',
  'ceiling',
  'abs',
  'sqrt',
  'exp',
  'ln',
  'log',
  'pow',
  'min',
  'max',
  'cidrmatch',
  'urldecode',
  'now',
  'time',
  'relative_time',
  'strftime',
  'strptime',
  'md5',
  'sha1',
  'sha256',
  'sha512',
  'json_extract',
  'json_valid',
  'json_keys',
  'spath',
  'printf',
  'exact',
  'mvsort',
  'mvzip',
  'mvmap',
  'mvrange',
  'typeof',
  'isint',
  'nullif',
  'validate',
  'pi',
  'sigfig',
  'commands',
  'searchmatch',
]);

type CallExpr = Extract<EvalExpr, { kind: 'call' }>;

class Interpreter {
  constructor(
    readonly row: EvalRow,
    readonly options: EvalOptions,
  ) {}

  field(name: string): EvalValue {
    if (!Object.hasOwn(this.row, name)) return null;
    const v = this.row[name];
    if (v === undefined || v === null) return null;
    if (Array.isArray(v)) return v.length === 0 ? null : [...v];
    return v as EvalValue;
  }

  bool(e: EvalExpr, d: number): boolean | null {
    const v = this.eval(e, d);
    if (v === null || typeof v === 'boolean') return v;
    throw new EvalFailure(`expected a Boolean expression, got ${JSON.stringify(str(v))}`, e.span);
  }

  eval(e: EvalExpr, d: number): EvalValue {
    if (d > MAX_EVAL_DEPTH) throw new EvalFailure('expression nested too deeply', e.span);
    switch (e.kind) {
      case 'string':
        return e.value;
      case 'number':
        return e.value;
      case 'field':
        return this.field(e.name);
      case 'subsearch':
        throw new EvalFailure('a subsearch cannot be evaluated locally', e.span);
      case 'unary': {
        if (e.op === 'NOT') {
          const v = this.bool(e.arg, d + 1);
          return v === null ? null : !v;
        }
        const n = num(this.eval(e.arg, d + 1));
        return n === undefined ? null : e.op === '-' ? -n : n;
      }
      case 'in': {
        const v = this.eval(e.arg, d + 1);
        if (isNull(v)) return null;
        const vals = e.values.map((x) => this.eval(x, d + 1));
        return vals.some((x) => compare('==', v, x) === true);
      }
      case 'binary':
        return this.binary(e, d);
      case 'call':
        return this.call(e, d);
    }
  }

  binary(e: Extract<EvalExpr, { kind: 'binary' }>, d: number): EvalValue {
    switch (e.op) {
      case 'AND': {
        const l = this.bool(e.left, d + 1);
        if (l === false) return false;
        const r = this.bool(e.right, d + 1);
        if (r === false) return false;
        return l === null || r === null ? null : true;
      }
      case 'OR': {
        const l = this.bool(e.left, d + 1);
        if (l === true) return true;
        const r = this.bool(e.right, d + 1);
        if (r === true) return true;
        return l === null || r === null ? null : false;
      }
      case 'XOR': {
        const l = this.bool(e.left, d + 1);
        const r = this.bool(e.right, d + 1);
        return l === null || r === null ? null : l !== r;
      }
      default:
        break;
    }
    const l = this.eval(e.left, d + 1);
    const r = this.eval(e.right, d + 1);
    switch (e.op) {
      case '=':
      case '==':
      case '!=':
      case '<':
      case '<=':
      case '>':
      case '>=':
        return compare(e.op, l, r);
      case 'LIKE':
        if (isNull(l) || isNull(r)) return null;
        return scalars(l).some((x) => likeMatch(String(x), str(r)));
      case '.':
        if (isNull(l) || isNull(r)) return null;
        return str(l) + str(r);
      case '+': {
        if (isNull(l) || isNull(r)) return null;
        const a = num(l);
        const b = num(r);
        if (a !== undefined && b !== undefined) return a + b;
        return str(l) + str(r);
      }
      default: {
        if (isNull(l) || isNull(r)) return null;
        const a = num(l);
        const b = num(r);
        if (a === undefined || b === undefined) return null;
        switch (e.op) {
          case '-':
            return a - b;
          case '*':
            return a * b;
          case '/':
            return b === 0 ? null : a / b;
          case '%':
            return b === 0 ? null : a % b;
          default:
            throw new EvalFailure(`operator ${e.op} is not supported`, e.span);
        }
      }
    }
  }

  // The arguments of a call, read through methods rather than closures made per call (eval runs
  // per result row; five closures per call were most of what it allocated).
  private arity(e: CallExpr, min: number, max = min): void {
    const args = e.args;
    if (args.length < min || args.length > max) {
      throw new EvalFailure(
        `${e.fn}() takes ${min === max ? min : `${min} to ${max === Infinity ? 'any number of' : max}`} argument${max === 1 ? '' : 's'}, got ${args.length}`,
        e.span,
      );
    }
  }

  private arg(e: CallExpr, d: number, i: number): EvalValue {
    return this.eval(e.args[i], d + 1);
  }

  private argText(e: CallExpr, d: number, i: number): string | null {
    const x = this.arg(e, d, i);
    return isNull(x) ? null : str(x);
  }

  private argNumber(e: CallExpr, d: number, i: number): number | null {
    const x = this.arg(e, d, i);
    return isNull(x) ? null : (num(x) ?? null);
  }

  private argRegex(e: CallExpr, d: number, i: number, flags = ''): RegExp {
    const p = this.argText(e, d, i) ?? '';
    // Splunk's regular expressions are PCRE: translated (and cached) by ./regex.ts.
    const re = compilePcre(p, flags);
    if ('error' in re) throw new EvalFailure(`regular expression ${JSON.stringify(p)}: ${re.error}`, e.args[i].span);
    return re;
  }

  call(e: CallExpr, d: number): EvalValue {
    const args = e.args;
    switch (e.fn) {
      case 'if': {
        this.arity(e, 3);
        return this.bool(args[0], d + 1) === true ? this.arg(e, d, 1) : this.arg(e, d, 2);
      }
      case 'case': {
        if (args.length % 2 !== 0) throw new EvalFailure('case() takes condition/value pairs', e.span);
        for (let i = 0; i < args.length; i += 2) if (this.bool(args[i], d + 1) === true) return this.arg(e, d, i + 1);
        return null;
      }
      case 'coalesce':
        for (let i = 0; i < args.length; i++) {
          const x = this.arg(e, d, i);
          if (!isNull(x)) return x;
        }
        return null;
      case 'isnull':
        this.arity(e, 1);
        return isNull(this.arg(e, d, 0));
      case 'isnotnull':
        this.arity(e, 1);
        return !isNull(this.arg(e, d, 0));
      case 'isnum': {
        this.arity(e, 1);
        const x = this.arg(e, d, 0);
        return !isNull(x) && num(x) !== undefined;
      }
      case 'isstr': {
        this.arity(e, 1);
        const x = this.arg(e, d, 0);
        return typeof x === 'string' && num(x) === undefined;
      }
      case 'null':
        this.arity(e, 0);
        return null;
      case 'true':
        this.arity(e, 0);
        return true;
      case 'false':
        this.arity(e, 0);
        return false;
      case 'lower':
      case 'upper': {
        this.arity(e, 1);
        const x = this.arg(e, d, 0);
        if (isNull(x)) return null;
        const f = (y: string | number | boolean) =>
          e.fn === 'lower' ? String(y).toLowerCase() : String(y).toUpperCase();
        return Array.isArray(x) ? x.map(f) : f(x);
      }
      case 'len': {
        this.arity(e, 1);
        const x = this.argText(e, d, 0);
        return x === null ? null : codePointLength(x);
      }
      case 'like': {
        this.arity(e, 2);
        const x = this.arg(e, d, 0);
        const p = this.argText(e, d, 1);
        if (isNull(x) || p === null) return null;
        return scalars(x).some((y) => likeMatch(String(y), p));
      }
      case 'match': {
        this.arity(e, 2);
        const x = this.arg(e, d, 0);
        if (isNull(x)) return null;
        const re = this.argRegex(e, d, 1);
        return scalars(x).some((y) => re.test(String(y)));
      }
      case 'replace': {
        this.arity(e, 3);
        const x = this.argText(e, d, 0);
        if (x === null) return null;
        const re = this.argRegex(e, d, 1, 'g');
        // SPL writes back-references as \1; JavaScript as $1.
        const repl = (this.argText(e, d, 2) ?? '').replace(/\$/g, '$$$$').replace(/\\(\d)/g, '$$$1');
        re.lastIndex = 0;
        return x.replace(re, repl);
      }
      case 'substr': {
        this.arity(e, 2, 3);
        const x = this.argText(e, d, 0);
        const start = this.argNumber(e, d, 1);
        if (x === null || start === null) return null;
        const chars = [...x];
        // 1-based; a negative start counts from the end.
        const from = start > 0 ? start - 1 : start < 0 ? Math.max(0, chars.length + start) : 0;
        const len = args.length === 3 ? this.argNumber(e, d, 2) : null;
        return chars.slice(from, len === null ? undefined : from + Math.max(0, len)).join('');
      }
      case 'trim':
      case 'ltrim':
      case 'rtrim': {
        this.arity(e, 1, 2);
        const x = this.argText(e, d, 0);
        if (x === null) return null;
        const set = args.length === 2 ? (this.argText(e, d, 1) ?? '') : ' \t';
        let a = 0;
        let b = x.length;
        if (e.fn !== 'rtrim') while (a < b && set.includes(x[a])) a++;
        if (e.fn !== 'ltrim') while (b > a && set.includes(x[b - 1])) b--;
        return x.slice(a, b);
      }
      case 'split': {
        this.arity(e, 2);
        const x = this.argText(e, d, 0);
        const sep = this.argText(e, d, 1);
        if (x === null || sep === null) return null;
        return sep === '' ? [...x] : x.split(sep);
      }
      case 'mvcount': {
        this.arity(e, 1);
        const x = this.arg(e, d, 0);
        return isNull(x) ? null : scalars(x).length;
      }
      case 'mvindex': {
        this.arity(e, 2, 3);
        const x = this.arg(e, d, 0);
        const a = this.argNumber(e, d, 1);
        if (isNull(x) || a === null) return null;
        const list = scalars(x).map((y) => (typeof y === 'boolean' ? String(y) : y));
        const idx = (k: number) => (k < 0 ? list.length + k : k);
        const from = idx(a);
        if (args.length === 2) return from >= 0 && from < list.length ? list[from] : null;
        const b = this.argNumber(e, d, 2);
        if (b === null) return null;
        const out = list.slice(Math.max(0, from), idx(b) + 1);
        return out.length === 0 ? null : out.length === 1 ? out[0] : out;
      }
      case 'mvjoin': {
        this.arity(e, 2);
        const x = this.arg(e, d, 0);
        const sep = this.argText(e, d, 1);
        if (isNull(x) || sep === null) return null;
        return scalars(x).map(String).join(sep);
      }
      case 'mvappend': {
        const out: (string | number)[] = [];
        for (let i = 0; i < args.length; i++)
          for (const y of scalars(this.arg(e, d, i))) out.push(typeof y === 'boolean' ? String(y) : y);
        return out.length === 0 ? null : out;
      }
      case 'mvdedup': {
        this.arity(e, 1);
        const x = this.arg(e, d, 0);
        if (isNull(x)) return null;
        return [...new Set(scalars(x).map(String))];
      }
      case 'mvfilter': {
        // The expression is evaluated once per value of the one field it references.
        this.arity(e, 1);
        const fields = new Set<string>();
        const collect = (x: EvalExpr): void => {
          if (x.kind === 'field') fields.add(x.name);
          else if (x.kind === 'call') x.args.forEach(collect);
          else if (x.kind === 'binary') {
            collect(x.left);
            collect(x.right);
          } else if (x.kind === 'unary') collect(x.arg);
          else if (x.kind === 'in') {
            collect(x.arg);
            x.values.forEach(collect);
          }
        };
        collect(args[0]);
        if (fields.size !== 1) throw new EvalFailure('mvfilter() must reference exactly one field', e.span);
        const [name] = [...fields];
        const values = scalars(this.field(name));
        const kept = values.filter(
          (y) =>
            new Interpreter({ ...this.row, [name]: typeof y === 'boolean' ? String(y) : y }, this.options).bool(
              args[0],
              d + 1,
            ) === true,
        );
        return kept.length === 0 ? null : kept.map((y) => (typeof y === 'boolean' ? String(y) : y));
      }
      case 'mvfind': {
        this.arity(e, 2);
        const x = this.arg(e, d, 0);
        if (isNull(x)) return null;
        const re = this.argRegex(e, d, 1);
        const k = scalars(x).findIndex((y) => re.test(String(y)));
        return k < 0 ? null : k;
      }
      case 'in': {
        if (args.length < 1) throw new EvalFailure('in() needs a value and a list', e.span);
        const x = this.arg(e, d, 0);
        if (isNull(x)) return null;
        for (let i = 1; i < args.length; i++) if (compare('==', x, this.arg(e, d, i)) === true) return true;
        return false;
      }
      case 'tostring': {
        this.arity(e, 1, 2);
        const x = this.arg(e, d, 0);
        if (isNull(x)) return null;
        if (args.length === 2) {
          const fmt = this.argText(e, d, 1);
          const k = num(x);
          if (fmt === 'hex' && k !== undefined) return `0x${Math.trunc(k).toString(16).toUpperCase()}`;
          if (fmt === 'commas' && k !== undefined) return (Math.round(k * 100) / 100).toLocaleString('en-US');
          if (fmt === 'duration' && k !== undefined) {
            // Seconds as [D+]HH:MM:SS (Splunk's tostring(X, "duration")).
            const t = Math.trunc(Math.abs(k));
            const days = Math.floor(t / 86400);
            const hms = [Math.floor((t % 86400) / 3600), Math.floor((t % 3600) / 60), t % 60]
              .map((y) => String(y).padStart(2, '0'))
              .join(':');
            return `${k < 0 ? '-' : ''}${days > 0 ? `${days}+` : ''}${hms}`;
          }
          throw new EvalFailure(
            `tostring() format ${JSON.stringify(fmt)} is not supported by the local interpreter`,
            e.span,
          );
        }
        return typeof x === 'boolean' ? (x ? 'True' : 'False') : str(x);
      }
      case 'tonumber': {
        this.arity(e, 1, 2);
        const x = this.argText(e, d, 0);
        if (x === null) return null;
        const base = args.length === 2 ? this.argNumber(e, d, 1) : 10;
        if (base === 10 || base === null) return asNumber(x.trim()) ?? null;
        const k = parseInt(x.trim().replace(/^0x/i, ''), base);
        return Number.isNaN(k) ? null : k;
      }
      case 'round': {
        this.arity(e, 1, 2);
        const x = this.argNumber(e, d, 0);
        if (x === null) return null;
        const p = args.length === 2 ? (this.argNumber(e, d, 1) ?? 0) : 0;
        const f = 10 ** p;
        return Math.round(x * f) / f;
      }
      case 'floor':
      case 'ceil':
      case 'ceiling':
      case 'abs':
      case 'sqrt':
      case 'exp':
      case 'ln': {
        this.arity(e, 1);
        const x = this.argNumber(e, d, 0);
        if (x === null) return null;
        const f = {
          floor: Math.floor,
          ceil: Math.ceil,
          ceiling: Math.ceil,
          abs: Math.abs,
          sqrt: Math.sqrt,
          exp: Math.exp,
          ln: Math.log,
        }[e.fn]!;
        const r = f(x);
        return Number.isFinite(r) ? r : null;
      }
      case 'pow': {
        this.arity(e, 2);
        const a = this.argNumber(e, d, 0);
        const b = this.argNumber(e, d, 1);
        return a === null || b === null ? null : a ** b;
      }
      case 'log': {
        this.arity(e, 1, 2);
        const a = this.argNumber(e, d, 0);
        const b = args.length === 2 ? this.argNumber(e, d, 1) : 10;
        if (a === null || b === null || a <= 0 || b <= 0 || b === 1) return null;
        return Math.log(a) / Math.log(b);
      }
      case 'min':
      case 'max': {
        const all: (string | number | boolean)[] = [];
        for (let i = 0; i < args.length; i++) all.push(...scalars(this.arg(e, d, i)));
        if (all.length === 0) return null;
        const nums = all.map((y) => (typeof y === 'boolean' ? undefined : num(y)));
        if (nums.every((y) => y !== undefined)) return (e.fn === 'min' ? Math.min : Math.max)(...(nums as number[]));
        const strs = all.map(String).sort(compareCodePoints);
        return e.fn === 'min' ? strs[0] : strs[strs.length - 1];
      }
      case 'cidrmatch': {
        this.arity(e, 2);
        const cidr = this.argText(e, d, 0);
        const ip = this.argText(e, d, 1);
        if (cidr === null || ip === null) return null;
        return cidrMatch(cidr, ip);
      }
      case 'urldecode': {
        this.arity(e, 1);
        const x = this.argText(e, d, 0);
        if (x === null) return null;
        try {
          return decodeURIComponent(x.replace(/\+/g, ' '));
        } catch {
          return x;
        }
      }
      case 'relative_time': {
        this.arity(e, 2);
        const t = this.argNumber(e, d, 0);
        const spec = this.argText(e, d, 1);
        if (t === null || spec === null) return null;
        return relativeTime(t, spec) ?? null;
      }
      case 'strftime': {
        this.arity(e, 2);
        const t = this.argNumber(e, d, 0);
        const fmt = this.argText(e, d, 1);
        if (t === null || fmt === null) return null;
        return strftime(t, fmt);
      }
      case 'strptime': {
        this.arity(e, 2);
        const x = this.argText(e, d, 0);
        const fmt = this.argText(e, d, 1);
        if (x === null || fmt === null) return null;
        return strptime(x, fmt) ?? null;
      }
      case 'md5':
      case 'sha1':
      case 'sha256':
      case 'sha512': {
        this.arity(e, 1);
        const x = this.argText(e, d, 0);
        if (x === null) return null;
        return createHash(e.fn).update(x, 'utf8').digest('hex');
      }
      case 'json_valid': {
        this.arity(e, 1);
        const x = this.argText(e, d, 0);
        if (x === null) return null;
        return parseJson(x) !== undefined;
      }
      case 'json_keys': {
        this.arity(e, 1);
        const x = this.argText(e, d, 0);
        if (x === null) return null;
        const j = parseJson(x);
        if (j === undefined || j === null || typeof j !== 'object' || Array.isArray(j)) return null;
        return JSON.stringify(Object.keys(j));
      }
      case 'json_extract':
      case 'spath': {
        // spath(X, path) uses spath's path syntax (`a.b{}.c`, `a{1}`); json_extract(X, p…) the same
        // dotted paths, and with no path returns X itself.
        if (e.fn === 'spath') this.arity(e, 2);
        else this.arity(e, 1, Infinity);
        const x = this.argText(e, d, 0);
        if (x === null) return null;
        const j = parseJson(x);
        if (j === undefined) return null;
        if (args.length === 1) return jsonText(j);
        const outs: (string | number)[] = [];
        for (let i = 1; i < args.length; i++) {
          const p = this.argText(e, d, i);
          if (p === null) continue;
          for (const r of jsonPath(j, p, e.fn === 'spath' ? 1 : 0)) outs.push(jsonText(r));
        }
        return outs.length === 0 ? null : outs.length === 1 ? outs[0]! : outs;
      }
      case 'printf': {
        if (args.length < 1) throw new EvalFailure('printf() needs a format', e.span);
        const fmt = this.argText(e, d, 0);
        if (fmt === null) return null;
        const rest: EvalValue[] = [];
        for (let i = 1; i < args.length; i++) rest.push(this.arg(e, d, i));
        return printf(fmt, rest);
      }
      case 'exact':
        this.arity(e, 1);
        return this.arg(e, d, 0);
      case 'mvsort': {
        this.arity(e, 1);
        const x = this.arg(e, d, 0);
        if (isNull(x)) return null;
        // Lexicographic (code point) order, as Splunk documents for mvsort.
        return scalars(x)
          .map((y) => str(y as EvalValue))
          .sort(compareCodePoints);
      }
      case 'mvzip': {
        this.arity(e, 2, 3);
        const a = this.arg(e, d, 0);
        const b = this.arg(e, d, 1);
        const sep = args.length === 3 ? this.argText(e, d, 2) : ',';
        if (isNull(a) || isNull(b) || sep === null) return null;
        const xs = scalars(a);
        const ys = scalars(b);
        const out: string[] = [];
        for (let i = 0; i < Math.min(xs.length, ys.length); i++)
          out.push(`${str(xs[i] as EvalValue)}${sep}${str(ys[i] as EvalValue)}`);
        return out.length === 1 ? out[0]! : out;
      }
      case 'mvmap': {
        // mvmap(X, expr): expr is evaluated once per value of X, with X bound to that value.
        this.arity(e, 2);
        const target = args[0];
        if (target.kind !== 'field') throw new EvalFailure('mvmap() needs a field as its first argument', e.span);
        const values = scalars(this.field(target.name));
        if (values.length === 0) return null;
        const out: (string | number)[] = [];
        for (const y of values) {
          const r = new Interpreter(
            { ...this.row, [target.name]: typeof y === 'boolean' ? String(y) : y },
            this.options,
          ).eval(args[1], d + 1);
          for (const z of scalars(r)) out.push(typeof z === 'boolean' ? String(z) : z);
        }
        return out.length === 0 ? null : out.length === 1 ? out[0]! : out;
      }
      case 'mvrange': {
        this.arity(e, 2, 3);
        const a = this.argNumber(e, d, 0);
        const b = this.argNumber(e, d, 1);
        const step = args.length === 3 ? this.argNumber(e, d, 2) : 1;
        if (a === null || b === null || step === null || step <= 0) return null;
        const out: number[] = [];
        for (let k = a; k < b && out.length < 10000; k += step) out.push(k);
        return out.length === 0 ? null : out;
      }
      case 'typeof': {
        this.arity(e, 1);
        const x = this.arg(e, d, 0);
        if (x === null) return 'Invalid';
        if (Array.isArray(x)) return 'Multivalue';
        if (typeof x === 'boolean') return 'Boolean';
        if (typeof x === 'number') return 'Number';
        return 'String';
      }
      case 'isint': {
        this.arity(e, 1);
        const x = this.arg(e, d, 0);
        const k = isNull(x) ? undefined : num(x);
        return k !== undefined && Number.isInteger(k);
      }
      case 'nullif': {
        this.arity(e, 2);
        const a = this.arg(e, d, 0);
        return compare('==', a, this.arg(e, d, 1)) === true ? null : a;
      }
      case 'validate': {
        // validate(cond1, msg1, …): the message of the first condition that is false.
        if (args.length % 2 !== 0) throw new EvalFailure('validate() takes condition/message pairs', e.span);
        for (let i = 0; i < args.length; i += 2) if (this.bool(args[i], d + 1) === false) return this.arg(e, d, i + 1);
        return null;
      }
      case 'pi':
        this.arity(e, 0);
        return Math.PI;
      case 'sigfig': {
        this.arity(e, 1);
        const x = this.argNumber(e, d, 0);
        return x === null ? null : x;
      }
      case 'commands':
      case 'searchmatch':
        throw new EvalFailure(`${e.fn}() needs the search context of a Splunk instance`, e.span);
      case 'now':
      case 'time':
        this.arity(e, 0);
        if (this.options.now === undefined)
          throw new EvalFailure(`${e.fn}() depends on the clock; pass options.now`, e.span);
        return this.options.now;
      default:
        throw new EvalFailure(`function ${e.fn}() is not supported by the local interpreter`, e.span);
    }
  }
}

/** A Splunk time unit in its canonical spelling. */
export type TimeUnit = 's' | 'm' | 'h' | 'd' | 'w' | 'mon' | 'q' | 'y';

/** Seconds of the fixed-length time units (months, quarters and years vary). */
export const TIME_UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 } as const;

/**
 * Every spelling Splunk accepts for a time unit (relative_time modifiers, bin/tstats spans,
 * transaction maxspan), mapped to its canonical unit. One table for eval and the search engine.
 */
export const TIME_UNITS: Readonly<Record<string, TimeUnit>> = {
  s: 's',
  sec: 's',
  secs: 's',
  second: 's',
  seconds: 's',
  m: 'm',
  min: 'm',
  mins: 'm',
  minute: 'm',
  minutes: 'm',
  h: 'h',
  hr: 'h',
  hrs: 'h',
  hour: 'h',
  hours: 'h',
  d: 'd',
  day: 'd',
  days: 'd',
  w: 'w',
  week: 'w',
  weeks: 'w',
  mon: 'mon',
  month: 'mon',
  months: 'mon',
  q: 'q',
  qtr: 'q',
  qtrs: 'q',
  quarter: 'q',
  quarters: 'q',
  y: 'y',
  yr: 'y',
  yrs: 'y',
  year: 'y',
  years: 'y',
};

/**
 * Splunk relative time modifiers (`-24h`, `-1d@d`, `@w1`, `-1mon@mon+8h`, `now`) applied to epoch
 * seconds, in UTC (Splunk uses the search's time zone; the local interpreter fixes UTC so results
 * are reproducible). Returns undefined for a malformed modifier.
 */
export function relativeTime(epochSeconds: number, modifier: string): number | undefined {
  const spec = modifier.trim();
  if (spec === '' || spec === 'now') return epochSeconds;
  if (/^\d+(\.\d+)?$/.test(spec)) return Number(spec);
  const d = new Date(Math.floor(epochSeconds) * 1000);
  const re = /([+-])(\d*)([a-z]+)|@([a-z]+)(\d?)/gy;
  let pos = 0;
  while (pos < spec.length) {
    re.lastIndex = pos;
    const m = re.exec(spec);
    if (!m) return undefined;
    pos = re.lastIndex;
    if (m[1]) {
      const unit = TIME_UNITS[m[3]];
      if (!unit) return undefined;
      const k = (m[2] === '' ? 1 : Number(m[2])) * (m[1] === '-' ? -1 : 1);
      switch (unit) {
        case 's':
          d.setUTCSeconds(d.getUTCSeconds() + k);
          break;
        case 'm':
          d.setUTCMinutes(d.getUTCMinutes() + k);
          break;
        case 'h':
          d.setUTCHours(d.getUTCHours() + k);
          break;
        case 'd':
          d.setUTCDate(d.getUTCDate() + k);
          break;
        case 'w':
          d.setUTCDate(d.getUTCDate() + 7 * k);
          break;
        case 'mon':
          d.setUTCMonth(d.getUTCMonth() + k);
          break;
        case 'q':
          d.setUTCMonth(d.getUTCMonth() + 3 * k);
          break;
        case 'y':
          d.setUTCFullYear(d.getUTCFullYear() + k);
          break;
      }
      continue;
    }
    const unit = TIME_UNITS[m[4]];
    if (!unit) return undefined;
    if (m[5] !== '' && unit !== 'w') return undefined;
    const zero = (h: boolean, mi: boolean, se: boolean) => {
      if (h) d.setUTCHours(0);
      if (mi) d.setUTCMinutes(0);
      if (se) d.setUTCSeconds(0, 0);
    };
    switch (unit) {
      case 's':
        d.setUTCMilliseconds(0);
        break;
      case 'm':
        zero(false, false, true);
        break;
      case 'h':
        zero(false, true, true);
        break;
      case 'd':
        zero(true, true, true);
        break;
      case 'w': {
        // @w0 / @w7 = Sunday (the default), @w1 = Monday, …
        const target = m[5] === '' ? 0 : Number(m[5]) % 7;
        zero(true, true, true);
        d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() - target + 7) % 7));
        break;
      }
      case 'mon':
        zero(true, true, true);
        d.setUTCDate(1);
        break;
      case 'q':
        zero(true, true, true);
        d.setUTCDate(1);
        d.setUTCMonth(d.getUTCMonth() - (d.getUTCMonth() % 3));
        break;
      case 'y':
        zero(true, true, true);
        d.setUTCMonth(0, 1);
        break;
    }
  }
  return d.getTime() / 1000;
}

function ipv4(s: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s.trim());
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return ((parts[0] << 24) >>> 0) + (parts[1] << 16) + (parts[2] << 8) + parts[3];
}

/** IPv4 `cidrmatch("10.0.0.0/8", ip)`; anything else (IPv6, malformed) does not match. */
export function cidrMatch(cidr: string, ip: string): boolean {
  const [net, bitsText] = cidr.split('/');
  const bits = bitsText === undefined ? 32 : Number(bitsText);
  const a = ipv4(net ?? '');
  const b = ipv4(ip);
  if (a === undefined || b === undefined || !Number.isInteger(bits) || bits < 0 || bits > 32) return false;
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return (a & mask) >>> 0 === (b & mask) >>> 0;
}

/** JSON.parse that never throws (undefined for invalid JSON). */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A JSON value as an eval value: strings and numbers as themselves, the rest as JSON text. */
function jsonText(v: unknown): string | number {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (v === null) return 'null';
  return JSON.stringify(v);
}

/**
 * Values at an spath-style path: steps separated by `.`, `{}` = every element of an array,
 * `{N}` = element N (`base` = index of the first element: spath counts from 1 [unverified],
 * json_extract from 0).
 */
export function jsonPath(root: unknown, path: string, base: 0 | 1 = 1): unknown[] {
  let cur: unknown[] = [root];
  const steps = path.match(/[^.{}]+|\{[^}]*\}/g) ?? [];
  for (const step of steps) {
    const next: unknown[] = [];
    if (step.startsWith('{')) {
      const idx = step.slice(1, -1);
      for (const c of cur) {
        if (!Array.isArray(c)) continue;
        if (idx === '') next.push(...c);
        else if (/^-?\d+$/.test(idx)) {
          const k = Number(idx);
          const at = k < 0 ? c.length + k : k - base;
          if (at >= 0 && at < c.length) next.push(c[at]);
        }
      }
    } else {
      for (const c of cur) {
        // An object step applies to each element of an array (spath's implicit `{}`).
        const objs = Array.isArray(c) ? c : [c];
        for (const o of objs)
          if (o !== null && typeof o === 'object' && !Array.isArray(o) && Object.hasOwn(o, step))
            next.push((o as Record<string, unknown>)[step]);
      }
    }
    cur = next;
    if (cur.length === 0) break;
  }
  return cur;
}

/** C-style printf as Splunk's eval printf(): %s %d %i %u %f %F %e %E %g %G %x %X %o %c %%, flags, width, precision. */
export function printf(format: string, args: EvalValue[]): string {
  let k = 0;
  return format.replace(
    /%([-+ 0#']*)(\*|\d+)?(?:\.(\*|\d+))?([sdiufFeEgGxXoc%])/g,
    (all, flags: string, w, p, conv: string) => {
      if (conv === '%') return '%';
      const width = w === '*' ? Number(num(args[k++] ?? null) ?? 0) : w ? Number(w) : 0;
      const prec = p === '*' ? Number(num(args[k++] ?? null) ?? 0) : p !== undefined ? Number(p) : undefined;
      const arg = args[k++] ?? null;
      let body: string;
      const n = arg === null ? 0 : (num(arg) ?? 0);
      switch (conv) {
        case 's':
          body = arg === null ? '' : str(arg);
          if (prec !== undefined) body = body.slice(0, prec);
          break;
        case 'c':
          body = arg === null ? '' : typeof arg === 'number' ? String.fromCodePoint(arg) : str(arg).slice(0, 1);
          break;
        case 'd':
        case 'i':
        case 'u':
          body = String(Math.trunc(Math.abs(n)));
          if (flags.includes("'")) body = Number(body).toLocaleString('en-US');
          break;
        case 'f':
        case 'F':
          body = Math.abs(n).toFixed(prec ?? 6);
          break;
        case 'e':
        case 'E': {
          body = Math.abs(n)
            .toExponential(prec ?? 6)
            .replace(/e([+-])(\d)$/, 'e$10$2');
          if (conv === 'E') body = body.toUpperCase();
          break;
        }
        case 'g':
        case 'G': {
          body = String(Number(Math.abs(n).toPrecision(prec === 0 ? 1 : (prec ?? 6))));
          if (conv === 'G') body = body.toUpperCase();
          break;
        }
        case 'x':
        case 'X':
          body = Math.trunc(Math.abs(n)).toString(16);
          if (flags.includes('#') && n !== 0) body = `0x${body}`;
          if (conv === 'X') body = body.toUpperCase();
          break;
        case 'o':
          body = Math.trunc(Math.abs(n)).toString(8);
          break;
        default:
          return all;
      }
      const numeric = !'sc'.includes(conv);
      if (numeric) {
        const sign = n < 0 && body !== '0' ? '-' : flags.includes('+') ? '+' : flags.includes(' ') ? ' ' : '';
        if (flags.includes('0') && !flags.includes('-') && width > body.length + sign.length)
          body = body.padStart(width - sign.length, '0');
        body = sign + body;
      }
      if (width > body.length) body = flags.includes('-') ? body.padEnd(width) : body.padStart(width);
      return body;
    },
  );
}
