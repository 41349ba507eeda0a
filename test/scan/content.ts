// A small hand-written content tree for the scan tests (written to a temporary folder at test
// time): four detections — a base search and a tstats search that fire on the real ngrok
// attack_data Sysmon log, one that fires on nothing, one that cannot be replayed (iplocation) —
// and the macros they call, copied from this repository's own macros/.
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const repo = join(import.meta.dirname, '..', '..');
export const NGROK_SYSMON = join(repo, 'test/attack_data/datasets/attack_techniques/T1572/ngrok/windows-sysmon.log');
export const ATEXEC_EVTX = join(repo, 'test/evtx/samples/security-4698-4699-atexec.evtx');

const yaml = (s: string) => JSON.stringify(s);

export function detection(id: number, name: string, search: string, techniques: string[]): string {
  return `name: ${yaml(name)}
id: ${(0x10000000 + id).toString(16)}-2222-4333-8444-555555555555
version: 1
date: '2024-05-01'
type: TTP
search: ${yaml(search)}
tags:
  mitre_attack_id: [${techniques.join(', ')}]
`;
}

export const BASE_NAME = 'Ngrok Process By Sysmon';
export const TSTATS_NAME = 'Ngrok Process By Data Model';

/** Writes the tree (optionally with extra detections) and returns its root. */
export function writeContent(extra: Record<string, string> = {}): string {
  const root = mkdtempSync(join(tmpdir(), 'dac-scan-content-'));
  mkdirSync(join(root, 'detections', 'endpoint'), { recursive: true });
  mkdirSync(join(root, 'macros'));
  for (const m of [
    'drop_dm_object_name',
    'security_content_summariesonly',
    'summariesonly_config',
    'oldsummaries_config',
    'fillnull_config',
    'security_content_ctime',
  ])
    copyFileSync(join(repo, 'macros', `${m}.yml`), join(root, 'macros', `${m}.yml`));
  writeFileSync(
    join(root, 'macros', 'sysmon.yml'),
    // ESCU's definition (security_content b13b314 macros/sysmon.yml).
    'name: sysmon\ndefinition: sourcetype=XmlWinEventLog:Microsoft-Windows-Sysmon/Operational OR source=XmlWinEventLog:Microsoft-Windows-Sysmon/Operational OR source=Syslog:Linux-Sysmon/Operational\ndescription: d\n',
  );
  const files: Record<string, string> = {
    'base.yml': detection(
      1,
      BASE_NAME,
      '`sysmon` EventCode=1 Image=*ngrok* | stats count min(_time) as firstTime by Computer Image',
      ['T1572'],
    ),
    'tstats.yml': detection(
      2,
      TSTATS_NAME,
      '| tstats `security_content_summariesonly` count from datamodel=Endpoint.Processes where Processes.process_name=ngrok.exe by Processes.dest Processes.process | `drop_dm_object_name(Processes)`',
      ['T1572', 'T1090'],
    ),
    'silent.yml': detection(
      3,
      'Never Fires',
      '`sysmon` EventCode=1 Image=*no-such-program* | stats count by Computer',
      ['T1059.001'],
    ),
    'geo.yml': detection(4, 'Needs GeoIP', '`sysmon` EventCode=3 | iplocation DestinationIp | stats count by Country', [
      'T1041',
    ]),
    ...extra,
  };
  for (const [f, text] of Object.entries(files)) writeFileSync(join(root, 'detections', 'endpoint', f), text);
  return root;
}
