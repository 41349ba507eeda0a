// Test support (not exported from the package): small content trees written to temp directories.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export const DETECTION = `name: Demo Process Detection
id: 11111111-2222-4333-8444-555555555555
version: 3
date: '2024-05-01'
author: Test Author, dac
status: production
type: TTP
description: Detects a demo process.
data_source:
- Demo Source
search: '| tstats \`security_content_summariesonly\` count min(_time) as firstTime max(_time) as lastTime from datamodel=Endpoint.Processes where Processes.process_name=demo.exe by Processes.dest Processes.user Processes.process_name | \`drop_dm_object_name(Processes)\` | \`security_content_ctime(firstTime)\` | \`demo_process_detection_filter\`'
how_to_implement: Ingest process data.
known_false_positives: None known.
references:
- https://example.com/demo
tags:
  analytic_story:
  - Demo Story
  asset_type: Endpoint
  confidence: 80
  impact: 50
  message: Demo process $process_name$ ran on $dest$ by $user$.
  mitre_attack_id:
  - T1572
  observable:
  - name: dest
    type: Hostname
    role:
    - Victim
  product:
  - Splunk Enterprise
  required_fields:
  - Processes.dest
  - Processes.user
  - Processes.process_name
  risk_score: 40
  security_domain: endpoint
tests:
- name: True Positive Test
  attack_data:
  - data: https://example.com/data.log
    source: XmlWinEventLog:Microsoft-Windows-Sysmon/Operational
    sourcetype: XmlWinEventLog
`;

export const BASE_TREE: Record<string, string> = {
  'detections/endpoint/demo_process_detection.yml': DETECTION,
  'stories/demo_story.yml': `name: Demo Story
id: 21111111-2222-4333-8444-555555555555
version: 1
date: '2024-05-01'
author: Test Author, dac
description: A demo story.
narrative: Demo narrative.
tags:
  category:
  - Adversary Tactics
  product:
  - Splunk Enterprise
  usecase: Advanced Threat Detection
`,
  'data_sources/demo_source.yml': `name: Demo Source
id: 31111111-2222-4333-8444-555555555555
version: 1
date: '2024-05-01'
author: Test Author, dac
description: Demo events.
source: demo
sourcetype: demo:events
`,
  'macros/security_content_summariesonly.yml':
    'name: security_content_summariesonly\ndefinition: summariesonly=false allow_old_summaries=true fillnull_value=null\ndescription: tstats options.\n',
  'macros/security_content_ctime.yml':
    'name: security_content_ctime\narguments:\n- field\ndefinition: convert timeformat="%Y-%m-%dT%H:%M:%S" ctime($field$)\ndescription: time format.\n',
  'macros/drop_dm_object_name.yml':
    'name: drop_dm_object_name\narguments:\n- object\ndefinition: rename "$object$.*" as *\ndescription: drop prefix.\n',
  'lookups/demo_lookup.yml': 'name: demo_lookup\ndescription: demo.\nfilename: demo_lookup.csv\n',
  'lookups/demo_lookup.csv': 'a,b\n1,2\n',
};

/** Writes a content tree (BASE_TREE with overrides; `null` deletes a file) and returns its root. */
export function writeTree(
  overrides: Record<string, string | null> = {},
  base: Record<string, string> = BASE_TREE,
): { root: string; cleanup: () => void } {
  const root = mkdtempSync(join(tmpdir(), 'dac-validate-'));
  const files = { ...base, ...overrides };
  for (const [rel, text] of Object.entries(files)) {
    if (text === null) continue;
    const p = join(root, rel);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, text);
  }
  return { root, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/** The base detection with one textual replacement (throws when `from` is absent, so tests cannot silently test nothing). */
export function detectionWith(from: string | RegExp, to: string): string {
  const out = DETECTION.replace(from, to);
  if (out === DETECTION) throw new Error(`replacement ${String(from)} did not apply`);
  return out;
}
