// The one-pass `<Data Name='X'>` extraction of the add-on engine (DataElements, engine.ts) equals
// the regex of each such EXTRACT setting of the shipped knowledge on every event of the real
// captures: the committed ones under test/evtx, and the 281 shared EVTX captures of
// ../shared/data/evtx when present (skipped without them).
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DataElements, dataElementPattern, defaultAddonEngine } from '@dac/normalise';
import { formatFor, readFixture, type FixtureFormat } from '@dac/replay';
import { describe, expect, it } from 'vitest';

const committed = join(import.meta.dirname, '..', 'evtx');
const shared = join(import.meta.dirname, '..', '..', '..', 'shared', 'data', 'evtx');

function filesUnder(dir: string, ext: string[]): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile() && ext.some((e) => d.name.endsWith(e)))
    .map((d) => join(d.parentPath, d.name))
    .sort();
}

/** Every EXTRACT regex of the knowledge the fast path takes, with its name and field. */
function dataExtracts(): { regex: RegExp; name: string; field: string }[] {
  const out = new Map<string, { regex: RegExp; name: string; field: string }>();
  for (const s of defaultAddonEngine().knowledge.stanzas)
    for (const op of s.ops) {
      if (op.kind !== 'extract' || op.flags) continue;
      const p = dataElementPattern(op.regex);
      if (p) out.set(op.regex, { regex: new RegExp(op.regex, 'ms'), ...p });
    }
  return [...out.values()];
}

async function compareOn(files: string[]): Promise<{ events: number; found: number }> {
  const extracts = dataExtracts();
  expect(extracts.length).toBeGreaterThan(5);
  const fmt = formatFor('xmlwineventlog') as FixtureFormat;
  let events = 0;
  let found = 0;
  for (const file of files) {
    const index = new DataElements();
    const slots = extracts.map((x) => index.slot(x.name));
    await readFixture(
      file,
      fmt,
      (raw) => {
        const text = raw.text ?? '';
        events++;
        for (const [i, x] of extracts.entries()) {
          const want = x.regex.exec(text)?.groups?.[x.field];
          if (want !== undefined) found++;
          const got = index.value(text, slots[i]);
          if (got !== want) expect(got, `${file}: Data ${x.name}`).toBe(want);
        }
      },
      { maxIssues: 0 },
    );
  }
  return { events, found };
}

describe('one-pass <Data Name> extraction on real captures', () => {
  it('the committed captures: every event, every such EXTRACT', async () => {
    const r = await compareOn(filesUnder(committed, ['.log', '.evtx']));
    expect(r.events).toBeGreaterThan(50);
    expect(r.found).toBeGreaterThan(20);
  });
  it.skipIf(!existsSync(shared))(
    'the 281 shared EVTX captures: every event, every such EXTRACT',
    { timeout: 300_000 },
    async () => {
      const files = filesUnder(shared, ['.evtx']);
      expect(files.length).toBe(281);
      const r = await compareOn(files);
      expect(r.events).toBe(10_015);
      expect(r.found).toBeGreaterThan(1000);
    },
  );
});
