// The lookup matcher folds WILDCARD patterns once per table and remembers results by input values;
// both are pure speed-ups, so over arbitrary tables and values it must give exactly the rows a plain
// scan of the table in file order gives (Splunk: first max_matches matches in file order;
// case_sensitive_match folds both sides; transforms.conf.spec).
import { wildcardMatch } from '@dac/spl';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LookupMatcher } from './lookup.js';
import type { LookupTable } from './types.js';

const cell = fc.string({ unit: fc.constantFrom('a', 'B', 'b', '*', '.', '\u0000', 'é'), maxLength: 5 });

function plainMatch(table: LookupTable, values: Record<string, string>): Readonly<Record<string, string>>[] {
  const cs = table.caseSensitive ?? true;
  const fold = (s: string) => (cs ? s : s.toLowerCase());
  const out: Readonly<Record<string, string>>[] = [];
  for (const r of table.rows) {
    const exact = fold(r.key ?? '') === fold(values.key ?? '');
    const wild = wildcardMatch(fold(values.pattern ?? ''), fold(r.pattern ?? ''));
    if (exact && wild) out.push(r);
    if (out.length >= (table.maxMatches ?? 100)) break;
  }
  return out;
}

describe('LookupMatcher (folded patterns, memo by input values)', () => {
  it('equals a plain scan of the table in file order, asked once or again', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ key: cell, pattern: cell, out: cell }), { maxLength: 12 }),
        fc.boolean(),
        fc.integer({ min: 1, max: 4 }),
        fc.array(fc.record({ key: cell, pattern: cell }), { minLength: 1, maxLength: 8 }),
        (rows, caseSensitive, maxMatches, asks) => {
          const table: LookupTable = {
            name: 't',
            fields: ['key', 'pattern', 'out'],
            rows,
            caseSensitive,
            maxMatches,
            matchTypes: { pattern: 'WILDCARD' },
          };
          const matcher = new LookupMatcher(table, ['key', 'pattern']);
          for (const values of [...asks, ...asks]) expect(matcher.match(values)).toEqual(plainMatch(table, values));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('one input field: matchRow value by value equals the plain scan per value, concatenated', () => {
    const value = fc.oneof(cell, fc.integer({ min: 0, max: 3 }));
    fc.assert(
      fc.property(
        fc.array(fc.record({ key: cell, pattern: cell, out: cell }), { maxLength: 12 }),
        fc.boolean(),
        fc.integer({ min: 1, max: 4 }),
        fc.constantFrom('key', 'pattern'),
        fc.array(fc.oneof(value, fc.array(value, { maxLength: 4 }), fc.constant(undefined)), {
          minLength: 1,
          maxLength: 8,
        }),
        (rows, caseSensitive, maxMatches, field, inputs) => {
          const table: LookupTable = {
            name: 't',
            fields: ['key', 'pattern', 'out'],
            rows,
            caseSensitive,
            maxMatches,
            matchTypes: { pattern: 'WILDCARD' },
          };
          const matcher = new LookupMatcher(table, [field]);
          // The plain path: each value against every row in file order, the first maxMatches.
          const plainRow = (input: string | number | (string | number)[] | undefined) => {
            if (input === undefined || (Array.isArray(input) && input.length === 0)) return undefined;
            const out: Readonly<Record<string, string>>[] = [];
            for (const x of Array.isArray(input) ? input : [input]) {
              const v = String(x);
              const fold = (s: string) => (caseSensitive ? s : s.toLowerCase());
              const hits = rows.filter((r) =>
                field === 'key' ? fold(r.key) === fold(v) : wildcardMatch(fold(v), fold(r.pattern)),
              );
              for (const r of hits.slice(0, maxMatches)) if (out.length < maxMatches) out.push(r);
            }
            return out;
          };
          for (const input of [...inputs, ...inputs])
            expect(matcher.matchRow({ f: input }, ['f'])).toEqual(plainRow(input));
        },
      ),
      { numRuns: 300 },
    );
  });
});
