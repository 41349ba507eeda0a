// Corpus-scale check (skips without ../shared/corpus/escu): ESCU's data sources list, under
// `fields:`, the fields a Splunk with the add-on installed shows for each data source (captured
// from Splunk: they include date_*, splunk_server, timeendpos), next to a real `example_log`.
// Extracting each example log with the add-on tables must produce the listed fields — an
// independent check of tables that were transcribed from other sources (the add-on files).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLASSIC_HEADER, extractFields, flattenJson, parseWinEventLogText, type SplunkEvent } from '@dac/normalise';
import { parseEventXml } from '@dac/replay';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const dir = join(import.meta.dirname, '..', '..', '..', 'shared', 'corpus', 'escu', 'data_sources');
const have = existsSync(dir);

/** Splunk-internal fields (not search-time extractions) and what the examples cannot show. */
const NOT_EXTRACTED = new Set([
  'host',
  'index',
  'linecount',
  'punct',
  'source',
  'sourcetype',
  'splunk_server',
  'splunk_server_group',
  'tag',
  'tag::eventtype',
  'timeendpos',
  'timestartpos',
  'eventtype',
  '_time',
  'timestamp',
]);

/** ESCU's example logs are cut at a length; close the cut XML so the rest can be read. */
function repair(xml: string): string {
  if (xml.endsWith('</Event>')) return xml;
  let t = xml.replace(/<[^>]*$/, '');
  if (/<Data Name='[^']*'>[^<]*$/.test(t)) t += '</Data>';
  if (t.includes('<EventData>') && !t.includes('</EventData>')) t += '</EventData>';
  return `${t}</Event>`;
}

interface Result {
  file: string;
  listed: number;
  missing: string[];
}

function check(file: string): Result | undefined {
  const d = parse(readFileSync(join(dir, file), 'utf8')) as Record<string, unknown>;
  if (typeof d.example_log !== 'string' || !Array.isArray(d.fields)) return undefined;
  let sourcetype = String(d.sourcetype);
  let source = String(d.source);
  let text = d.example_log.trim();
  let ev: SplunkEvent;
  // Some data sources name the XML sourcetype but carry a classic-text example, or the reverse:
  // their fields follow the text, so the text decides the rendering.
  if (text.startsWith('<Event')) {
    text = repair(text);
    const r = parseEventXml(text);
    if ('error' in r) return { file, listed: 0, missing: [`unreadable example: ${r.error}`] };
    if (/^wineventlog$/i.test(sourcetype)) sourcetype = 'xmlwineventlog';
    source = source.replace(/^WinEventLog:/, 'XmlWinEventLog:');
    ev = extractFields({ fields: r.fields, time: r.time, text, line: 1 }, { sourcetype, source });
  } else if (CLASSIC_HEADER.test(text.split('\n')[0])) {
    if (text.split('\n').length < 3) return undefined; // the example is only its header line
    ev = extractFields(
      { fields: parseWinEventLogText(text), text, line: 1 },
      {
        sourcetype: 'WinEventLog',
        source: source.replace(/^XmlWinEventLog:/, 'WinEventLog:'),
      },
    );
  } else if (text.startsWith('{')) {
    ev = extractFields({ fields: flattenJson(text) ?? {}, text, line: 1 }, { sourcetype, source });
  } else return undefined;
  const listed = (d.fields as string[]).filter((f) => !f.startsWith('date_') && !NOT_EXTRACTED.has(f));
  return { file, listed: listed.length, missing: listed.filter((f) => ev[f] === undefined) };
}

describe.skipIf(!have)('ESCU data sources: the fields Splunk lists are extracted from their example events', () => {
  const files = have ? readdirSync(dir).filter((f) => f.endsWith('.yml')) : [];
  const windows = files.filter((f) => /^(windows_event_log_|sysmon_|powershell_script_block)/.test(f));

  it('Windows XML / classic, Sysmon, Sysmon for Linux, PowerShell: ≥ 97.5% of the listed fields (recall printed)', () => {
    const results = windows.map(check).filter((r): r is Result => r !== undefined && r.listed > 0);
    const listed = results.reduce((n, r) => n + r.listed, 0);
    const missing = results.flatMap((r) => r.missing.map((m) => `${r.file}: ${m}`));
    console.log(
      `ESCU data sources: ${results.length} example events, ${listed - missing.length}/${listed} listed fields extracted`,
    );
    // What is left (docs/addons.md): fields after the cut of a truncated example, the Sysmon WMI
    // events (19–21), the EID 7 parent fields, and the settings of add-on versions with no public
    // copy (TaskScheduler in Splunk_TA_windows 8.9).
    expect(results.length).toBeGreaterThan(50);
    expect(1 - missing.length / listed).toBeGreaterThanOrEqual(0.975); // measured: 3,500 / 3,572 = 0.980
    expect(missing.length).toBeLessThan(80);
  });

  it('every Sysmon 1/3/11/12/13/22 and Security 4624/4625/4688/4768/4769/5136/5140/5145 field the add-ons list', () => {
    const core = [
      'sysmon_eventid_1.yml',
      'sysmon_eventid_3.yml',
      'sysmon_eventid_11.yml',
      'sysmon_eventid_12.yml',
      'sysmon_eventid_13.yml',
      'sysmon_eventid_22.yml',
      'windows_event_log_security_4624.yml',
      'windows_event_log_security_4625.yml',
      'windows_event_log_security_4688.yml',
      'windows_event_log_security_4768.yml',
      'windows_event_log_security_4769.yml',
      'windows_event_log_security_5136.yml',
      'windows_event_log_security_5140.yml',
      'windows_event_log_security_5145.yml',
    ];
    for (const f of core) {
      const r = check(f)!;
      // AccessReason sits after the cut of the 5145 example.
      const missing = r.missing.filter((m) => !(f.endsWith('5145.yml') && m === 'AccessReason'));
      expect({ f, missing }).toEqual({ f, missing: [] });
    }
  });
});
