import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runDac } from '../support/run-dac.js';

const repo = join(import.meta.dirname, '../..');
const NGROK = join(repo, 'detections/endpoint/windows_ngrok_reverse_proxy_usage.yml');
const SYSMON = join(repo, 'test/attack_data/datasets/attack_techniques/T1572/ngrok/windows-sysmon.log');
const tmp = mkdtempSync(join(tmpdir(), 'dac-replay-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const dac = runDac;

describe('dac replay', () => {
  it('prints one JSON row per result on stdout and a summary on stderr', async () => {
    const r = await dac(
      'replay',
      '--content',
      repo,
      '--detection',
      NGROK,
      '--sourcetype',
      'XmlWinEventLog',
      '--source',
      'XmlWinEventLog:Microsoft-Windows-Sysmon/Operational',
      SYSMON,
    );
    expect(r.code).toBe(0);
    const rows = r.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, string>);
    expect(rows).toHaveLength(6);
    expect(Object.keys(rows[0]!)).toEqual([
      'dest',
      'user',
      'parent_process_name',
      'process_name',
      'original_file_name',
      'process',
      'process_id',
      'parent_process_id',
      'count',
      'firstTime',
      'lastTime',
    ]);
    expect(r.err).toMatch(/events read 12, malformed 0, skipped 0, in data set 11, rows 6/);
    expect(r.err).toMatch(/MB\/s, \d+ events\/s/);
  });

  it('reports malformed lines with numbers and exits 0 when something was read; 1 when nothing could be', async () => {
    const bad = join(tmp, 'bad.log');
    writeFileSync(bad, `${readFileSync(SYSMON, 'utf8').split('\n')[0]}\n<Event><System>\nnot xml\n`);
    const r = await dac('replay', '--content', repo, '--detection', NGROK, '--sourcetype', 'xmlwineventlog', bad);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/bad\.log:2: malformed: truncated event/);
    const none = await dac(
      'replay',
      '--content',
      repo,
      '--detection',
      NGROK,
      '--sourcetype',
      'xmlwineventlog',
      join(tmp, 'missing.log'),
    );
    expect(none.code).toBe(1);
    expect(none.err).toMatch(/file not found/);
  });

  it('usage errors exit 2', async () => {
    expect((await dac('replay', '--detection', NGROK, SYSMON)).code).toBe(2);
    const st = await dac('replay', '--content', repo, '--detection', NGROK, '--sourcetype', 'aws:cloudtrail', SYSMON);
    expect(st.code).toBe(2);
    expect(st.err).toMatch(/no fixture reader for sourcetype "aws:cloudtrail"/);
    expect(
      (
        await dac(
          'replay',
          '--content',
          repo,
          '--detection',
          join(tmp, 'nope.yml'),
          '--sourcetype',
          'XmlWinEventLog',
          SYSMON,
        )
      ).code,
    ).toBe(2);
  });
});

describe('dac test', () => {
  it('shows the ngrok detection passing, writes JUnit, exits 0', async () => {
    const junit = join(tmp, 'junit.xml');
    const r = await dac('test', '--content', repo, '--junit', junit, NGROK);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/PASS\s+Windows Ngrok Reverse Proxy Usage\s+True Positive Test\s+6/);
    expect(r.out).toMatch(/5 test\(s\): 5 passed, 0 failed, 0 errors/);
    expect(readFileSync(junit, 'utf8')).toMatch(/<testsuites name="dac test" tests="5" failures="0" errors="0"/);
  });

  it('exit 2 for a path that is not a detection', async () => {
    expect((await dac('test', '--content', repo, join(repo, 'nope.yml'))).code).toBe(2);
  });
});
