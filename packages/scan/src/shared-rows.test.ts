// sharedRows remembers the rows of each event object asked about (the last one without a
// WeakMap lookup): for any order of questions (the newest event again and again, older ones),
// it answers what the provider itself answers, and does not ask it again for the same question.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DataModelProvider, SplunkEvent } from '@dac/normalise';
import { sharedRows } from './detections.js';

describe('sharedRows', () => {
  it('gives the provider rows for every question, in any order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat({ max: 40 }), fc.constantFrom('A', 'B', 'C')), { maxLength: 200 }),
        (asks) => {
          const events: SplunkEvent[] = Array.from({ length: 41 }, (_, i) => ({ n: String(i) }));
          let calls = 0;
          const plain = (ev: SplunkEvent, ds: string) => [{ ds, n: ev.n }];
          const shared = sharedRows({
            rows: (ev: SplunkEvent, ds: string) => {
              calls++;
              return plain(ev, ds);
            },
          } as unknown as DataModelProvider);
          let last = '';
          for (const [i, ds] of asks) {
            const before = calls;
            expect(shared.rows(events[i]!, ds)).toEqual(plain(events[i]!, ds));
            // The same question twice in a row is answered from memory.
            if (last === `${i}:${ds}`) expect(calls).toBe(before);
            last = `${i}:${ds}`;
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
