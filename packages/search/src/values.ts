/** Helpers over the value model of ./types.ts. */
import { compareCodePoints, type EvalValue } from '@dac/spl';
import type { Row, Scalar, Value } from './types.js';

/** Null in Splunk's sense: absent, null, or an empty multivalue. */
export function isNull(v: unknown): v is null | undefined {
  return v === undefined || v === null || (Array.isArray(v) && v.length === 0);
}

/** The values of a field (empty when null). */
export function valuesOf(v: Value | null | undefined): readonly Scalar[] {
  if (v === undefined || v === null) return EMPTY;
  return Array.isArray(v) ? v : [v];
}
const EMPTY: readonly Scalar[] = Object.freeze([]);

/**
 * Significant digits of a non-integer number on output. Splunk prints eval results with up to
 * 16 significant digits and stats results (avg, stdev) in full precision [unverified]; 15 avoids
 * binary noise (0.1+0.2 → 0.3) and is easy to change.
 */
export const OUTPUT_SIGNIFICANT_DIGITS = 15;

/** A number as Splunk prints it: integers plainly, fractions without binary noise or exponent. */
export function formatNumber(n: number): string {
  if (Number.isInteger(n)) return Math.abs(n) < 1e21 ? String(n) : n.toLocaleString('en-US', { useGrouping: false });
  if (!Number.isFinite(n)) return String(n);
  const r = Number(n.toPrecision(OUTPUT_SIGNIFICANT_DIGITS));
  const s = String(r);
  if (!/e/i.test(s)) return s;
  return r
    .toFixed(Math.min(100, Math.max(0, OUTPUT_SIGNIFICANT_DIGITS - Math.floor(Math.log10(Math.abs(r))) - 1)))
    .replace(/\.?0+$/, '');
}

/** A scalar as text. */
export function text(s: Scalar): string {
  return typeof s === 'number' ? formatNumber(s) : s;
}

/** A value as one string (multivalue joined by a space, as eval's string conversion does). */
export function joined(v: Value): string {
  return Array.isArray(v) ? v.map(text).join(' ') : text(v);
}

const NUM = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** The number a scalar spells (decimal text, optional sign/exponent), or undefined. */
export function toNumber(s: Scalar | undefined | null): number | undefined {
  if (typeof s === 'number') return Number.isFinite(s) ? s : undefined;
  if (typeof s !== 'string') return undefined;
  const t = s.trim();
  if (!NUM.test(t)) return undefined;
  const n = Number(t);
  return Number.isFinite(n) ? n : undefined;
}

/** An eval result as a field value; `boolean` is reported by the caller (Splunk refuses it). */
export function fromEval(v: EvalValue): Value | undefined | 'boolean' {
  if (v === null) return undefined;
  if (typeof v === 'boolean') return 'boolean';
  if (Array.isArray(v)) return normaliseList(v as Scalar[]);
  return v as Scalar;
}

/** A list as a field value: empty → null, one element → that element. */
export function normaliseList(list: readonly Scalar[]): Value | undefined {
  if (list.length === 0) return undefined;
  if (list.length === 1) return list[0]!;
  return [...list];
}

/** Sets (or, for null, removes) a field. */
export function setField(row: Row, name: string, v: Value | undefined): void {
  if (v === undefined || (Array.isArray(v) && v.length === 0)) delete row[name];
  else row[name] = Array.isArray(v) && v.length === 1 ? v[0]! : v;
}

/** Copies a row (multivalue lists are shared: values are never mutated in place). */
export function copyRow(row: Readonly<Record<string, Value | null | undefined>>): Row {
  const out: Row = {};
  for (const k in row) {
    const v = row[k];
    if (v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0)) out[k] = v;
  }
  return out;
}

/**
 * Splunk's automatic ordering of two scalars (sort, and stats-like ordering): two numbers
 * compare numerically, a number sorts before a string, strings compare lexicographically in
 * UTF-8 byte (code point) order — "numbers before letters, uppercase before lowercase"
 * (Search Manual, "Lexicographical order"; sort command, "Sort field options").
 */
export function compareAuto(a: Scalar, b: Scalar): number {
  const x = toNumber(a);
  const y = toNumber(b);
  if (x !== undefined && y !== undefined) return x < y ? -1 : x > y ? 1 : 0;
  if (x !== undefined) return -1;
  if (y !== undefined) return 1;
  return compareCodePoints(text(a), text(b));
}

/** Lexicographic (code point) order of two scalars as text. */
export function compareLex(a: Scalar, b: Scalar): number {
  return compareCodePoints(text(a), text(b));
}

/** A UTF-16 surrogate: a code point above U+FFFF, where code unit order and code point order part. */
const SURROGATE = /[\uD800-\uDFFF]/;

/** Whether none of the texts has a surrogate (then the engine's own string order is code point order). */
export function withoutSurrogates(texts: readonly string[]): boolean {
  for (const t of texts) if (SURROGATE.test(t)) return false;
  return true;
}

/** The engine's own string order (UTF-16 code units): code point order for texts without surrogates. */
export function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Texts sorted in code point order (compareLex), in place: with the engine's own comparison when
 * no text has a surrogate — the same order, without a comparison loop in JavaScript.
 */
export function sortLex(texts: string[]): string[] {
  return texts.sort(withoutSurrogates(texts) ? compareCodeUnits : compareCodePoints);
}

/** The row as Splunk returns it: every value a string or a list of strings; nulls dropped. */
export function toSplunkRow(row: Row): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const k in row) {
    const v = row[k];
    if (v === undefined) continue;
    if (Array.isArray(v)) {
      if (v.length === 0) continue;
      out[k] = v.length === 1 ? text(v[0]!) : v.map(text);
    } else out[k] = text(v);
  }
  return out;
}

/**
 * A field-name pattern with `*` wildcards (table, fields, rename, foreach, convert): a predicate,
 * and for rename the captured pieces. Field names match case-sensitively (Splexicon: "Field
 * names are case-sensitive").
 */
export interface FieldPattern {
  readonly text: string;
  readonly wildcard: boolean;
  test(name: string): boolean;
  /** The pieces the `*`s matched, or undefined when the name does not match. */
  capture(name: string): string[] | undefined;
}

export function fieldPattern(p: string): FieldPattern {
  if (!p.includes('*')) {
    return {
      text: p,
      wildcard: false,
      test: (n) => n === p,
      capture: (n) => (n === p ? [] : undefined),
    };
  }
  const re = new RegExp(
    `^${p
      .split('*')
      .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('([\\s\\S]*?)')}$`,
  );
  return {
    text: p,
    wildcard: true,
    test: (n) => re.test(n),
    capture: (n) => {
      const m = re.exec(n);
      return m ? m.slice(1) : undefined;
    },
  };
}
