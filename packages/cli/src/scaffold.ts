import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { filterMacroName, snakeCase } from '@dac/content';

/**
 * The text of new content files (`dac new`) and of a new content repository's own files
 * (`dac init`). Every value a user types goes through `yamlScalar`, so no input can add keys or
 * break the document; SPL values through `splString`.
 */

/** A YAML scalar for a user-typed value: plain when unambiguous, else a JSON (= YAML double-quoted) string. */
export function yamlScalar(value: string): string {
  const plain =
    /^[A-Za-z][A-Za-z0-9 _.,()/+-]*$/.test(value) &&
    !/[ ]$/.test(value) &&
    !/^(true|false|yes|no|on|off|null|y|n)$/i.test(value) &&
    !/: | #/.test(value);
  return plain ? value : JSON.stringify(value);
}

/** A double-quoted SPL string (Splunk: backslash escapes `"` and `\` inside quotes). */
export function splString(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

export type NewKind = 'detection' | 'story' | 'macro' | 'data_source';

/** `# yaml-language-server: $schema=…` for a file at `file`, when the root has the kind's schema. */
export function schemaModeline(root: string, file: string, kind: NewKind | 'config'): string {
  const schema = join(root, 'schemas', `${kind}.schema.json`);
  if (!existsSync(schema)) return '';
  let rel = relative(dirname(file), schema).split(sep).join('/');
  if (!rel.startsWith('.')) rel = `./${rel}`;
  return `# yaml-language-server: $schema=${rel}\n`;
}

export function today(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10);
}

export interface DetectionSpec {
  name: string;
  type: 'TTP' | 'Anomaly' | 'Hunting' | 'Correlation';
  techniques: string[];
  story: string;
  dataSource: string;
  author: string;
  description: string;
  /** The process name the starter search looks for (Endpoint.Processes). */
  process: string;
  /** attack_data URL of the test (its local copy: test/attack_data/<path after /master/>). */
  testData: string;
  /** The test data's source and sourcetype. */
  source: string;
  sourcetype: string;
  id?: string;
  date?: string;
}

/** Where a detection's test data lives by default (an attack_data-style URL for its technique and name). */
export function defaultTestData(name: string, technique: string | undefined): string {
  const t = technique ?? 'T1059';
  return `https://media.githubusercontent.com/media/splunk/attack_data/master/datasets/attack_techniques/${t}/${snakeCase(name)}/windows-sysmon.log`;
}

/** The lines a new detection, story or data source starts with: name, id, version 1, date, author. */
function versionedHeader(spec: { name: string; author: string }, id: string, date: string): string[] {
  return [
    `name: ${yamlScalar(spec.name)}`,
    `id: ${id}`,
    'version: 1',
    `date: '${date}'`,
    `author: ${yamlScalar(spec.author)}`,
  ];
}

