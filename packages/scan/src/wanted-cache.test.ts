import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WantedCache } from './scan.js';
import type { ScanDetection } from './types.js';

/** Detections with only `fields` set: all the cache reads. */
const detectionsOf = (fields: (string[] | undefined)[]): ScanDetection[] =>
  fields.map((f) => ({ fields: f && new Set(f) }) as unknown as ScanDetection);

/** The plain answer: the union of the routing fields and the candidates' fields, undefined if any is unknown. */
function plainUnion(ds: ScanDetection[], routing: Set<string> | undefined, cands: number[]) {
  if (!routing || cands.some((i) => !ds[i]!.fields)) return { fields: undefined, covered: !routing };
  const out = new Set(routing);
  for (const i of cands) for (const f of ds[i]!.fields!) out.add(f);
  return { fields: out, covered: [...out].every((f) => routing.has(f)) };
}

describe('WantedCache (hashed candidate-set key)', () => {
  it('gives the plain union for every candidate set, asked in any order and repeatedly', () => {
    const field = fc.constantFrom('a', 'b', 'c', 'd', 'e');
    fc.assert(
      fc.property(
        fc.array(fc.option(fc.array(field, { maxLength: 3 }), { nil: undefined }), { minLength: 1, maxLength: 12 }),
        fc.option(fc.array(field, { maxLength: 3 }), { nil: undefined }),
        fc.array(fc.array(fc.nat(), { maxLength: 8 }), { maxLength: 30 }),
        (fields, routingFields, asks) => {
          const ds = detectionsOf(fields);
          const routing = routingFields && new Set(routingFields);
          const cache = new WantedCache(ds, routing);
          const sets = asks.map((a) => [...new Set(a.map((i) => i % ds.length))].sort((x, y) => x - y));
          for (const cands of [...sets, ...sets.reverse()])
            expect(cache.get(cands)).toEqual(plainUnion(ds, routing, cands));
        },
      ),
    );
  });
});
