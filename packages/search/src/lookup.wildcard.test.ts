// The WILDCARD index (hash of star-free patterns, Aho–Corasick over each pattern's longest literal
// piece, star-only patterns always tried) is only a prefilter: over arbitrary patterns and values
// the indexed matcher must give exactly the rows the plain row-by-row scan gives, in file order
// and cut at max_matches (transforms.conf.spec), with case_sensitive_match folding both sides.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { globMatch, LookupMatcher, lookupCounters } from './lookup.js';
import type { LookupTable } from './types.js';

// Stars (alone and repeated), regex metacharacters, letters that fold (İ lower-cases to two code
// units, ß and Σ have special foldings), a surrogate pair, and NUL.
const unit = fc.constantFrom(
  '*',
  '*',
  'a',
  'A',
  'b',
  'ab',
  ':',
  '.',
  '?',
  '+',
  '(',
  '\\',
  '$',
  '^',
  'İ',
  'i',
  'ß',
  'Σ',
  'σ',
  'é',
  'É',
  '😀',
  '\u0000',
);
const pattern = fc.string({ unit, maxLength: 7 });

/** A value made from a pattern by filling its stars (so that matches are common), or free text. */
const valueFor = (patterns: string[]) =>
  fc.oneof(
    fc.string({ unit, maxLength: 9 }),
    fc
      .tuple(fc.constantFrom('', ...patterns), fc.array(fc.string({ unit, maxLength: 3 }), { maxLength: 4 }))
      .map(([p, fills]) =>
        p.split('*').reduce((acc, piece, i) => acc + (i > 0 ? (fills[i - 1] ?? '') : '') + piece, ''),
      ),
  );

/** The plain reference: every row in file order, each WILDCARD field with `globMatch`. */
function plainScan(table: LookupTable, fields: string[], values: Record<string, string>) {
  const fold = (s: string) => ((table.caseSensitive ?? true) ? s : s.toLowerCase());
  const out: Readonly<Record<string, string>>[] = [];
  for (const r of table.rows) {
    if (fields.every((f) => globMatch(fold(values[f] ?? ''), fold(r[f] ?? '')))) out.push(r);
    if (out.length >= Math.max(1, table.maxMatches ?? 100)) break;
  }
  return out;
}

const tableArb = fc
  .tuple(
    fc.array(fc.record({ p: pattern, q: pattern, out: fc.string({ maxLength: 2 }) }), { maxLength: 14 }),
    fc.boolean(),
    fc.integer({ min: 1, max: 5 }),
    fc.boolean(),
  )
  .map(([rows, caseSensitive, maxMatches, twoWild]) => ({
    table: {
      name: 't',
      fields: ['p', 'q', 'out'],
      rows,
      caseSensitive,
      maxMatches,
      matchTypes: twoWild ? { p: 'WILDCARD', q: 'WILDCARD' } : { p: 'WILDCARD' },
    } as LookupTable,
    patterns: rows.flatMap((r) => [r.p, r.q]),
  }));

describe('LookupMatcher WILDCARD index', () => {
  it('one input field: equals the plain row-by-row scan and the unindexed matcher', () => {
    fc.assert(
      fc.property(
        tableArb.chain(({ table, patterns }) =>
          fc.tuple(fc.constant(table), fc.array(valueFor(patterns), { minLength: 1, maxLength: 8 })),
        ),
        ([table, vs]) => {
          const indexed = new LookupMatcher(table, ['p']);
          const plain = new LookupMatcher(table, ['p'], { plain: true });
          for (const v of vs) {
            const want = plainScan(table, ['p'], { p: v });
            expect(indexed.match({ p: v })).toEqual(want);
            expect(plain.match({ p: v })).toEqual(want);
          }
          // Multivalue inputs: value by value, concatenated, cut at max_matches.
          expect(indexed.matchRow({ f: vs }, ['f'])).toEqual(plain.matchRow({ f: vs }, ['f']));
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('two input fields (both WILDCARD or one WILDCARD and one EXACT): equals the plain scan', () => {
    fc.assert(
      fc.property(
        tableArb.chain(({ table, patterns }) =>
          fc.tuple(
            fc.constant(table),
            fc.array(fc.record({ p: valueFor(patterns), q: valueFor(patterns) }), { minLength: 1, maxLength: 6 }),
          ),
        ),
        ([table, asks]) => {
          const indexed = new LookupMatcher(table, ['p', 'q']);
          const plain = new LookupMatcher(table, ['p', 'q'], { plain: true });
          for (const a of asks) {
            expect(indexed.match(a)).toEqual(plain.match(a));
            if (table.matchTypes?.q) expect(indexed.match(a)).toEqual(plainScan(table, ['p', 'q'], a));
          }
          expect(indexed.matchRow({ x: asks.map((a) => a.p), y: asks[0]!.q }, ['x', 'y'])).toEqual(
            plain.matchRow({ x: asks.map((a) => a.p), y: asks[0]!.q }, ['x', 'y']),
          );
        },
      ),
      { numRuns: 800 },
    );
  });

  it('checks a value only against rows whose longest literal piece it contains', () => {
    // As ESCU's windows_protocol_handlers: ~200 `*name:*` rows, case-insensitive.
    const names = Array.from({ length: 200 }, (_, i) => `proto${i}x`);
    const table: LookupTable = {
      name: 'handlers',
      fields: ['handler', 'ishandler'],
      rows: [...names.map((n) => ({ handler: `*${n}:*`, ishandler: 'TRUE' })), { handler: '**', ishandler: 'ANY' }],
      caseSensitive: false,
      matchTypes: { handler: 'WILDCARD' },
    };
    const m = new LookupMatcher(table, ['handler']);
    const before = lookupCounters.globChecks;
    expect(m.match({ handler: 'cmd.exe /c start PROTO17X://x' }).map((r) => r.handler)).toEqual(['*proto17x:*', '**']);
    expect(m.match({ handler: 'notepad.exe' }).map((r) => r.handler)).toEqual(['**']);
    // proto17x: and the star-only row; then only the star-only row (not 201 rows each).
    expect(lookupCounters.globChecks - before).toBe(3);
  });
});