/** A detection in ESCU form: an Endpoint.Processes tstats search, its filter macro, risk tags, one test. */
export function detectionYaml(spec: DetectionSpec, modeline: string): string {
  const filter = filterMacroName(spec.name);
  const search =
    '| tstats `security_content_summariesonly` count min(_time) as firstTime max(_time) as lastTime ' +
    `from datamodel=Endpoint.Processes where Processes.process_name=${splString(spec.process)} ` +
    'by Processes.dest Processes.user Processes.parent_process_name Processes.process_name Processes.process ' +
    '| `drop_dm_object_name(Processes)` | `security_content_ctime(firstTime)` | `security_content_ctime(lastTime)` ' +
    `| \`${filter}\``;
  const lines = [
    ...versionedHeader(spec, spec.id ?? randomUUID(), spec.date ?? today()),
    'status: production',
    `type: ${spec.type}`,
    `description: ${yamlScalar(spec.description)}`,
    'data_source:',
    `- ${yamlScalar(spec.dataSource)}`,
    `search: ${JSON.stringify(search)}`,
    `how_to_implement: ${yamlScalar('Ingest process creation events (for example Sysmon EventID 1) mapped to the Processes dataset of the CIM Endpoint data model.')}`,
    `known_false_positives: ${yamlScalar('Administrators may run this program for legitimate reasons; filter known hosts and users in the filter macro.')}`,
    'references: []',
    'tags:',
    '  analytic_story:',
    `  - ${yamlScalar(spec.story)}`,
    '  asset_type: Endpoint',
    '  confidence: 50',
    '  impact: 50',
    `  message: ${JSON.stringify('$process_name$ was started by $parent_process_name$ on $dest$ by user $user$.')}`,
    '  mitre_attack_id:',
    ...spec.techniques.map((t) => `  - ${yamlScalar(t)}`),
    '  observable:',
    '  - name: dest',
    '    type: Hostname',
    '    role:',
    '    - Victim',
    '  - name: user',
    '    type: User',
    '    role:',
    '    - Victim',
    '  - name: process_name',
    '    type: Process',
    '    role:',
    '    - Attacker',
    '  product:',
    '  - Splunk Enterprise',
    '  - Splunk Enterprise Security',
    '  - Splunk Cloud',
    '  required_fields:',
    '  - Processes.dest',
    '  - Processes.user',
    '  - Processes.parent_process_name',
    '  - Processes.process_name',
    '  - Processes.process',
    '  risk_score: 25',
    '  security_domain: endpoint',
    'tests:',
    '- name: True Positive Test',
    '  attack_data:',
    `  - data: ${yamlScalar(spec.testData)}`,
    `    source: ${yamlScalar(spec.source)}`,
    `    sourcetype: ${yamlScalar(spec.sourcetype)}`,
  ];
  if (spec.techniques.length === 0) lines.splice(lines.indexOf('  mitre_attack_id:'), 1);
  return `${modeline}${lines.join('\n')}\n`;
}

/** The detection's `<name>_filter` macro: `search *` until the user adds exclusions (as ESCU ships them). */
export function filterMacroYaml(detectionName: string, modeline: string): string {
  const name = filterMacroName(detectionName);
  return `${modeline}name: ${name}\ndefinition: search *\ndescription: ${yamlScalar(`Update this macro to filter out false positives of ${detectionName}.`)}\n`;
}

export interface MacroSpec {
  name: string;
  definition: string;
  description: string;
  arguments: string[];
}

export function macroYaml(spec: MacroSpec, modeline: string): string {
  const lines = [
    `name: ${yamlScalar(spec.name)}`,
    `definition: ${JSON.stringify(spec.definition)}`,
    `description: ${yamlScalar(spec.description)}`,
  ];
  if (spec.arguments.length) lines.push('arguments:', ...spec.arguments.map((a) => `- ${yamlScalar(a)}`));
  return `${modeline}${lines.join('\n')}\n`;
}

export interface StorySpec {
  name: string;
  author: string;
  description: string;
  narrative: string;
}

export function storyYaml(
  spec: StorySpec,
  modeline: string,
  id: string = randomUUID(),
  date: string = today(),
): string {
  return `${modeline}${[
    ...versionedHeader(spec, id, date),
    `description: ${yamlScalar(spec.description)}`,
    `narrative: ${yamlScalar(spec.narrative)}`,
    'references: []',
    'tags:',
    '  category:',
    '  - Adversary Tactics',
    '  product:',
    '  - Splunk Enterprise',
    '  - Splunk Enterprise Security',
    '  - Splunk Cloud',
    '  usecase: Advanced Threat Detection',
  ].join('\n')}\n`;
}

export interface DataSourceSpec {
  name: string;
  author: string;
  description: string;
  source: string;
  sourcetype: string;
}

export function dataSourceYaml(
  spec: DataSourceSpec,
  modeline: string,
  id: string = randomUUID(),
  date: string = today(),
): string {
  return `${modeline}${[
    ...versionedHeader(spec, id, date),
    `description: ${yamlScalar(spec.description)}`,
    `source: ${yamlScalar(spec.source)}`,
    `sourcetype: ${yamlScalar(spec.sourcetype)}`,
  ].join('\n')}\n`;
}
