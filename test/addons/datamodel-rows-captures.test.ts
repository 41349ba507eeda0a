// Data-set rows built by rowPlan (calculations over a fixed-shape work literal, a literal per
// presence pattern, then a null prototype) are the plain path's (stores into an Object.create(null) object, every field through the work copy):
// the same prototype, own keys in the same order and values — for every data set, on every event
// of the real Windows captures committed under test/evtx (rendered text and binary EVTX),
// extracted with the shipped add-on knowledge.
import { createDataModelProvider, defaultAddonEngine, type RawEvent } from '@dac/normalise';
import { formatFor, readFixture, type FixtureFormat } from '@dac/replay';
import { describe, expect, it } from 'vitest';
import { CAPTURES_DIR, committedWindowsCaptures } from '../support/captures.js';

const FILES = committedWindowsCaptures();

/** What a consumer can see of rows: prototype, own keys in order, values. */
function exactRows(rows: readonly Record<string, unknown>[]) {
  return rows.map((r) => ({
    nullProto: Object.getPrototypeOf(r) === null,
    objectProto: Object.getPrototypeOf(r) === Object.prototype,
    keys: Reflect.ownKeys(r),
    values: Object.values(r),
  }));
}

describe('data-set rows on real events', () => {
  const fast = createDataModelProvider();
  const plain = createDataModelProvider({ plainRows: true });
  const sets = fast.dataSets().map((d) => d.path);
  it('finds the committed captures', () => {
    expect(FILES.length).toBeGreaterThan(15);
  });
  let members = 0;
  for (const file of FILES) {
    it(`${file.slice(CAPTURES_DIR.length + 1)}: fast rows = plain rows for every data set`, async () => {
      const fmt = formatFor('xmlwineventlog') as FixtureFormat;
      const events: RawEvent[] = [];
      const r = await readFixture(file, fmt, (e) => events.push(e));
      expect(r.malformed).toBe(0);
      const engine = defaultAddonEngine();
      for (const raw of events) {
        const meta = { sourcetype: 'XmlWinEventLog', source: fmt.sourceOf(raw.fields) };
        const ev = engine.extractor(meta.sourcetype, meta.source).extract(raw, meta);
        for (const ds of sets) {
          const got = fast.rows(ev, ds);
          members += got.length;
          expect(exactRows(got)).toEqual(exactRows(plain.rows(ev, ds)));
        }
      }
    });
  }
  it('compared member rows (not only empty answers)', () => {
    expect(members).toBeGreaterThan(100);
  });
});
