// The field matcher answers as testing each term on its own would: for arbitrary patterns (with
// `*` anywhere, repeated, alone) and values (case, non-ASCII, the anchor characters), the terms it
// reports are exactly those whose lower-cased pattern matches the lower-cased value.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { wildcardMatch } from '@dac/spl';
import { Automaton, FieldMatcher, foldValue } from './term-matcher.js';

const text = fc.string({
  unit: fc.constantFrom('a', 'B', 'c', '.', '\\', 'é', 'Σ', '\u0001', '\u0002', ' '),
  maxLength: 8,
});
const pattern = fc.string({ unit: fc.constantFrom('a', 'b', 'C', '.', '\\', '*', 'é', 'σ'), maxLength: 6 });

describe('term matcher', () => {
  it('reports the terms a value matches, as a term-by-term wildcard match does', () => {
    fc.assert(
      fc.property(fc.array(pattern, { maxLength: 12 }), fc.array(text, { maxLength: 6 }), (patterns, values) => {
        const lower = patterns.map((p) => p.toLowerCase());
        const m = new FieldMatcher(
          lower.map((_, k) => k),
          lower,
        );
        for (const v of values) {
          const folded = foldValue(v);
          const got = new Set<number>();
          m.test(folded, (t) => got.add(t));
          const want = lower.flatMap((p, k) => (wildcardMatch(folded, p) ? [k] : []));
          // Σ-patterns match any value (the index may let more through, never less).
          for (const k of want) expect(got.has(k), `${lower[k]} on ${folded}`).toBe(true);
          for (const k of got)
            expect(want.includes(k) || /[σς]/.test(lower[k]!), `${lower[k]} on ${folded}`).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('hits (remembered by value) gives the terms test gives, for values asked repeatedly and in any order', () => {
    fc.assert(
      fc.property(
        fc.array(pattern, { maxLength: 12 }),
        fc.array(fc.oneof(text, fc.integer({ min: -3, max: 12 }), fc.constant('x'.repeat(600))), { maxLength: 12 }),
        (patterns, values) => {
          const lower = patterns.map((p) => p.toLowerCase());
          const ids = lower.map((_, k) => k);
          const m = new FieldMatcher(ids, lower);
          const plain = new FieldMatcher(ids, lower);
          for (const v of [...values, ...values.reverse()]) {
            const want = new Set<number>();
            plain.test(foldValue(v), (t) => want.add(t));
            expect(new Set(m.hits(v)), String(v)).toEqual(want);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('the automaton finds every occurrence of every literal', () => {
    fc.assert(
      fc.property(
        fc.array(
          text.filter((l) => l.length > 0),
          { minLength: 1, maxLength: 8 },
        ),
        text,
        (literals, t) => {
          const found = new Map<number, number>();
          new Automaton(literals).scan(t, (id) => found.set(id, (found.get(id) ?? 0) + 1));
          const full = `\u0001${t}\u0002`;
          literals.forEach((l, id) => {
            let n = 0;
            for (let at = full.indexOf(l); at >= 0; at = full.indexOf(l, at + 1)) n++;
            expect(found.get(id) ?? 0, `${JSON.stringify(l)} in ${JSON.stringify(full)}`).toBe(n);
          });
        },
      ),
      { numRuns: 500 },
    );
  });
});
