import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runDac } from '../support/run-dac.js';

const repo = join(import.meta.dirname, '../..');
const corpus = join(repo, '../shared/corpus/escu');
const tmp = mkdtempSync(join(tmpdir(), 'dac-plan-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('dac plan', () => {
  it('JSON: every detection with file relative to the content root, replayable and reason; the summary', async () => {
    const r = await runDac('plan', '--content', repo, '--format', 'json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual({
      detections: [
        {
          file: 'detections/endpoint/windows_ngrok_reverse_proxy_usage.yml',
          name: 'Windows Ngrok Reverse Proxy Usage',
          replayable: true,
          reason: null,
        },
      ],
      summary: { detections: 1, replayable: 1 },
    });
  });

  it('text: a summary line and the reasons with counts (hand-written content below)', async () => {
    const root = join(tmp, 'content');
    mkdirSync(join(root, 'detections'), { recursive: true });
    const det = (name: string, search: string) =>
      writeFileSync(
        join(root, 'detections', `${name}.yml`),
        `name: ${name}\nsearch: '${search.replace(/'/g, "''")}'\n`,
      );
    det('geo_a', 'index=main | iplocation src | stats count by Country');
    det('geo_b', 'index=main | iplocation dest | stats count by Country');
    det('ok', 'index=main EventCode=4688 | stats count by host');
    const r = await runDac('plan', '--content', root);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^1 of 3 detections replayable offline \(33\.3%\)\n/);
    expect(r.out).toMatch(/ {4}2 {2}not replayable: command iplocation needs/);
    const j = JSON.parse(
      (await runDac('plan', '--content', root, '--format', 'json', join(root, 'detections/ok.yml'))).out,
    );
    expect(j.summary).toEqual({ detections: 1, replayable: 1 });
  });

  it('a path that holds no detection is a usage error', async () => {
    const r = await runDac('plan', '--content', repo, join(repo, 'macros'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/no detection at/);
  });

  // Corpus measure (skips without ../shared): the share of ESCU detections dac runs offline.
  it.skipIf(!existsSync(join(corpus, 'detections')))(
    'ESCU corpus (1,175 endpoint detections): at least 90% replayable',
    async () => {
      const r = await runDac('plan', '--content', corpus, '--format', 'json');
      const { summary } = JSON.parse(r.out) as { summary: { detections: number; replayable: number } };
      console.log(
        `dac plan ESCU: ${summary.replayable}/${summary.detections} (${((summary.replayable / summary.detections) * 100).toFixed(1)}%)`,
      );
      expect(summary.detections).toBeGreaterThan(1000);
      expect(summary.replayable / summary.detections).toBeGreaterThanOrEqual(0.9);
    },
    120_000,
  );
});
