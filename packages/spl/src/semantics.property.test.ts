// The remembering forms in semantics.ts (split wildcard patterns, folded patterns, the last
// folded value) against the plain matching they replace, written out here as it was: the
// pieces split and both sides lower-cased on every call.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CompareOp, Literal } from './ast.js';
import {
  detachedString,
  asNumber,
  compareCodePoints,
  compareValues,
  type FieldValue,
  holds,
  matchesValue,
  wildcardMatch,
} from './semantics.js';

function plainWildcardMatch(value: string, pattern: string): boolean {
  if (pattern.indexOf('*') < 0) return value === pattern;
  const parts = pattern.split('*');
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

function plainScalarMatches(actual: string | number, pattern: Literal | string): boolean {
  const p =
    typeof pattern === 'string'
      ? { value: pattern, cs: false }
      : { value: pattern.value, cs: pattern.caseSensitive === true };
  const s = String(actual);
  return p.cs ? plainWildcardMatch(s, p.value) : plainWildcardMatch(s.toLowerCase(), p.value.toLowerCase());
}

const missing = (v: FieldValue) => v === null || v === undefined || (Array.isArray(v) && v.length === 0);

function plainMatchesValue(actual: FieldValue, pattern: Literal | string): boolean {
  if (missing(actual)) return false;
  if (Array.isArray(actual)) return actual.some((v) => v !== null && v !== undefined && plainScalarMatches(v, pattern));
  return plainScalarMatches(actual as string | number, pattern);
}

function plainCompareValues(actual: FieldValue, op: CompareOp, expected: Literal | string): boolean {
  if (missing(actual)) return false;
  const value = typeof expected === 'string' ? expected : expected.value;
  const values = (Array.isArray(actual) ? actual : [actual]).filter((v) => v !== null && v !== undefined) as (
    | string
    | number
  )[];
  switch (op) {
    case '=':
      return values.some((v) => plainScalarMatches(v, expected));
    case '!=':
      return values.some((v) => !plainScalarMatches(v, expected));
    default:
      return values.some((v) => {
        const a = asNumber(v);
        const b = asNumber(value);
        return holds(a !== undefined && b !== undefined ? a - b : compareCodePoints(String(v), value), op);
      });
  }
}

/** Short texts over a small alphabet with `*` and mixed case, so that matches happen. */
// `K` (Kelvin sign) folds to ASCII `k`, `İ` to two code units, `Σ` by context.
const piece = fc.string({
  unit: fc.constantFrom('a', 'B', 'c', 'k', '*', 'É', 'é', '1', '.', '\u212A', 'İ', 'Σ', ' '),
  maxLength: 6,
});
const scalar = fc.oneof(piece, fc.integer({ min: -20, max: 20 }), fc.double({ noNaN: true, min: -5, max: 5 }));
const fieldValue: fc.Arbitrary<FieldValue> = fc.oneof(scalar, fc.array(piece), fc.constantFrom(null, undefined));
const literal: fc.Arbitrary<Literal | string> = fc.oneof(
  piece,
  fc.record({ value: piece, caseSensitive: fc.boolean() }).map((r) => ({ ...r, quoted: false }) as unknown as Literal),
);
const op = fc.constantFrom<CompareOp>('=', '!=', '<', '<=', '>', '>=');

describe('semantics: remembered pattern pieces and folds equal the plain matching', () => {
  it('wildcardMatch', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(piece, piece), { minLength: 1, maxLength: 10 }), (pairs) => {
        for (const [v, p] of [...pairs, ...pairs]) expect(wildcardMatch(v, p)).toBe(plainWildcardMatch(v, p));
      }),
      { numRuns: 1000 },
    );
  });

  it('matchesValue and compareValues, asked in runs that share values and patterns', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fieldValue, op, literal), { minLength: 1, maxLength: 10 }), (asks) => {
        for (const [v, o, l] of [...asks, ...asks]) {
          expect(matchesValue(v, l)).toBe(plainMatchesValue(v, l));
          expect(compareValues(v, o, l)).toBe(plainCompareValues(v, o, l));
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('detachedString: the same text, for slices of long texts and short ones alike', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), fc.nat(), fc.nat(), (text, a, b) => {
        const parent = `${text}${'x'.repeat(64)}${text}`;
        const from = a % parent.length;
        const slice = parent.slice(from, from + (b % (parent.length - from + 1)));
        expect(detachedString(slice)).toBe(slice);
      }),
      { numRuns: 1000 },
    );
  });
});
