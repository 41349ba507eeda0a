// eventstats' group results remembered per by-values (addGroupResults, the fast path) against one
// Grouping.resultsFor call per row (the plain path): same rows, in order, for random rows
// (missing, multivalue, numeric and -0/NaN by-values), aggregates (incl. multivalue ones and one
// overwriting a by-field) and by-lists; and no row shares a multivalue result with another.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type AggSpec, Grouping, parseAggregate } from '../aggregate.js';
import type { Row, Scalar } from '../types.js';
import { addGroupResults } from './eventstats.js';

const span = { start: 0, end: 0 };
const agg = (written: string, name: string): AggSpec => {
  const p = parseAggregate({ value: written, quoted: false, span });
  if (!p.ok) throw new Error(p.message);
  return { ...p.spec, name };
};
const AGGS: [string, string][] = [
  ['count', 'count'],
  ['avg(n)', 'avg'],
  ['stdev(n)', 'sd'],
  ['values(a)', 'va'],
  ['list(a)', 'la'],
  ['dc(a)', 'dca'],
  ['sum(n)', 'host'], // overwrites a by-field
  ['first(a)', 'fa'],
];
const scalar: fc.Arbitrary<Scalar> = fc.oneof(
  fc.constantFrom('h1', 'h2', 'H1', '1', '', 'a"b', 'a;b'),
  fc.constantFrom(0, -0, 1, 1.5, Number.NaN, Number.POSITIVE_INFINITY),
);
const value = fc.oneof({ weight: 4, arbitrary: scalar }, { weight: 1, arbitrary: fc.array(scalar, { maxLength: 3 }) });
const rows = fc.array(
  fc.record({ host: value, a: value, n: fc.oneof(scalar, fc.integer({ min: 0, max: 9 })) }, { requiredKeys: [] }),
  { maxLength: 30 },
);
const clone = (rs: Row[]): Row[] => rs.map((r) => structuredClone(r));

function run(input: Row[], aggs: AggSpec[], by: readonly string[], memo: boolean): Row[] {
  const g = new Grouping(aggs, { byNames: by, now: 0 });
  for (const r of input) g.add(r);
  const out: Row[] = [];
  addGroupResults(input, g, by, { push: (r) => out.push(r) }, memo);
  return out;
}

describe('eventstats: group results once per group', () => {
  it('gives the rows of one resultsFor call per row', () => {
    fc.assert(
      fc.property(
        rows,
        fc.subarray(AGGS, { minLength: 1 }),
        fc.constantFrom([], ['host'], ['host', 'a'], ['a']),
        (rs, specs, by) => {
          const aggs = () => specs.map(([w, n]) => agg(w, n));
          const fast = run(clone(rs as Row[]), aggs(), by, true);
          const plain = run(clone(rs as Row[]), aggs(), by, false);
          expect(fast).toEqual(plain);
          // Each row owns its multivalue results.
          for (let i = 0; i < fast.length; i++)
            for (let j = i + 1; j < fast.length; j++)
              for (const k of Object.keys(fast[i]!))
                if (Array.isArray(fast[i]![k])) expect(fast[i]![k]).not.toBe(fast[j]![k]);
        },
      ),
      { numRuns: 300 },
    );
  });
});
