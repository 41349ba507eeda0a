import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { evaluateSearch, parsePipeline, type SearchExpr } from '@dac/spl';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { defaultDataModels } from './datamodels.js';
import { checkFieldMappings, type DataSourceMappings } from './mappings.js';
import { defaultAddonEngine } from './index.js';

const repo = join(import.meta.dirname, '..', '..', '..', '..');

/**
 * splunk/security_content `data_sources/sysmon_eventid_1.yml` at b13b314 (Apache-2.0), its CIM
 * field_mappings as published — `ParentImage: Processes.parent_process_name`.
 */
const UPSTREAM_SYSMON_1: DataSourceMappings = {
  name: 'Sysmon EventID 1',
  source: 'XmlWinEventLog:Microsoft-Windows-Sysmon/Operational',
  sourcetype: 'xmlwineventlog',
  separator: 'EventID',
  field_mappings: [
    {
      data_model: 'cim',
      data_set: 'Endpoint.Processes',
      mapping: {
        ProcessGuid: 'Processes.process_guid',
        ProcessId: 'Processes.process_id',
        Image: 'Processes.process_path',
        'Image|endswith': 'Processes.process_name',
        CommandLine: 'Processes.process',
        CurrentDirectory: 'Processes.process_current_directory',
        User: 'Processes.user',
        IntegrityLevel: 'Processes.process_integrity_level',
        Hashes: 'Processes.process_hash',
        ParentProcessGuid: 'Processes.parent_process_guid',
        ParentProcessId: 'Processes.parent_process_id',
        ParentImage: 'Processes.parent_process_name',
        ParentCommandLine: 'Processes.parent_process',
        Computer: 'Processes.dest',
        OriginalFileName: 'Processes.original_file_name',
      },
    },
  ],
};

describe('content field mappings against the add-on tables', () => {
  it('upstream ESCU ParentImage → parent_process_name contradicts the Sysmon add-on (it is the basename)', () => {
    const c = checkFieldMappings(UPSTREAM_SYSMON_1);
    expect(c).toEqual([
      expect.objectContaining({
        kind: 'differs',
        key: 'ParentImage',
        target: 'Processes.parent_process_name',
        contentValue: 'C:\\dac-probe\\ParentImage.exe',
        addonValue: 'ParentImage.exe',
      }),
    ]);
    expect(c[0].message).toMatch(/contradicts the add-on/);
  });

  it("this repository's data sources agree with the add-on tables (Sysmon 1, Security 4688)", () => {
    for (const f of ['sysmon_eventid_1.yml', 'windows_event_log_security_4688.yml']) {
      const ds = parse(readFileSync(join(repo, 'data_sources', f), 'utf8')) as DataSourceMappings;
      expect({ f, c: checkFieldMappings(ds) }).toEqual({ f, c: [] });
    }
  });

  it('a mapping to a field the add-on does not produce, and a data set the events are not in, are reported', () => {
    const c = checkFieldMappings({
      name: 'Made-up source (hand-written)',
      source: 'XmlWinEventLog:Microsoft-Windows-Sysmon/Operational',
      sourcetype: 'xmlwineventlog',
      separator: 'EventID',
      separator_value: 1,
      field_mappings: [
        { data_model: 'cim', data_set: 'Endpoint.Processes', mapping: { Nonexistent: 'Processes.process_exec' } },
        { data_model: 'cim', data_set: 'Network_Traffic.All_Traffic', mapping: { Image: 'All_Traffic.app' } },
        { data_model: 'cim', data_set: 'Endpoint.Processes', mapping: { 'Image|nosuch': 'Processes.process_name' } },
      ],
    });
    expect(c.map((x) => x.kind)).toEqual(['not-produced', 'not-in-data-set', 'bad-mapping']);
  });

  it('chcp_command_execution fires on a Sysmon 1 event of cmd.exe spawning chcp.com whatever the content maps (fidelity fix)', () => {
    // Hand-written event (labelled): the fields of a Sysmon 1 event, Image chcp.com, ParentImage cmd.exe.
    const fields = {
      EventID: '1',
      EventCode: '1',
      Channel: 'Microsoft-Windows-Sysmon/Operational',
      Computer: 'win-host.example',
      Image: 'C:\\Windows\\System32\\chcp.com',
      CommandLine: 'chcp 65001',
      ParentImage: 'C:\\Windows\\System32\\cmd.exe',
      ParentCommandLine: 'C:\\Windows\\system32\\cmd.exe /c chcp 65001',
      User: 'HOST\\user',
    };
    const ev = defaultAddonEngine().extract(
      { fields, line: 1, time: 0 },
      { sourcetype: 'xmlwineventlog', source: 'XmlWinEventLog:Microsoft-Windows-Sysmon/Operational' },
    );
    const [row] = defaultDataModels().rows(ev, 'Endpoint.Processes');
    // security_content detections/endpoint/chcp_command_execution.yml, its tstats where-clause.
    const p = parsePipeline(
      '| tstats count from datamodel=Endpoint.Processes where Processes.process_name=chcp.com Processes.parent_process_name = cmd.exe (Processes.parent_process=*/c* OR Processes.parent_process=*/k*) by Processes.dest',
    );
    const where = (p.pipeline.commands[0] as { where?: SearchExpr }).where!;
    expect(evaluateSearch(where, row, (f) => f.replace(/^Processes\./, ''))).toBe(true);
  });
});
