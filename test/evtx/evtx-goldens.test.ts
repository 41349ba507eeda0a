import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseEventXml, readEvtx, type EvtxRecord } from '@dac/replay';
import { stable } from './corpus.js';
import { compareFields, type Fields, parseEvents, referenceFields, stripEvtxexportBanner } from './reference.js';

const dir = join(import.meta.dirname, 'samples');
const SAMPLES = [
  'sysmon-1-wmiexec',
  'security-4698-4699-atexec',
  'system-1-sysmon-driver-unload',
  'powershell-800-4103-4104-clear-log',
  'application-15457-sql-cmdshell',
];

async function read(name: string, opts: Parameters<typeof readEvtx>[2] = { fields: true }) {
  const records: EvtxRecord[] = [];
  const issues: string[] = [];
  const buf = readFileSync(join(dir, `${name}.evtx`));
  // Small pieces: chunk assembly across reads is exercised too.
  async function* pieces() {
    for (let i = 0; i < buf.length; i += 7000) yield buf.subarray(i, i + 7000);
  }
  const stats = await readEvtx(
    pieces(),
    { record: (r) => records.push(r), issue: (i) => issues.push(i.message) },
    opts,
  );
  return { records, issues, stats };
}

/** My rendered events, through the same XML parser and extraction as the reference's. */
function decoded(records: EvtxRecord[]): Fields[] {
  const r = referenceFields(records.map((x) => x.xml).join(''));
  if (r.error) throw new Error(r.error);
  return r.fields;
}

describe('EVTX reader against reference renderings (committed goldens)', () => {
  for (const name of SAMPLES) {
    it(`${name}: same records and fields as evtxexport -f xml (libevtx)`, async () => {
      const { records, issues } = await read(name);
      expect(issues).toEqual([]);
      const ref = referenceFields(stripEvtxexportBanner(readFileSync(join(dir, `${name}.evtxexport.xml`), 'utf8')));
      expect(ref.error).toBeUndefined();
      expect(records.length).toBe(ref.fields.length);
      const c = compareFields(decoded(records), ref.fields, false);
      expect(c.mismatches).toEqual([]);
      expect(c.fields).toBeGreaterThan(10 * records.length);
    });
    it(`${name}: same records and fields as evtx_dump.py (python-evtx), its renderings normalised`, async () => {
      const { records } = await read(name);
      const ref = referenceFields(readFileSync(join(dir, `${name}.evtx_dump.xml`), 'utf8'));
      expect(records.length).toBe(ref.fields.length);
      expect(compareFields(decoded(records), ref.fields, true).mismatches).toEqual([]);
    });
    it(`${name}: the fields handed over directly equal parseEventXml of the rendered text`, async () => {
      for (const opts of [
        { decodeEntities: false, wanted: undefined },
        { decodeEntities: true, wanted: undefined },
        {
          decodeEntities: false,
          wanted: new Set(['EventCode', 'CommandLine', 'Image', 'Channel', 'Data', 'TaskContent']),
        },
      ]) {
        const { records } = await read(name, { fields: true, ...opts });
        for (const r of records) {
          const p = parseEventXml(r.xml, opts.decodeEntities, opts.wanted);
          if ('error' in p) throw new Error(p.error);
          expect(r.fields).toBeDefined();
          expect(stable(r.fields as Fields)).toBe(stable({ ...p.fields } as Fields));
          expect(r.time).toBe(p.time);
        }
      }
    });
  }

  it("renders Splunk's XmlWinEventLog text (single quotes, self-closed empty elements, unpadded hex, 9-digit SystemTime, &amp;)", async () => {
    // splunk-semantics.md §5.1, the real certutil .raw lines: Windows' EvtRender text.
    const { records } = await read('sysmon-1-wmiexec');
    const xml = records[0]!.xml;
    expect(
      xml.startsWith(
        "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='Microsoft-Windows-Sysmon' Guid='{5770385F-C22A-43E0-BF4C-06F5698FFBD9}'/><EventID>1</EventID><Version>5</Version>",
      ),
    ).toBe(true);
    expect(xml).toContain(
      "<TimeCreated SystemTime='2021-04-26T15:03:05.992230700Z'/><EventRecordID>191969</EventRecordID><Correlation/><Execution ProcessID='1404' ThreadID='1996'/>",
    );
    expect(xml).toContain("<Security UserID='S-1-5-18'/></System><EventData><Data Name='RuleName'>technique_id=T1015");
    expect(xml).toContain("<Data Name='LogonId'>0x3e7</Data>");
    expect(xml).toContain("<Data Name='LogonGuid'>{7CF65FC7-2E59-6080-E703-000000000000}</Data>");
    expect(xml).toContain('2^&gt;^&amp;1 &gt; C:\\Windows\\TEMP\\execute.bat &amp;');
    expect(xml).toContain('Microsoft® Windows® Operating System');
    expect(xml.endsWith('</EventData></Event>')).toBe(true);
    expect(xml).not.toMatch(/[\n\r]/);
    // The replay's XML reader takes it as it takes attack_data's lines; `&amp;` stays literal (§1.11).
    const p = parseEventXml(xml);
    if ('error' in p) throw new Error(p.error);
    expect(p.fields.EventCode).toBe('1');
    expect(p.fields.Channel).toBe('Microsoft-Windows-Sysmon/Operational');
    expect(p.fields.ParentCommandLine).toContain('&amp; del');
  });

  it('a string array repeats its element once per item; Binary is upper-case hex', async () => {
    const { records } = await read('application-15457-sql-cmdshell');
    expect(records[0]!.xml).toContain(
      '<EventData><Data>xp_cmdshell</Data><Data>0</Data><Data>1</Data><Binary>613C00000A0000000E000000',
    );
    expect(records[0]!.fields!.Data).toEqual(['xp_cmdshell', '0', '1']);
  });

  it('records stored without templates (both reference tools fail on them) match the file structure', async () => {
    const { records, issues, stats } = await read('rdp-1149-no-template');
    expect(issues).toEqual([]);
    const buf = readFileSync(join(dir, 'rdp-1149-no-template.evtx'));
    // Chunk header: first and last event record number (u64 at 4096+8, 4096+16).
    const first = Number(buf.readBigUInt64LE(4096 + 8));
    const last = Number(buf.readBigUInt64LE(4096 + 16));
    expect(stats.records).toBe(last - first + 1);
    expect(records).toHaveLength(11);
    const trees = parseEvents(records.map((r) => r.xml).join(''));
    expect(trees.error).toBeUndefined();
    expect(trees.events).toHaveLength(11);
    // "Save as" renumbers the records (header ids 1…11) and keeps each event's own EventRecordID.
    expect(records.map((r) => r.recordId)).toEqual(records.map((_, i) => first + i));
    for (const r of records) {
      expect(r.fields!.EventRecordID).toMatch(/^\d+$/);
      expect(r.fields!.EventCode).toBe('1149');
      expect(r.fields!.Channel).toBe('Microsoft-Windows-TerminalServices-RemoteConnectionManager/Operational');
      expect(r.fields!.Param1).toBeDefined();
    }
  });
});
