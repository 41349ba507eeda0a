/**
 * The field table of each input stream the add-on tables know: which fields a search can read on
 * events of that sourcetype (and source), for typing generated matchers (@dac/matchers takes the
 * tables as data; the CLI and the replay pass these). Streams: every `[source::…]` stanza of the
 * tables (with the sourcetype its source names: `XmlWinEventLog:Security` → XmlWinEventLog),
 * every sourcetype stanza and every input profile's sourcetype (as "any other source").
 */
import type { AddonEngine } from './engine.js';
import { defaultAddonEngine } from './index.js';

/** Fields of the Windows event XML's `<System>` block the reader gives (REPORT-0xml_kv_extract). */
const XML_SYSTEM_FIELDS = [
  'EventID',
  'EventCode',
  'Version',
  'Level',
  'Task',
  'Opcode',
  'Keywords',
  'SystemTime',
  'EventRecordID',
  'Channel',
  'Computer',
  'ProcessID',
  'ThreadID',
  'UserID',
  'Name',
  'Guid',
  'ActivityID',
  'System_Props_Xml',
  'EventData_Xml',
  'UserData_Xml',
];

export interface StreamFieldTableData {
  name: string;
  sourcetype: string;
  source?: string;
  known?: Record<string, string | null>;
  excluded?: Record<string, string[]>;
  eventtypes?: string[];
  sources?: string[];
  fields: { name: string; multivalue?: boolean }[];
  origin: string;
}

/**
 * Sources only these sourcetypes' inputs write (Splunk's Windows event log inputs name the source
 * `<sourcetype>:<channel>`, inputs.conf.spec [WinEventLog://…]; Sysmon for Linux:
 * `Syslog:Linux-Sysmon/Operational`, ESCU data_sources/sysmon_for_linux_*.yml). Used only to type
 * matchers: a stream of another sourcetype never has these sources.
 */
const SOURCES_OF: Record<string, string[]> = {
  XmlWinEventLog: ['XmlWinEventLog:*'],
  xmlwineventlog: ['XmlWinEventLog:*'],
  WinEventLog: ['WinEventLog:*'],
  wineventlog: ['WinEventLog:*'],
  'sysmon:linux': ['Syslog:Linux-Sysmon/Operational'],
};

let cached: StreamFieldTableData[] | undefined;

/** The field tables of every stream of the add-on knowledge (cached for the default engine). */
export function streamFieldTables(engine: AddonEngine = defaultAddonEngine()): StreamFieldTableData[] {
  if (engine === defaultAddonEngine() && cached) return cached;
  const k = engine.knowledge;
  const specific: { sourcetype: string; source: string }[] = [];
  for (const s of k.stanzas)
    if ('source' in s.match && !/[*]|\.\.\./.test(s.match.source)) {
      const st = s.match.source.slice(0, s.match.source.indexOf(':'));
      if (st) specific.push({ sourcetype: st, source: s.match.source });
    }
  const sourcetypes = new Set<string>();
  for (const s of k.stanzas) if ('sourcetype' in s.match) sourcetypes.add(s.match.sourcetype);
  for (const p of k.inputs) for (const st of p.sourcetypes) sourcetypes.add(st);
  const out: StreamFieldTableData[] = [];
  const table = (sourcetype: string, source: string | undefined): StreamFieldTableData => {
    const x = engine.extractor(sourcetype, source ?? '');
    const xml = x.profile?.format === 'xml';
    const fields = new Map<string, { name: string; multivalue?: boolean }>();
    if (xml) for (const f of XML_SYSTEM_FIELDS) fields.set(f, { name: f });
    if (xml) fields.set('Data', { name: 'Data', multivalue: true });
    for (const f of x.knownFields())
      if (!f.name.startsWith('_') || f.name === '_raw')
        fields.set(f.name, f.multivalue ? { name: f.name, multivalue: true } : { name: f.name });
    const others = specific.filter((s) => s.sourcetype === sourcetype).map((s) => s.source);
    const channelOf = (src: string) => src.slice(src.indexOf(':') + 1);
    const origin =
      [...new Set(x.stanzas.map((s) => `${s.addon.id} ${s.addon.version}`))].join(', ') || 'default fields only';
    const t: StreamFieldTableData = {
      name: `${sourcetype}${source ? `_${channelOf(source)}` : ''}`.replace(/[^A-Za-z0-9_]/g, '_'),
      sourcetype,
      eventtypes: [...x.eventtypes],
      fields: [...fields.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
      origin,
    };
    if (source) {
      t.source = source;
      if (xml) t.known = { Channel: channelOf(source) };
    } else if (others.length > 0) {
      t.excluded = { source: others, ...(xml ? { Channel: others.map(channelOf) } : {}) };
    }
    if (!xml) t.known = { ...(t.known ?? {}), Channel: null };
    const claim = SOURCES_OF[sourcetype];
    if (!source && claim) t.sources = claim;
    return t;
  };
  for (const s of specific) out.push(table(s.sourcetype, s.source));
  for (const st of [...sourcetypes].sort()) out.push(table(st, undefined));
  // Names stay unique (a sanitised name could collide).
  // Names stay unique, also case-insensitively (they name files: XmlWinEventLog / xmlwineventlog).
  const used = new Set<string>();
  for (const t of out) {
    let n = t.name;
    for (let i = 2; used.has(n.toLowerCase()); i++) n = `${t.name}_${i}`;
    used.add(n.toLowerCase());
    t.name = n;
  }
  if (engine === defaultAddonEngine()) cached = out;
  return out;
}
