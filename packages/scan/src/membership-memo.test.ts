// The rule index remembers data-set membership by the values of the fields the data set's
// constraints read (`containsReads` of @dac/normalise). That holds only if membership depends on
// nothing else: for every CIM data set, an event and the same event cut down to those fields
// must agree on membership, over arbitrary events built from the constraints' own words.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultDataModels, type SplunkEvent } from '@dac/normalise';

describe('data-set membership by its constraint fields', () => {
  const dm = defaultDataModels();
  const sets = dm.dataSets();
  const words = [...new Set(sets.flatMap((s) => s.constraints.join(' ').split(/[^A-Za-z0-9_*:.-]+/)))].filter(Boolean);
  const fields = [...new Set(sets.flatMap((s) => [...(dm.reads(s.path) ?? [])]))];

  it('every data set says which fields its membership reads, within what it reads', () => {
    for (const s of sets) {
      const c = dm.containsReads?.(s.path);
      expect(c, s.path).toBeDefined();
      for (const f of c!) expect(dm.reads(s.path)?.has(f), `${s.path} ${f}`).toBe(true);
    }
  });

  it('an event and its cut-down copy agree on membership of every data set', () => {
    const word = fc.constantFrom(...words, 'x', '0', '');
    const event = fc.dictionary(fc.constantFrom(...fields), fc.oneof(word, fc.array(word, { maxLength: 3 })), {
      maxKeys: 12,
    });
    fc.assert(
      fc.property(event, (ev) => {
        for (const s of sets) {
          const cut: SplunkEvent = {};
          for (const f of dm.containsReads!(s.path)!) if (ev[f] !== undefined) cut[f] = ev[f];
          expect(dm.contains(cut, s.path), `${s.path} on ${JSON.stringify(ev)}`).toBe(dm.contains(ev, s.path));
        }
      }),
      { numRuns: 300 },
    );
  });
});
