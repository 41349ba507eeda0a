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
import { compileSpec } from '../spec.js';
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

/** The separator value a data source selects: `separator_value`, else the last word of its name (`Sysmon EventID 1`). */
function separatorValue(ds: DataSourceMappings): string | undefined {
  if (ds.separator_value !== undefined && ds.separator_value !== null) return String(ds.separator_value);
  const last = /(\S+)\s*$/.exec(ds.name)?.[1];
  return last;
}

/**
 * The contradictions between a data source's CIM field mappings and the add-on knowledge
 * (default: the transcribed Splunk add-ons and the repository's CIM models). Several keys mapping
 * to one CIM field coalesce in order (as the legacy normaliser reads them); the value compared is
 * the add-on's field on the event (what a raw search sees), else the data set's (a CIM
 * calculation).
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
    const entries = Object.entries(fm.mapping).map(([k, v]) => [k, String(v)] as [string, string]);
    const { compiled, problems } = compileSpec({
      name: ds.name,
      sourcetype,
      source,
      where: {},
      dataSet,
      mapping: entries,
    });
    for (const p of problems)
      out.push({
        dataSource: ds.name,
        dataSet,
        key: p.key,
        target: p.key,
        kind: 'bad-mapping',
        message: `${ds.name}: ${p.message}`,
      });
    if (!compiled) continue;
    const fields = Object.create(null) as RawFields;
    for (const [key] of entries) {
      const raw = key.split('|')[0].trim();
      if (raw !== '' && !raw.startsWith('"')) fields[raw] = probeValue(raw);
    }
    const sep = separatorValue(ds);
    if (ds.separator && sep !== undefined) fields[ds.separator] = sep;
    if (fields.EventID !== undefined && fields.EventCode === undefined) fields.EventCode = fields.EventID;
    if (fields.EventCode !== undefined && fields.EventID === undefined) fields.EventID = fields.EventCode;
    const channel = /^(?:Xml)?WinEventLog:(.+)$/.exec(source)?.[1];
    if (channel && fields.Channel === undefined) fields.Channel = channel;
    const isXml = XML_SOURCETYPES.has(sourcetype.toLowerCase());
    const text = isXml ? probeXml(fields) : JSON.stringify(fields);
    const ev = engine.extract({ fields, text, line: 1, time: 0 }, { sourcetype, source });
    const row = models.rows(ev, dataSet)[0];
    const keysOf = (field: string) =>
      entries.filter(([, t]) => t.slice(t.lastIndexOf('.') + 1) === field).map(([k]) => k);
    for (const [field, get] of compiled.fields) {
      const keys = keysOf(field);
      const key = keys.join(', ');
      const target = entries.find(([k]) => k === keys[0])?.[1] ?? field;
      const want = first(get(fields));
      const base = { dataSource: ds.name, dataSet, key, target, contentValue: want };
      if (!row) {
        out.push({
          ...base,
          kind: 'not-in-data-set',
          message: `${ds.name}: events of ${sourcetype} / ${source} are not in ${dataSet} with the add-on's tags (eventtype: ${String(ev.eventtype ?? 'none')}; tag: ${String(ev.tag ?? 'none')})`,
        });
        continue;
      }
      const got = first(ev[field]) ?? first(row[field]);
      if (got === undefined || got === 'unknown') {
        out.push({
          ...base,
          kind: 'not-produced',
          addonValue: got,
          message: `${ds.name}: field mapping ${key} → ${target}: the add-on gives ${field} no value from it${got === 'unknown' ? ' (the data model fills "unknown")' : ''}`,
        });
      } else if (want !== got) {
        out.push({
          ...base,
          kind: 'differs',
          addonValue: got,
          message: `${ds.name}: field mapping ${key} → ${target} contradicts the add-on: on an event where each raw field holds a distinct value the mapping gives ${JSON.stringify(want)}, the add-on ${JSON.stringify(got)}`,
        });
      }
    }
  }
  return out;
}
