import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeTree } from '../testing.js';
import { validate } from '../validate.js';

const upstream = readFileSync(new URL('./testdata/upstream_sysmon_eventid_1.yml', import.meta.url), 'utf8');
const corpus = new URL('../../../../../shared/corpus/escu/', import.meta.url).pathname;
const FILE = 'data_sources/sysmon_eventid_1.yml';

let cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups) c();
  cleanups = [];
});

async function check(text: string) {
  const t = writeTree({ [FILE]: text });
  cleanups.push(t.cleanup);
  const r = await validate({ root: t.root, workers: 0 });
  return r.diagnostics.filter((d) => d.rule === 'field-mapping-addon');
}

/** Line (1-based) of the first line containing `needle`. */
const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

describe('field-mapping-addon (the replay follows the add-on, not the content mapping)', () => {
  it('upstream Sysmon EventID 1: ParentImage → parent_process_name contradicts the Sysmon add-on (basename)', async () => {
    const d = await check(upstream);
    expect(d).toHaveLength(1);
    expect(d[0]).toMatchObject({
      severity: 'warning',
      file: FILE,
      line: lineOf(upstream, 'ParentImage: Processes.parent_process_name'),
    });
    expect(d[0]!.message).toMatch(/ParentImage → Processes.parent_process_name contradicts the add-on/);
    expect(d[0]!.message).toContain('"ParentImage.exe"');
  });

  it('the same data source with the add-on’s mapping (ParentImage → parent_process_path) is clean', async () => {
    const fixed = upstream.replace(
      'ParentImage: Processes.parent_process_name',
      'ParentImage: Processes.parent_process_path',
    );
    expect(fixed).not.toBe(upstream);
    expect(await check(fixed)).toEqual([]);
  });

  it.skipIf(!existsSync(join(corpus, 'data_sources')))(
    'the real ESCU data sources: only the known contradictions are reported',
    async () => {
      const files: Record<string, string> = {};
      for (const f of readdirSync(join(corpus, 'data_sources')))
        files[`data_sources/${f}`] = readFileSync(join(corpus, 'data_sources', f), 'utf8');
      const t = writeTree(files);
      cleanups.push(t.cleanup);
      const r = await validate({ root: t.root, workers: 0 });
      const found = r.diagnostics.filter((d) => d.rule === 'field-mapping-addon');
      expect(found.some((d) => d.file === FILE && /ParentImage/.test(d.message))).toBe(true);
      // 205 data sources, a handful of warnings: the check is not noise.
      expect(found.length).toBeLessThan(20);
    },
    60_000,
  );
});
