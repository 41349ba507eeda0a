/**
 * Values contentctl 4.x derives from a detection at build time, as data (escu-app-format.md
 * §3.3, §3.4, §4.4; splunk/contentctl `objects/enums.py` and `detection_abstract.py`).
 * Each is a small table or function so a change in the target format is a one-line edit.
 */
import type { PyJsonValue } from './py-json.js';
import { comparePyStr } from './py-json.js';

/**
 * CIM data-model names, in contentctl's `DataModel` enum order; a detection lists each one whose
 * name is a substring of its search (so `Change_Analysis` also yields `Change`).
 */
export const DATA_MODELS = [
  'Endpoint',
  'Network_Traffic',
  'Authentication',
  'Change',
  'Change_Analysis',
  'Email',
  'Network_Resolution',
  'Network_Sessions',
  'UEBA',
  'Updates',
  'Vulnerabilities',
  'Web',
  'Risk',
  'Splunk_Audit',
] as const;

export function dataModelsOf(search: string): string[] {
  return DATA_MODELS.filter((dm) => search.includes(dm));
}

const GOOGLE = ['Google Workspace', 'Google Cloud Platform'];
/** contentctl `ProvidingTechnology.getProvidingTechFromSearch`: search substring → technologies. */
export const PROVIDING_TECHNOLOGIES: [string, string[]][] = [
  ['`amazon_security_lake`', ['Amazon Security Lake']],
  ['audit_searches', ['Splunk Internal Logs']],
  ['`azure_monitor_aad`', ['Azure AD', 'Entra ID']],
  ['`cloudtrail`', ['Amazon Web Services - Cloudtrail']],
  // Not a macro: captures use of the Endpoint data model.
  [
    'Endpoint',
    [
      'Microsoft Sysmon',
      'Microsoft Windows',
      'Carbon Black Response',
      'CrowdStrike Falcon',
      'Symantec Endpoint Protection',
    ],
  ],
  ['`google_', GOOGLE],
  ['`gsuite', GOOGLE],
  ['`gws_', GOOGLE],
  ['`kube', ['Kubernetes']],
  ['`ms_defender`', ['Microsoft Defender']],
  ['`o365_', ['Microsoft Office 365']],
  ['`okta', ['Okta']],
  ['`pingid`', ['Ping ID']],
  ['`powershell`', ['Microsoft Windows']],
  ['`splunkd_', ['Splunk Internal Logs']],
  ['`sysmon`', ['Microsoft Sysmon']],
  ['`wineventlog_security`', ['Microsoft Windows']],
  ['`zeek_', ['Zeek']],
];

/** Sorted, de-duplicated technologies, or `null` (contentctl writes the literal `null` when none). */
export function providingTechnologiesOf(search: string): string[] | null {
  const found = new Set<string>();
  for (const [needle, techs] of PROVIDING_TECHNOLOGIES)
    if (search.includes(needle)) for (const t of techs) found.add(t);
  return found.size ? [...found].sort(comparePyStr) : null;
}

export interface ObservableLike {
  name: string;
  type: string;
  role: string[];
}

/**
 * v4 conversion of `tags.observable` into `action.risk.param._risk` (escu-app-format.md §3.4),
 * in observable order. Keys inside each entry are sorted by the JSON writer.
 */
export function riskEntriesOf(observables: ObservableLike[], score: number): PyJsonValue[] {
  const out: PyJsonValue[] = [];
  for (const o of observables) {
    const type = o.type.toLowerCase();
    const victim = o.role.includes('Victim');
    const attacker = o.role.includes('Attacker');
    if (victim && ['user', 'username', 'email address'].includes(type)) {
      out.push({ risk_object_field: o.name, risk_object_type: 'user', risk_score: score });
    } else if (victim && ['device', 'endpoint', 'hostname', 'ip address'].includes(type)) {
      out.push({ risk_object_field: o.name, risk_object_type: 'system', risk_score: score });
    } else if (attacker && ['process name', 'process'].includes(type)) {
      out.push({ threat_object_field: o.name, threat_object_type: 'process' });
    } else if (attacker && ['file name', 'file', 'file hash'].includes(type)) {
      out.push({ threat_object_field: o.name, threat_object_type: 'file_name' });
    } else if (attacker && type === 'ip address') {
      out.push({ threat_object_field: o.name, threat_object_type: 'ip_address' });
    } else if (attacker && ['url string', 'url'].includes(type)) {
      out.push({ threat_object_field: o.name, threat_object_type: 'url' });
    } else if (attacker) {
      out.push({ threat_object_field: o.name, threat_object_type: type });
    } else {
      out.push({ risk_object_field: o.name, risk_object_type: 'other', risk_score: score });
    }
  }
  return out;
}

/** ES severity band from a risk score (v5 `RiskSeverity`; used for the notable's severity). */
export function severityOf(score: number): string {
  if (score <= 20) return 'informational';
  if (score <= 40) return 'low';
  if (score <= 60) return 'medium';
  if (score <= 80) return 'high';
  return 'critical';
}

/** Actions of ESCU's default deployments ("ESCU Default Configuration <Type>"). */
export interface Deployment {
  rba: boolean;
  notable: boolean;
  cron_schedule: string;
  earliest_time: string;
  latest_time: string;
  schedule_window: string;
}

const SCHEDULE = {
  cron_schedule: '0 * * * *',
  earliest_time: '-70m@m',
  latest_time: '-10m@m',
  schedule_window: 'auto',
};
export const DEFAULT_DEPLOYMENTS: Record<string, Deployment> = {
  TTP: { rba: true, notable: true, ...SCHEDULE },
  Anomaly: { rba: true, notable: false, ...SCHEDULE },
  Hunting: { rba: false, notable: false, ...SCHEDULE },
  Correlation: { rba: false, notable: true, ...SCHEDULE },
};

/** ESCU notable defaults: `nes_fields = user,dest`, title `%name%`, description `%description%`. */
export const NOTABLE_NES_FIELDS = ['user', 'dest'];

/** The placeholder a drilldown search uses for the detection's own search. */
export const DRILLDOWN_PLACEHOLDER = '%original_detection_search%';

/** `publish_time` of the metadata line: the detection date at 00:00 UTC, in epoch seconds. */
export function publishTimeOf(date: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) return undefined;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / 1000;
}
