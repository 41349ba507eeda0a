/**
 * Content field mappings against the add-ons: a data source's `field_mappings` (ESCU
 * `data_sources/*.yml`) are documentation of what the add-on does, not the add-on. Upstream ESCU
 * maps Sysmon's `ParentImage` (a full path) to `Processes.parent_process_name`, while the Sysmon
 * add-on makes parent_process_name the basename — so a replay that trusted the content would
 * match `parent_process_name=cmd.exe` where Splunk does not (chcp_command_execution). dac
 * normalises with the add-on tables and reports each contradicting mapping as a warning.
 *
 * How a mapping is checked: a probe event of the data source (its sourcetype, source and
 * separator value, e.g. `EventID: 1`) carries every raw field the mappings read, each with a
 * distinct path-shaped value (`C:\dac-probe\ParentImage.exe`); it is extracted with the add-on
 * knowledge and put through the CIM data set. A mapping contradicts the add-on when the value
 * the mapping implies for the CIM field (its key applied to the probe, with the ESCU derivations
 * `|endswith`, `|basename`, …) differs from the value the data set's row has — or when the row
 * has no value, or the probe is not in the data set at all.
 */
import { compileMappingKey } from '../spec.js';
import type { RawFields } from '../types.js';
import { SPLUNK_ADDONS } from './tables/index.js';
import { createAddonEngine, type AddonEngine } from './engine.js';
import { defaultDataModels, type DataModelProvider } from './datamodels.js';
import type { Knowledge } from './model.js';

/** The part of an ESCU data source the check reads. */
export interface DataSourceMappings {
  name: string;
  source?: string;
  sourcetype?: string;
  separator?: string;
  separator_value?: string | number;
  field_mappings?: { data_model?: string; data_set?: string; mapping?: Record<string, unknown> }[];
}

export interface MappingContradiction {
  dataSource: string;
  dataSet: string;
  /** The mapping key as written (`ParentImage`, `Image|endswith`). */
  key: string;
  /** The CIM field as written (`Processes.parent_process_name`). */
  target: string;
  kind: 'differs' | 'not-produced' | 'not-in-data-set' | 'bad-mapping';
  /** The value the content mapping implies on the probe event. */
  contentValue?: string;
  /** The value the add-on (and the data model) gives on the probe event. */
  addonValue?: string;
  message: string;
}

const XML_SOURCETYPES = new Set(['xmlwineventlog', 'sysmon:linux']);

function probeValue(field: string): string {
  return `C:\\dac-probe\\${field}.exe`;
}

function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A Windows-XML rendering of the probe, so settings that read `_raw` (Computer_as_dest) see it. */
function probeXml(fields: RawFields): string {
  const system = ['EventID', 'Channel', 'Computer'];
  const sys = system
    .filter((f) => typeof fields[f] === 'string')
    .map((f) => `<${f}>${xmlEscape(fields[f] as string)}</${f}>`)
    .join('');
  const data = Object.keys(fields)
    .filter((f) => !system.includes(f) && f !== 'EventCode')
    .map((f) => `<Data Name='${f}'>${xmlEscape(String(fields[f]))}</Data>`)
    .join('');
  return `<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>${sys}</System><EventData>${data}</EventData></Event>`;
}

function first(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (Array.isArray(v)) return v.length ? String(v[0]) : undefined;
  return String(v);
}

/**
 * The contradictions between a data source's CIM field mappings and the add-on knowledge
 * (default: the transcribed Splunk add-ons and the repository's CIM models).
 */
export function checkFieldMappings(
  ds: DataSourceMappings,
  opts: { knowledge?: Knowledge; engine?: AddonEngine; dataModels?: DataModelProvider } = {},
): MappingContradiction[] {
  const out: MappingContradiction[] = [];
  if (!ds || typeof ds.name !== 'string' || !Array.isArray(ds.field_mappings)) return out;
  const sourcetype = typeof ds.sourcetype === 'string' ? ds.sourcetype : undefined;
  const source = typeof ds.source === 'string' ? ds.source : undefined;
  if (!sourcetype || !source) return out;
  const engine = opts.engine ?? createAddonEngine(opts.knowledge ?? SPLUNK_ADDONS);
  const models = opts.dataModels ?? defaultDataModels();
  for (const fm of ds.field_mappings) {
    if (!fm || String(fm.data_model).toLowerCase() !== 'cim' || typeof fm.data_set !== 'string' || !fm.mapping)
      continue;
    const dataSet = fm.data_set;
    const entries = Object.entries(fm.mapping).map(([k, v]) => [k, String(v)] as const);
    const fields = Object.create(null) as RawFields;
    const keys: { key: string; target: string; get?: (f: RawFields) => unknown }[] = [];
    for (const [key, target] of entries) {
      const c = compileMappingKey(key);
      if ('error' in c) {
        out.push({ dataSource: ds.name, dataSet, key, target, kind: 'bad-mapping', message: c.error });
        continue;
      }
      const raw = key.split('|')[0].trim();
      if (!raw.startsWith('"')) fields[raw] = probeValue(raw);
      keys.push({ key, target, get: c.get });
    }
    if (ds.separator && ds.separator_value !== undefined) fields[ds.separator] = String(ds.separator_value);
    if (fields.EventID !== undefined && fields.EventCode === undefined) fields.EventCode = fields.EventID;
    if (fields.EventCode !== undefined && fields.EventID === undefined) fields.EventID = fields.EventCode;
    const channel = /^(?:Xml)?WinEventLog:(.+)$/.exec(source)?.[1];
    if (channel && fields.Channel === undefined) fields.Channel = channel;
    const isXml = XML_SOURCETYPES.has(sourcetype.toLowerCase());
    const text = isXml ? probeXml(fields) : JSON.stringify(fields);
    const ev = engine.extract({ fields, text, line: 1, time: 0 }, { sourcetype, source });
    const row = models.rows(ev, dataSet)[0];
    for (const k of keys) {
      const field = k.target.includes('.') ? k.target.slice(k.target.lastIndexOf('.') + 1) : k.target;
      const want = first(k.get?.(fields));
      if (!row) {
        out.push({
          dataSource: ds.name,
          dataSet,
          key: k.key,
          target: k.target,
          kind: 'not-in-data-set',
          contentValue: want,
          message: `${ds.name}: events of ${sourcetype} / ${source} are not in ${dataSet} with the add-on's tags (eventtype: ${String(ev.eventtype ?? 'none')}, tag: ${String(ev.tag ?? 'none')})`,
        });
        continue;
      }
      const got = first(row[field]);
      if (got === undefined || got === 'unknown') {
        out.push({
          dataSource: ds.name,
          dataSet,
          key: k.key,
          target: k.target,
          kind: 'not-produced',
          contentValue: want,
          addonValue: got,
          message: `${ds.name}: field mapping ${k.key} → ${k.target}: the add-on gives ${field} no value from ${k.key}${got === 'unknown' ? ' (the data model fills "unknown")' : ''}`,
        });
      } else if (want !== got) {
        out.push({
          dataSource: ds.name,
          dataSet,
          key: k.key,
          target: k.target,
          kind: 'differs',
          contentValue: want,
          addonValue: got,
          message: `${ds.name}: field mapping ${k.key} → ${k.target} contradicts the add-on: for ${k.key.split('|')[0]}=${JSON.stringify(fields[k.key.split('|')[0]] ?? '')} the mapping gives ${JSON.stringify(want)}, the add-on ${JSON.stringify(got)}`,
        });
      }
    }
  }
  return out;
}
