// `dac ci` on the real ESCU tree (../shared/corpus/escu, 1,909 files, ~100 validation errors at
// the base): a pull request adding one valid, tested detection passes, one adding a broken
// detection fails with annotations on that file only. Corpus-scale: skipped without ../shared.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { todayUtc } from '@dac/versioning';
import { runDac } from '../support/run-dac.js';
import { NGROK_TEXT, REPO_ROOT, TempRepo } from '../versioning/repo.js';

const CORPUS = join(REPO_ROOT, '..', 'shared', 'corpus', 'escu');
const FIXTURE = 'test/attack_data/datasets/attack_techniques/T1572/ngrok/windows-sysmon.log';

/** A new detection made from the ngrok one: new id and name, version 1, today's date, one exact-rows test. */
export function newDetection(name: string, id: string): string {
  const snake = name.toLowerCase().replace(/[^a-z0-9]+/g, '_');
  const tests = NGROK_TEXT.slice(NGROK_TEXT.indexOf('- name: True Positive Test - Sysmon EventID 1 exact rows'));
  const sysmonOnly = tests.slice(0, tests.indexOf('- name: True Positive Test - Windows Event Log Security 4688'));
  return NGROK_TEXT.replace(/^# yaml-language-server.*\n/m, '')
    .replace(/^name: .*$/m, `name: ${name}`)
    .replace(/^id: .*$/m, `id: ${id}`)
    .replace(/^version: .*$/m, 'version: 1')
    .replace(/^date: .*$/m, `date: '${todayUtc()}'`)
    .replace('windows_ngrok_reverse_proxy_usage_filter', `${snake}_filter`)
    .replace(/^tests:\n[\s\S]*$/m, `tests:\n${sysmonOnly}`);
}

describe.skipIf(!existsSync(CORPUS))('dac ci on a copy of the ESCU corpus', () => {
  let repo: TempRepo;
  let summaryDir: string;
  beforeAll(() => {
    repo = new TempRepo(mkdtempSync(join(tmpdir(), 'dac-ci-escu-')));
    cpSync(CORPUS, repo.dir, { recursive: true });
    mkdirSync(dirname(repo.path(FIXTURE)), { recursive: true });
    cpSync(join(REPO_ROOT, FIXTURE), repo.path(FIXTURE));
    writeFileSync(repo.path('.gitignore'), 'dist/\nnode_modules/\n');
    repo.git('init', '-q', '-b', 'main');
    repo.commitAll('ESCU');
    summaryDir = mkdtempSync(join(tmpdir(), 'dac-ci-summary-'));
  }, 120_000);
  afterAll(() => {
    repo?.dispose();
    rmSync(summaryDir, { recursive: true, force: true });
  });

  const ci = async (branch: string) => {
    const summary = join(summaryDir, `${branch}.md`);
    vi.stubEnv('GITHUB_STEP_SUMMARY', summary);
    try {
      const r = await runDac('ci', '--base', 'main', '--content', repo.dir, '--format', 'github');
      return { ...r, summary: readFileSync(summary, 'utf8') };
    } finally {
      vi.unstubAllEnvs();
    }
  };

  it('a pull request adding one valid detection with a test (and its fixture) passes', async () => {
    repo.git('checkout', '-q', '-b', 'good', 'main');
    const rel = 'detections/endpoint/windows_ngrok_tunnel_copy.yml';
    repo.write(rel, newDetection('Windows Ngrok Tunnel Copy', '7a7e3c52-6d8e-4c2b-9f1e-2b7d1c0e4a11'));
    repo.commitAll('add a detection');
    const r = await ci('good');
    expect(r.err).toContain('dac ci: passed');
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/validate\s+passed .*0 new errors.*already at the base/);
    expect(r.err).toMatch(/test\s+passed .*1 detection, 1 test: 1 passed/);
    expect(r.out).not.toMatch(/^::error/m);
    expect(r.summary).toContain(
      '| Windows Ngrok Tunnel Copy | `detections/endpoint/windows_ngrok_tunnel_copy.yml` | new |',
    );
    // (Markdown-escaped by @dac/escape: the '-' of the test name is written '\\-'.)
    expect(r.summary).toMatch(
      /\| ✅ passed \| Windows Ngrok Tunnel Copy \| True Positive Test \\?- Sysmon EventID 1 exact rows \| 6\/6 \|/,
    );
  }, 300_000);

  it('a pull request adding a broken detection fails, with annotations on that file only', async () => {
    repo.git('checkout', '-q', '-b', 'bad', 'main');
    const rel = 'detections/endpoint/windows_ngrok_tunnel_broken.yml';
    const text = newDetection('Windows Ngrok Tunnel Broken', '0b8e5c1d-2f3a-4b5c-8d9e-a1b2c3d4e5f6')
      .replace('from datamodel=Endpoint.Processes', 'from datamodel=Endpoint.Processes where Processes.nosuchfield=1')
      .replace(/^type: Anomaly$/m, 'type: Anomalous')
      .replace(/expected_rows: 6/, 'expected_rows: 7');
    repo.write(rel, text);
    repo.commitAll('add a broken detection');
    const r = await ci('bad');
    expect(r.code).toBe(1);
    const annotations = r.out.split('\n').filter((l) => /^::(error|warning|notice)/.test(l));
    expect(annotations.length).toBeGreaterThan(0);
    for (const a of annotations)
      expect(a).toMatch(/file=[^,]*windows_ngrok_tunnel_broken\.yml,line=\d+,col=\d+,title=dac /);
    expect(annotations.some((a) => a.includes('title=dac schema') || a.includes('title=dac type'))).toBe(true);
    expect(r.err).toMatch(/dac ci: FAILED \(validate/);
    expect(r.summary).toContain('#### New problems');
    expect(r.summary).toMatch(/windows_ngrok_tunnel_broken\.yml:\d+:\d+/);
  }, 300_000);
});
