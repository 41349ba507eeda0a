import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RawEvent } from '@dac/normalise';
import { formatFor, readFixture, sniffLogFile, type FixtureFormat } from '@dac/replay';
import { runDac } from '../support/run-dac.js';

const dir = join(import.meta.dirname, 'samples');
const xmlFmt = formatFor('XmlWinEventLog') as FixtureFormat;
const tmp = mkdtempSync(join(tmpdir(), 'dac-evtx-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function read(path: string, opts = {}) {
  const events: RawEvent[] = [];
  const r = await readFixture(path, xmlFmt, (e) => events.push(e), opts);
  return { r, events };
}

describe('readFixture: EVTX and zip chosen by content', () => {
  it('sniffs by magic bytes, not by name: an EVTX named .log is EVTX, a zip named .dat is zip', () => {
    const asLog = join(tmp, 'sysmon.log');
    cpSync(join(dir, 'sysmon-1-wmiexec.evtx'), asLog);
    const asDat = join(tmp, 'capture.dat');
    cpSync(join(dir, 'sysmon-1-wmiexec_capattack.zip'), asDat);
    expect(sniffLogFile(asLog)).toBe('evtx');
    expect(sniffLogFile(asDat)).toBe('zip');
    expect(
      sniffLogFile(
        join(import.meta.dirname, '../attack_data/datasets/attack_techniques/T1572/ngrok/windows-sysmon.log'),
      ),
    ).toBe('text');
  });

  it('an .evtx file gives XmlWinEventLog events: fields, _time, the rendered _raw, source from the Channel', async () => {
    const { r, events } = await read(join(dir, 'security-4698-4699-atexec.evtx'));
    expect(r.container).toBe('evtx');
    expect(r.events).toBe(2);
    expect(r.evtx).toEqual(expect.objectContaining({ chunks: 1, records: 2, damagedChunks: 0 }));
    expect(events[0]!.fields.EventCode).toBe('4698');
    expect(events[0]!.fields.TaskName).toBe('\\bouWFQYO');
    expect(events[0]!.text).toMatch(
      /^<Event xmlns='http:\/\/schemas.microsoft.com\/win\/2004\/08\/events\/event'><System>/,
    );
    expect(events[0]!.time).toBeCloseTo(Date.parse(`${events[0]!.fields.SystemTime as string}`) / 1000, 2);
    expect(xmlFmt.sourceOf(events[0]!.fields)).toBe('XmlWinEventLog:Security');
    expect(xmlFmt.hostOf(events[0]!.fields)).toBe(events[0]!.fields.Computer);
  });

  it('the direct fields and the re-parsed text give the same events (fast path on and off)', async () => {
    const wanted = new Set(['EventCode', 'Channel', 'SystemTime', 'TaskContent', 'SubjectUserName']);
    for (const decodeEntities of [false, true]) {
      const a = await read(join(dir, 'security-4698-4699-atexec.evtx'), { wanted, decodeEntities });
      const b = await read(join(dir, 'security-4698-4699-atexec.evtx'), {
        wanted,
        decodeEntities,
        evtxFastPath: false,
      });
      expect(a.events.map((e) => ({ ...e.fields }))).toEqual(b.events.map((e) => ({ ...e.fields })));
      expect(a.events.map((e) => e.time)).toEqual(b.events.map((e) => e.time));
    }
  });

  it('a zip of EVTX members (attack_data capattack shape) reads every member; issues name the member', async () => {
    const { r, events } = await read(join(dir, 'sysmon-1-wmiexec_capattack.zip'));
    expect(r.container).toBe('zip');
    expect(r.members).toBe(2);
    expect(r.events).toBe(3);
    expect(r.evtx?.records).toBe(3);
    expect(events.map((e) => e.fields.Channel)).toEqual([
      'Microsoft-Windows-Sysmon/Operational',
      'Security',
      'Security',
    ]);
  });

  it('an EVTX file given as another sourcetype is refused with a clear message', async () => {
    const cs = formatFor('crowdstrike:events:sensor') as FixtureFormat;
    await expect(readFixture(join(dir, 'sysmon-1-wmiexec.evtx'), cs, () => {})).rejects.toThrow(
      /is an EVTX event log: its events are XmlWinEventLog, not crowdstrike:events:sensor/,
    );
  });
});

describe('dac replay on EVTX', () => {
  const det = 'detections/endpoint/windows_ngrok_reverse_proxy_usage.yml';
  it('accepts .evtx and .zip without --sourcetype (EVTX is XmlWinEventLog) and reports records and chunks', async () => {
    const r = await runDac(
      'replay',
      '--no-typecheck',
      '--detection',
      det,
      join(dir, 'sysmon-1-wmiexec.evtx'),
      join(dir, 'sysmon-1-wmiexec_capattack.zip'),
    );
    expect(r.err).toContain(
      'sysmon-1-wmiexec.evtx: 1 EVTX records in 1 chunks (0 damaged chunks, 0 damaged records), 1 events',
    );
    expect(r.err).toContain('sysmon-1-wmiexec_capattack.zip: zip: 3 EVTX records in 2 chunks');
    // The Sysmon EID 1 record reaches the detection's data set (normalised as XmlWinEventLog Sysmon).
    expect(r.err).toMatch(/events read 4, malformed 0, skipped 0, in data set 2,/);
    expect(r.code).toBe(0);
  });

  it('a damaged EVTX is reported with byte offsets and does not fail the replay', async () => {
    const { readFileSync, writeFileSync } = await import('node:fs');
    const b = readFileSync(join(dir, 'powershell-800-4103-4104-clear-log.evtx'));
    b[4096 + 3000] ^= 0xff;
    const p = join(tmp, 'damaged.evtx');
    writeFileSync(p, b);
    const r = await runDac('replay', '--no-typecheck', '--detection', det, p);
    expect(r.err).toContain(`${p}@0x1034: malformed: records checksum mismatch`);
    expect(r.code).toBe(0);
  });

  it('text logs still need --sourcetype', async () => {
    const r = await runDac(
      'replay',
      '--no-typecheck',
      '--detection',
      det,
      join(import.meta.dirname, '../attack_data/datasets/attack_techniques/T1572/ngrok/windows-sysmon.log'),
    );
    expect(r.code).toBe(2);
    expect(r.err).toContain("required option '--sourcetype <st>' not specified");
  });
});
