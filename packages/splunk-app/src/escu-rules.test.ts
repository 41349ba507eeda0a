import { describe, expect, it } from 'vitest';
import { pythonRound as pyRound, riskScoreOf } from '@dac/content';
import { dataModelsOf, providingTechnologiesOf, publishTimeOf, riskEntriesOf } from './escu-rules.js';

describe('contentctl 4.x derived values (escu-app-format.md §3.4, §4.4, §4.5)', () => {
  it('risk_score = round(confidence × impact / 100) with Python rounding (halves to even)', () => {
    expect(riskScoreOf(100, 50)).toBe(50); // seed detection
    expect(riskScoreOf(50, 25)).toBe(12); // 12.5 → 12
    expect(riskScoreOf(70, 35)).toBe(24); // 24.5 → 24
    expect(riskScoreOf(90, 50)).toBe(45);
    expect(pyRound(13.5)).toBe(14);
    expect(pyRound(0.5)).toBe(0);
    expect(pyRound(2.51)).toBe(3);
  });

  it('maps observables to risk and threat objects by role and type', () => {
    const entries = riskEntriesOf(
      [
        { name: 'user', type: 'User', role: ['Victim'] },
        { name: 'dest', type: 'Hostname', role: ['Victim'] },
        { name: 'src_ip', type: 'IP Address', role: ['Victim'] },
        { name: 'email', type: 'Email Address', role: ['Victim'] },
        { name: 'parent_process_name', type: 'Process', role: ['Attacker'] },
        { name: 'file_hash', type: 'File Hash', role: ['Attacker'] },
        { name: 'dest_ip', type: 'IP Address', role: ['Attacker'] },
        { name: 'url', type: 'URL String', role: ['Attacker'] },
        { name: 'registry_path', type: 'Registry Key', role: ['Attacker'] },
        { name: 'thing', type: 'Other', role: ['Victim'] },
      ],
      50,
    );
    expect(entries).toEqual([
      { risk_object_field: 'user', risk_object_type: 'user', risk_score: 50 },
      { risk_object_field: 'dest', risk_object_type: 'system', risk_score: 50 },
      { risk_object_field: 'src_ip', risk_object_type: 'system', risk_score: 50 },
      { risk_object_field: 'email', risk_object_type: 'user', risk_score: 50 },
      { threat_object_field: 'parent_process_name', threat_object_type: 'process' },
      { threat_object_field: 'file_hash', threat_object_type: 'file_name' },
      { threat_object_field: 'dest_ip', threat_object_type: 'ip_address' },
      { threat_object_field: 'url', threat_object_type: 'url' },
      { threat_object_field: 'registry_path', threat_object_type: 'registry key' },
      { risk_object_field: 'thing', risk_object_type: 'other', risk_score: 50 },
    ]);
  });

  it('finds data models and providing technologies as substrings of the search', () => {
    expect(dataModelsOf('| tstats count from datamodel=Endpoint.Processes')).toEqual(['Endpoint']);
    expect(dataModelsOf('datamodel=Change_Analysis')).toEqual(['Change', 'Change_Analysis']);
    expect(providingTechnologiesOf('`sysmon` EventCode=1')).toEqual(['Microsoft Sysmon']);
    expect(providingTechnologiesOf('from datamodel=Endpoint.Processes')).toEqual([
      'Carbon Black Response',
      'CrowdStrike Falcon',
      'Microsoft Sysmon',
      'Microsoft Windows',
      'Symantec Endpoint Protection',
    ]);
    expect(providingTechnologiesOf('index=foo')).toBeNull();
  });

  it('publish_time is the date at midnight UTC', () => {
    expect(publishTimeOf('2024-09-30')).toBe(1727654400);
    expect(publishTimeOf('30/09/2024')).toBeUndefined();
  });
});
