// An extraction continued to more fields (`Extractor.extend`, what `dac scan` does after routing
// an event) is the from-scratch extraction of the union of both field sets, on the real Windows
// events committed under test/evtx (rendered text and binary EVTX) with the shipped add-on
// knowledge, for projections drawn from the fields that knowledge names.
import { defaultAddonEngine, type RawEvent } from '@dac/normalise';
import { formatFor, readFixture, type FixtureFormat } from '@dac/replay';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CAPTURES_DIR, committedWindowsCaptures } from '../support/captures.js';

const FILES = committedWindowsCaptures();

describe('extend on real events', () => {
  it('finds the committed captures', () => {
    expect(FILES.length).toBeGreaterThan(15);
  });
  for (const file of FILES) {
    it(`${file.slice(CAPTURES_DIR.length + 1)}: continued extraction = from-scratch extraction of the union`, async () => {
      const fmt = formatFor('xmlwineventlog') as FixtureFormat;
      const events: RawEvent[] = [];
      const r = await readFixture(file, fmt, (e) => events.push(e));
      expect(r.malformed).toBe(0);
      expect(events.length).toBeGreaterThan(0);
      const engine = defaultAddonEngine();
      let continued = 0;
      for (const [n, raw] of events.entries()) {
        const meta = { sourcetype: 'XmlWinEventLog', source: fmt.sourceOf(raw.fields) };
        const x = engine.extractor(meta.sourcetype, meta.source);
        const names = [...x.knownFields().map((f) => f.name), 'tag', 'eventtype', 'punct'];
        const subset = fc.option(fc.subarray(names, { maxLength: 12 }), { nil: undefined, freq: 4 });
        for (const [had, more] of fc.sample(fc.tuple(subset, subset), { numRuns: 6, seed: n })) {
          const hadSet = had && new Set(had);
          const moreSet = more && new Set(more);
          const union = hadSet && moreSet ? new Set([...hadSet, ...moreSet]) : undefined;
          const first = x.extract(raw, meta, hadSet);
          const ev = x.extend(first, raw, meta, hadSet, moreSet);
          if (ev === first) continued++;
          expect(ev).toEqual(x.extract(raw, meta, union));
        }
      }
      // The point of extend: most events are continued, not extracted again.
      expect(continued).toBeGreaterThan(events.length * 3);
    });
  }
});
