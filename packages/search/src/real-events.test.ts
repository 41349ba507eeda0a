/**
 * Real events through real ESCU base-search macros: the 40 XmlWinEventLog lines of the attack_data
 * certutil capture (testdata/README.md), with the `sysmon` and `wineventlog_security` macro
 * definitions of ESCU `macros/` at b13b314 (copied below). Expected counts were checked by hand
 * against the file (grep of `<EventID>` / `<Data Name='Image'>`): 20 Sysmon EID 1 (16 certutil,
 * 3 rundll32, 1 notepad), 20 Security 4688 with the same processes, 11 Sysmon events whose
 * CommandLine has `-exportPFX` (any case) with 10 distinct command lines, and every 4688
 * NewProcessId (hex) equal to a Sysmon ProcessId.
 *
 * Field extraction here is the minimum for the test (System EventID → EventCode, Computer,
 * Channel, TimeCreated → _time, every `<Data Name=X>` → X; source `XmlWinEventLog:<Channel>`);
 * the add-on's full extraction belongs to @dac/normalise.
 */
import { readFileSync } from 'node:fs';
import { macroTableFrom, builtinMacros, parseSearch } from '@dac/spl';
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { collect, prepareSearch, runBatch } from './prepare.js';
import type { Event } from './types.js';
import { toSplunkRow } from './values.js';

const ESCU_MACROS = macroTableFrom([
  {
    name: 'sysmon',
    args: [],
    definition:
      'sourcetype=XmlWinEventLog:Microsoft-Windows-Sysmon/Operational OR source=XmlWinEventLog:Microsoft-Windows-Sysmon/Operational OR source=Syslog:Linux-Sysmon/Operational',
    source: 'ESCU macros/sysmon.yml',
  },
  {
    name: 'wineventlog_security',
    args: [],
    definition: 'eventtype=wineventlog_security OR Channel=security OR source=XmlWinEventLog:Security',
    source: 'ESCU macros/wineventlog_security.yml',
  },
]);

// trimValues: false — Splunk keeps the trailing spaces some of these command lines have.
const xml = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
});

function toEvent(line: string): Event {
  const doc = xml.parse(line) as { Event: { System: Record<string, unknown>; EventData?: { Data?: unknown } } };
  const sys = doc.Event.System;
  const ev: Record<string, string | number> = { _raw: line, sourcetype: 'XmlWinEventLog' };
  ev.EventCode = String(sys.EventID);
  ev.Computer = String(sys.Computer);
  ev.host = ev.Computer;
  ev.Channel = String(sys.Channel);
  ev.source = `XmlWinEventLog:${ev.Channel}`;
  ev._time = Date.parse(String((sys.TimeCreated as Record<string, string>)['@SystemTime'])) / 1000;
  const data = doc.Event.EventData?.Data;
  for (const d of (Array.isArray(data) ? data : data ? [data] : []) as Record<string, string>[]) {
    const v = d['#text'];
    if (v !== undefined && v !== '') ev[d['@Name']!] = String(v);
  }
  return ev;
}

const events: Event[] = readFileSync(new URL('./testdata/certutil_sysmon_4688.xml.log', import.meta.url), 'utf8')
  .split('\n')
  .filter((l) => l.startsWith('<Event'))
  .map(toEvent);

async function run(spl: string) {
  const p = parseSearch(spl, new Map([...builtinMacros(), ...ESCU_MACROS]));
  expect(p.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const r = prepareSearch(p.pipeline, { now: 1610668800 });
  if (!r.ok) throw new Error(r.notReplayable.reason);
  const rows = (await collect(r.plan, events)).rows.map(toSplunkRow);
  expect((await runBatch(r.plan, events)).map(toSplunkRow)).toEqual(rows);
  return rows;
}

describe('real events (attack_data certutil capture) through ESCU base-search macros', () => {
  it('reads the 40 XML events', () => {
    expect(events).toHaveLength(40);
  });

  it('`sysmon` EventCode=1 … | stats … by Computer (raw Sysmon detection shape)', async () => {
    const rows = await run(
      '`sysmon` EventCode=1 Image="*\\\\certutil.exe" | stats count min(_time) as firstTime max(_time) as lastTime by Computer Image',
    );
    expect(rows).toEqual([
      {
        Computer: 'win-dc-791937.attackrange.local',
        Image: 'C:\\Windows\\System32\\certutil.exe',
        count: '16',
        firstTime: expect.any(String),
        lastTime: expect.any(String),
      },
    ]);
  });

  it('`sysmon` … CommandLine="*-exportPFX*" matches any case; dc and values of the command lines', async () => {
    const rows = await run(
      '`sysmon` EventCode=1 CommandLine="*-exportPFX*" | stats count dc(CommandLine) as distinct values(ParentImage) as parents min(_time) as firstTime by Computer | convert timeformat="%Y-%m-%dT%H:%M:%S" ctime(firstTime)',
    );
    expect(rows).toEqual([
      {
        Computer: 'win-dc-791937.attackrange.local',
        count: '11',
        distinct: '10',
        parents: 'C:\\Windows\\System32\\cmd.exe',
        firstTime: '2021-01-07T15:35:39',
      },
    ]);
  });

  it('`wineventlog_security` EventCode=4688 | rex … | stats count by process_name', async () => {
    const rows = await run(
      '`wineventlog_security` EventCode=4688 | rex field=NewProcessName "(?<process_name>[^\\\\\\\\]+)$" | eval process_name=lower(process_name) | stats count by process_name',
    );
    expect(rows).toEqual([
      { process_name: 'certutil.exe', count: '16' },
      { process_name: 'notepad.exe', count: '1' },
      { process_name: 'rundll32.exe', count: '3' },
    ]);
  });

  it('join 4688 (hex NewProcessId) to Sysmon EID 1 (decimal ProcessId): every process creation matches', async () => {
    const rows = await run(
      '`wineventlog_security` EventCode=4688 | eval pid=tonumber(replace(NewProcessId, "^0x", ""), 16) | join pid [search `sysmon` EventCode=1 | eval pid=ProcessId | table pid Image] | stats count by Image',
    );
    expect(rows).toEqual([
      { Image: 'C:\\Windows\\System32\\certutil.exe', count: '16' },
      { Image: 'C:\\Windows\\System32\\notepad.exe', count: '1' },
      { Image: 'C:\\Windows\\System32\\rundll32.exe', count: '3' },
    ]);
  });

  it('stays quiet on the same real events when the pattern is absent (benign: no ngrok)', async () => {
    expect(await run('`sysmon` EventCode=1 Image="*\\\\ngrok.exe" | stats count by Computer')).toEqual([]);
  });
});
