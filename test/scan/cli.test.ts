// The `dac scan` contract: text and JSON outputs, exit codes (0 whether or not anything fired, 1
// only with --expect-all when some log has no detection firing, 2 on usage errors, one line each),
// folders searched recursively, `file` relative to the content root and `log` as given.
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runDac } from '../support/run-dac.js';
import { ATEXEC_EVTX, BASE_NAME, detection, NGROK_SYSMON, TSTATS_NAME, writeContent } from './content.js';

let content: string;
let logs: string;
beforeAll(() => {
  content = writeContent();
  logs = mkdtempSync(join(tmpdir(), 'dac-scan-logs-'));
  mkdirSync(join(logs, 'sysmon', 'deeper'), { recursive: true });
  copyFileSync(NGROK_SYSMON, join(logs, 'sysmon', 'deeper', 'windows-sysmon.log'));
  copyFileSync(ATEXEC_EVTX, join(logs, 'atexec.evtx'));
  writeFileSync(join(logs, 'notes.txt'), 'not a log: folders are searched for log names only\n');
});

interface ScanJson {
  results: { detection: string; name: string; file: string; log: string; rows: number; unconditional?: boolean }[];
  summary: { events: number; logs: number; detections: number; fired: number; seconds: number };
  logs: { log: string; events: number; fired: number }[];
  notReplayable: { file: string; reason: string }[];
}

describe('dac scan', () => {
  it('JSON: a result per detection and log that fired, file relative to the content root, log as given', async () => {
    const r = await runDac('scan', '--content', content, '--format', 'json', '-j', '1', logs);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out) as ScanJson;
    const sysmonLog = `${logs}/sysmon/deeper/windows-sysmon.log`;
    expect(j.results.map((x) => [x.name, x.file, x.log])).toEqual([
      [BASE_NAME, 'detections/endpoint/base.yml', sysmonLog],
      [TSTATS_NAME, 'detections/endpoint/tstats.yml', sysmonLog],
    ]);
    // By hand from the log: its Sysmon EID 1 events run ngrok from 6 distinct Images (one
    // NGROK.EXE, matched case-insensitively, splunk-semantics.md §1.1) on one Computer.
    expect(j.results[0]!.rows).toBe(6);
    expect(j.results[0]!.detection).toBe('10000001-2222-4333-8444-555555555555');
    expect(j.results[1]!.rows).toBeGreaterThan(0);
    expect(j.summary).toMatchObject({ events: 12 + 2, logs: 2, detections: 3, fired: 2 });
    expect(j.summary.seconds).toBeGreaterThanOrEqual(0);
    expect(j.logs.map((l) => [relative(logs, l.log), l.fired])).toEqual([
      ['atexec.evtx', 0],
      ['sysmon/deeper/windows-sysmon.log', 2],
    ]);
    expect(j.notReplayable).toEqual([
      { file: 'detections/endpoint/geo.yml', name: 'Needs GeoIP', reason: expect.stringMatching(/iplocation/) },
    ]);
  });

  it('text: the detections that fired with rows and logs, then the summary', async () => {
    const r = await runDac('scan', '--content', content, '-j', '1', NGROK_SYSMON, ATEXEC_EVTX);
    expect(r.code).toBe(0);
    const lines = r.out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^DETECTION\s+ROWS\s+LOGS$/);
    // Sorted by name.
    expect(lines[1]).toMatch(new RegExp(`^${TSTATS_NAME}\\s+\\d+\\s+${NGROK_SYSMON}$`));
    expect(lines[2]).toMatch(new RegExp(`^${BASE_NAME}\\s+6\\s+${NGROK_SYSMON}$`));
    expect(lines.at(-1)).toMatch(
      /^14 events in 2 logs, 3 detections run \(1 not replayable\), 2 fired, 1 logs with no detection firing; [\d.]+ s, \d+ events\/s/,
    );
  });

  it('exit 0 when nothing fires; --expect-all: 1 when some log has no detection firing, 0 when all do', async () => {
    const none = await runDac('scan', '--content', content, ATEXEC_EVTX);
    expect(none.code).toBe(0);
    expect(none.out).toMatch(/^no detection fired/);
    const some = await runDac('scan', '--content', content, '--expect-all', NGROK_SYSMON, ATEXEC_EVTX);
    expect(some.code).toBe(1);
    expect(some.err).toBe(`dac scan: --expect-all: 1 log(s) with no detection firing: ${ATEXEC_EVTX}\n`);
    const all = await runDac('scan', '--content', content, '--expect-all', NGROK_SYSMON);
    expect(all.code).toBe(0);
  });

  it.each([
    [['scan', '--content', '/no/such/dir', 'x.log'], /^dac scan: content root \/no\/such\/dir is not a directory\n$/],
    [['scan', '--content', '.', '/no/such/log.evtx'], /^dac scan: log \/no\/such\/log.evtx does not exist\n$/],
    [['scan', '--format', 'xml', 'x.log'], /option '--format <format>' argument 'xml' is invalid/],
    [['scan'], /missing required argument 'logs'/],
    [['scan', '-j', 'two', 'x.log'], /expected a whole number/],
  ])('usage error %j: exit 2, one clear line', async (args, message) => {
    const r = await runDac(...args);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.err).not.toMatch(/\n\s+at /);
  });

  it('an empty folder is a usage error; an unreadable log is reported, not fatal', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'dac-scan-empty-'));
    const r = await runDac('scan', '--content', content, empty);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^dac scan: no log files/);
    const odd = join(empty, 'odd.log');
    writeFileSync(odd, 'hello, not an event\n');
    const r2 = await runDac('scan', '--content', content, '--format', 'json', odd, NGROK_SYSMON);
    expect(r2.code).toBe(0);
    const j = JSON.parse(r2.out) as { logs: { log: string; error?: string }[] };
    expect(j.logs[0]).toMatchObject({ log: odd, error: 'cannot tell the log format from its first line' });
  });
});

describe('dac scan: a detection that gives rows over no events', () => {
  it('is reported as unconditional on every log and does not count as firing (Splunk: stats without by gives count=0)', async () => {
    const c = writeContent({
      'count.yml': detection(7, 'Counts Nothing', '`sysmon` EventCode=99999 | stats count', ['T1082']),
    });
    const r = await runDac('scan', '--content', c, '--format', 'json', '--expect-all', NGROK_SYSMON, ATEXEC_EVTX);
    const j = JSON.parse(r.out) as ScanJson;
    const counts = j.results.filter((x) => x.name === 'Counts Nothing');
    expect(counts.map((x) => [x.log, x.rows, x.unconditional])).toEqual([
      [NGROK_SYSMON, 1, true],
      [ATEXEC_EVTX, 1, true],
    ]);
    expect(j.summary).toMatchObject({ fired: 2, unconditional: 1 });
    // The EVTX capture still has no detection firing.
    expect(r.code).toBe(1);
  });
});
