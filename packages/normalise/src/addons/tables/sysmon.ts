/**
 * Splunk Add-on for Sysmon (Splunk_TA_microsoft_sysmon, Splunkbase 5709) — the add-on ESCU's
 * tests install (4.0.0 in splunk/contentctl `contentctl/objects/config.py` DEFAULT_APPS; 4.0.2 in
 * ESCU's `data_sources/sysmon_eventid_*.yml`). No public copy of any 1.x–5.x version was found
 * (splunk-semantics.md, "Sources"), so this table is a reconstruction, and says so per entry:
 *
 * - [8.1.0]: the setting exists with this meaning in its predecessor TA-microsoft-sysmon 8.1.0
 *   (`default/props.conf`, `transforms.conf`, `eventtypes.conf`, `tags.conf`, `lookups/eventcode.csv`
 *   at dimarra/TA-Microsoft-Sysmon@af26687), with the event-code set extended to the Sysmon event
 *   IDs added since;
 * - [4.0.2 fields]: a field the ESCU data source of that event ID lists (its `fields:` were
 *   captured from a Splunk running 4.0.2), with the raw field it obviously comes from;
 * - [ESCU use]: the mapping that ESCU's own searches assume (e.g. `parent_process_name` of a
 *   Sysmon 10 event is the source process);
 * - [5.x note]: described for 5.0.x by a public generator of Sysmon test events
 *   (search corpus, "Sysmon registry events … as Splunk_TA_microsoft_sysmon reads them").
 *
 * The add-on keys everything on the source (`[source::XmlWinEventLog:Microsoft-Windows-Sysmon/
 * Operational]`) and renames the sourcetype to `xmlwineventlog`, so Splunk_TA_windows'
 * `[xmlwineventlog]` extraction runs first and these settings layer on top of it (a source stanza
 * wins over a sourcetype stanza on the same setting, e.g. EVAL-vendor_product).
 */
import type { AddonRef, Eventtype, KnowledgeOp, LookupTable, Stanza, Transform } from '../model.js';

export const SPLUNK_TA_SYSMON: AddonRef = {
  id: 'Splunk_TA_microsoft_sysmon',
  title: 'Splunk Add-on for Sysmon',
  version: '4.0.x (reconstructed)',
  seen: 'dimarra/TA-Microsoft-Sysmon@af26687 (TA-microsoft-sysmon 8.1.0, the predecessor) + ESCU data_sources/sysmon_eventid_*.yml fields (4.0.2)',
  escuVersion: '4.0.0 (contentctl DEFAULT_APPS), 4.0.2 (ESCU data_sources supported_TA)',
  note: 'No public copy of Splunk_TA_microsoft_sysmon; see the per-entry tags in tables/sysmon.ts.',
};

const SRC = 'source::XmlWinEventLog:Microsoft-Windows-Sysmon/Operational';
const at = (setting: string, basis: string) => `props.conf [${SRC}] ${setting} ${basis}`;

/** `case(EventCode IN (…), expr, …)` from [codes, expr] pairs (the TA's own pattern). */
function byCode(cases: [number[], string][]): string {
  return `case(${cases.map(([codes, e]) => `EventCode IN (${codes.join(',')}), ${e}`).join(', ')})`;
}

/**
 * The TA's basename: `replace(X,"(.*\\\)(?=.*(\.\w*)$|(\w+)$)","")` — strips everything up to the
 * last backslash (case kept) when the rest ends in an extension or a word.
 */
const base = (f: string) => `replace(${f},"(.*\\\\\\)(?=.*(\\.\\w*)$|(\\w+)$)","")`;

/** Sysmon event IDs whose `Image` is the acting process. */
const IMAGE_EVENTS = [1, 2, 3, 5, 7, 9, 11, 12, 13, 14, 15, 17, 18, 22, 23, 24, 25, 26, 27, 28, 29];
const GUID_EVENTS = [1, 2, 3, 5, 9, 11, 12, 13, 14, 15, 17, 18, 22, 23, 24, 25, 26, 27, 28, 29];
const PID_EVENTS = [1, 2, 3, 5, 9, 11, 12, 13, 14, 15, 17, 18, 23, 24, 25, 26, 27, 28, 29];
const SOURCE_TARGET = [8, 10];

/** `TA-microsoft-sysmon` REPORT-sysmon transforms (8.1.0), as far as 4.0.2 lists their fields. */
const REPORTS: Transform[] = [
  ['sysmon-created', '_raw', String.raw`<TimeCreated SystemTime='(.*?)'\/>`, 'TimeCreated'],
  ['sysmon-record', '_raw', String.raw`<EventRecordID>(\d+)<\/EventRecordID>`, 'RecordID'],
  ['sysmon-channel', '_raw', String.raw`<Channel>(.*?)<\/Channel>`, 'EventChannel'],
  ['sysmon-sid', '_raw', String.raw`<Security UserID='(S-[0-9a-fA-f-]+)'\/>`, 'SecurityID'],
  ['sysmon-md5', '_raw', 'MD5=([a-fA-F0-9]{32})', 'MD5'],
  ['sysmon-sha1', '_raw', 'SHA1=([a-fA-F0-9]{40})', 'SHA1'],
  ['sysmon-sha256', '_raw', 'SHA256=([a-fA-F0-9]{64})', 'SHA256'],
  ['sysmon-imphash', '_raw', 'IMPHASH=([a-fA-F0-9]{32})', 'IMPHASH'],
  ['sysmon-filename', 'TargetFilename', String.raw`([^\\]+)$`, 'file_name'],
].map(([name, from, regex, field]) => ({
  name,
  from,
  regex,
  out: { [field]: 1 },
  at: `transforms.conf [${name}] [8.1.0; 4.0.2 fields]`,
}));

/** `Details` of a registry value: `DWORD (0x00000001)` → type DWORD, data 0x00000001. */
const REGISTRY_VALUE: Transform = {
  name: 'sysmon-registry-value',
  from: 'Details',
  regex: String.raw`^(\w+)\s\((.+)\)$`,
  out: { RegistryValueType: 1, RegistryValueData: 2 },
  at: "transforms.conf (RegistryValueData / RegistryValueType) [4.0.2 fields; 5.x note: `<Data Name='Details'>\\w+\\s\\((.+)\\)</Data>`]",
};

/** Sysmon's event names: TA-microsoft-sysmon 8.1.0 lookups/eventcode.csv, 22–29 added from Sysmon's event list. */
const EVENTCODES: LookupTable = {
  name: 'eventcode',
  columns: ['EventCode', 'EventDescription'],
  at: 'transforms.conf [eventcode] lookups/eventcode.csv [8.1.0; 22–29: Sysmon event names, dac]',
  rows: [
    ['1', 'Process Create'],
    ['2', 'File Create Time'],
    ['3', 'Network Connect'],
    ['4', 'Sysmon Start'],
    ['5', 'Process Terminate'],
    ['6', 'Driver Load'],
    ['7', 'Image Load'],
    ['8', 'Create Remote Thread'],
    ['9', 'Raw Access Read'],
    ['10', 'Process Access'],
    ['11', 'File Created'],
    ['12', 'Registry object added or deleted'],
    ['13', 'Registry value set'],
    ['14', 'Registry object renamed'],
    ['15', 'File stream created'],
    ['16', 'Sysmon Configuration Changed'],
    ['17', 'Pipe Created'],
    ['18', 'Pipe Connected'],
    ['19', 'WmiEventFilter activity detected'],
    ['20', 'WmiEventConsumer activity detected'],
    ['21', 'WmiEventConsumerToFilter activity detected'],
    ['22', 'Dns query'],
    ['23', 'File Delete archived'],
    ['24', 'Clipboard changed'],
    ['25', 'Process Tampering'],
    ['26', 'File Delete logged'],
    ['27', 'File Block Executable'],
    ['28', 'File Block Shredding'],
    ['29', 'File Executable Detected'],
    ['255', 'Error'],
  ],
};

type EvalRow = [field: string, expr: string, basis: string];

const EVALS: EvalRow[] = [
  ['vendor_product', '"Microsoft Sysmon"', '[8.1.0]'],
  [
    'process_name',
    byCode([
      [IMAGE_EVENTS, base('Image')],
      [[6], '"System"'],
      [SOURCE_TARGET, base('TargetImage')],
    ]),
    '[8.1.0 for Image events and 6; 8/10: the target process, ESCU use]',
  ],
  [
    'process_exec',
    byCode([
      [IMAGE_EVENTS, base('Image')],
      [[6], '"System"'],
      [SOURCE_TARGET, base('TargetImage')],
    ]),
    '[8.1.0; 4.0.2 fields]',
  ],
  [
    'process_path',
    byCode([
      [IMAGE_EVENTS.filter((c) => c !== 3 && c !== 22), 'Image'],
      [[6], 'ImageLoaded'],
      [SOURCE_TARGET, 'TargetImage'],
    ]),
    '[8.1.0 FIELDALIAS process_path = Image; 3 and 22 have none in 4.0.2 fields; 6: the driver]',
  ],
  [
    'process_id',
    byCode([
      [PID_EVENTS, 'ProcessId'],
      [SOURCE_TARGET, 'TargetProcessId'],
    ]),
    '[8.1.0 FIELDALIAS process_id = ProcessId; 8/10 target, ESCU use]',
  ],
  [
    'process_guid',
    byCode([
      [GUID_EVENTS, 'ProcessGuid'],
      [SOURCE_TARGET, 'coalesce(TargetProcessGuid, TargetProcessGUID)'],
    ]),
    '[8.1.0 FIELDALIAS process_guid = ProcessGuid]',
  ],
  [
    'process',
    byCode([
      [[1], 'CommandLine'],
      [[5], 'Image'],
    ]),
    '[8.1.0 FIELDALIAS process = CommandLine; 5: 4.0.2 fields]',
  ],
  ['process_hash', byCode([[[1, 6, 7], 'Hashes']]), '[8.1.0 FIELDALIAS process_hash = Hashes; 4.0.2 fields 1, 6, 7]'],
  ['process_integrity_level', byCode([[[1], 'IntegrityLevel']]), '[8.1.0]'],
  ['process_current_directory', byCode([[[1], 'CurrentDirectory']]), '[8.1.0]'],
  [
    'original_file_name',
    byCode([[[1, 7], 'if(OriginalFileName!="-", OriginalFileName, null())']]),
    '[4.0.2 fields; 5.x note: "-" dropped]',
  ],
  ['parent_process', byCode([[[1], 'ParentCommandLine']]), '[8.1.0 FIELDALIAS parent_process = ParentCommandLine]'],
  [
    'parent_process_name',
    byCode([
      [[1], base('ParentImage')],
      [SOURCE_TARGET, base('SourceImage')],
    ]),
    '[8.1.0 for 1; 8/10: the source process, 4.0.2 fields + ESCU use]',
  ],
  [
    'parent_process_exec',
    byCode([
      [[1], base('ParentImage')],
      [SOURCE_TARGET, base('SourceImage')],
    ]),
    '[8.1.0; 4.0.2 fields]',
  ],
  [
    'parent_process_path',
    byCode([
      [[1], 'ParentImage'],
      [SOURCE_TARGET, 'SourceImage'],
    ]),
    '[8.1.0 FIELDALIAS parent_process_path = ParentImage]',
  ],
  [
    'parent_process_id',
    byCode([
      [[1], 'ParentProcessId'],
      [SOURCE_TARGET, 'SourceProcessId'],
    ]),
    '[8.1.0 FIELDALIAS parent_process_id = ParentProcessId]',
  ],
  [
    'parent_process_guid',
    byCode([
      [[1], 'ParentProcessGuid'],
      [SOURCE_TARGET, 'coalesce(SourceProcessGuid, SourceProcessGUID)'],
    ]),
    '[8.1.0 FIELDALIAS parent_process_guid = ParentProcessGuid]',
  ],
  [
    'loaded_file',
    byCode([[[7], base('ImageLoaded')]]),
    '[5.x note: ImageLoaded gives loaded_file and loaded_file_path; ESCU use]',
  ],
  ['loaded_file_path', byCode([[[7], 'ImageLoaded']]), '[5.x note; ESCU use]'],
  [
    'dest',
    'case(EventCode==3 AND isnotnull(DestinationHostname) AND DestinationHostname!="-", DestinationHostname, EventCode==3, DestinationIp, EventCode!=22, Computer)',
    '[8.1.0 EVAL-dest, extended to every event ID 4.0.2 lists dest for]',
  ],
  [
    'src',
    'case(EventCode==3, if(isnotnull(SourceHostname) AND SourceHostname!="-", SourceHostname, SourceIp), EventCode==22, Computer)',
    '[8.1.0 EVAL-src; 22: 4.0.2 fields, the querying host]',
  ],
  ['direction', byCode([[[3], 'if(Initiated=="true","outbound","inbound")']]), '[8.1.0]'],
  ['app', byCode([[[3], 'Image']]), '[8.1.0 FIELDALIAS app = Image; only 3 in 4.0.2 fields]'],
  ['creation_time', byCode([[[3], 'UtcTime']]), '[8.1.0]'],
  ['state', byCode([[[3], '"listening"']]), '[8.1.0]'],
  ['protocol', byCode([[[3], '"ip"']]), '[5.x note: the constant "ip"; 8.1.0 used the port name]'],
  ['protocol_version', byCode([[[3], 'if(DestinationIsIpv6=="true","ipv6","ipv4")']]), '[4.0.2 fields] [inferred]'],
  ['dvc_ip', byCode([[[3], 'SourceIp']]), '[4.0.2 fields] [inferred]'],
  ['transport_dest_port', byCode([[[3], 'mvzip(Protocol, DestinationPort, "/")']]), '[4.0.2 fields] [inferred]'],
  [
    'action',
    'case(EventCode IN (1,3,5,6,8,9,10,15,17,18), "allowed", EventCode==7, "success", EventCode==11 AND UtcTime==CreationUtcTime, "created", EventCode==11, "modified", EventCode==12 AND EventType=="CreateKey", "created", EventCode==12 AND (EventType=="DeleteKey" OR EventType=="DeleteValue"), "deleted", EventCode==13, "modified", EventCode==14, "modified", EventCode IN (23,26), "deleted")',
    '[8.1.0 EVAL-action for 1/12/13; 5.x note for 7 and 11; 4.0.2 fields: every ms-sysmon-process code has action ("allowed" inferred); 3, 14, 23, 26 inferred]',
  ],
  [
    'object_category',
    'case(EventCode IN (2,11,15,23,26), "file", EventCode IN (12,13,14), "registry", EventCode IN (19,20,21), "wmi")',
    '[8.1.0; 15, 23, 26 from 4.0.2 fields]',
  ],
  ['object_path', 'case(EventCode IN (12,13), TargetObject, EventCode==14, NewName)', '[8.1.0]'],
  ['registry_path', byCode([[[12, 13, 14], 'TargetObject']]), '[8.1.0]'],
  [
    'registry_key_name',
    byCode([[[12, 13, 14], 'replace(TargetObject,".+\\\\\\\\","")']]),
    '[8.1.0: the last path segment]',
  ],
  [
    'registry_value_name',
    byCode([[[13, 14], 'replace(TargetObject,".+\\\\\\\\","")']]),
    '[ESCU use: the value name (Start, Debugger, (Default)); 8.1.0 used Details, contradicted by every ESCU search]',
  ],
  [
    'registry_value_data',
    byCode([[[13], 'coalesce(RegistryValueData, Details)']]),
    '[4.0.2 fields; 5.x note: DWORD (0x…) → 0x…]',
  ],
  ['registry_value_type', byCode([[[13], 'RegistryValueType']]), '[4.0.2 fields] [inferred]'],
  [
    'registry_hive',
    byCode([
      [
        [12, 13, 14],
        'case(match(TargetObject,"(?i)^HKLM\\\\\\\\"),"HKEY_LOCAL_MACHINE", match(TargetObject,"(?i)^HKU\\\\\\\\"),"HKEY_USERS")',
      ],
    ]),
    '[4.0.2 fields; 5.x note: only HKLM and HKU keys] [inferred values]',
  ],
  [
    'status',
    'case(EventCode IN (12,13,14) AND Keywords=="0x8000000000000000", "success")',
    '[4.0.2 fields; 5.x note: Keywords decides]',
  ],
  ['file_modify_time', byCode([[[23, 26], 'UtcTime']]), '[4.0.2 fields]'],
  ['file_hash', byCode([[[15, 23, 26], 'coalesce(Hashes, Hash)']]), '[4.0.2 fields]'],
  ['query', byCode([[[22], 'QueryName']]), '[4.0.2 fields]'],
  ['query_count', byCode([[[22], 'mvcount(QueryName)']]), '[4.0.2 fields] [inferred]'],
  ['reply_code_id', byCode([[[22], 'QueryStatus']]), '[4.0.2 fields]'],
  ['granted_access', byCode([[[10], 'GrantedAccess']]), '[4.0.2 fields]'],
  ['pipe_name', byCode([[[17, 18], 'PipeName']]), '[4.0.2 fields]'],
  ['src_address', byCode([[[8], 'StartAddress']]), '[4.0.2 fields]'],
  ['src_function', byCode([[[8], 'StartFunction']]), '[4.0.2 fields]'],
  ['src_module', byCode([[[8], 'StartModule']]), '[4.0.2 fields]'],
  ['service_signature_exists', byCode([[[6], 'Signed']]), '[4.0.2 fields] [inferred]'],
  ['service_signature_verified', byCode([[[6], 'SignatureStatus']]), '[4.0.2 fields] [inferred]'],
  ['service_dll_signature_exists', byCode([[[7], 'Signed']]), '[4.0.2 fields; 5.x note] [inferred]'],
  ['service_dll_signature_verified', byCode([[[7], 'SignatureStatus']]), '[4.0.2 fields; 5.x note] [inferred]'],
  ['os', byCode([[[1, 5, 6, 7, 8, 9, 10, 15, 17, 18], '"Microsoft Windows"']]), '[4.0.2 fields] [inferred value]'],
];

const ALIASES: [string, string, string][] = [
  ['src_ip', 'SourceIp', 'src_ip'],
  ['src_host', 'SourceHostname', 'src_host'],
  ['src_port', 'SourcePort', 'src_port'],
  ['dest_ip', 'DestinationIp', 'dest_ip'],
  ['dest_port', 'DestinationPort', 'dest_port'],
  ['transport', 'Protocol', 'transport'],
  ['user', 'User', 'user'],
  ['file_path', 'TargetFilename', 'file_path'],
  ['file_create_time', 'CreationUtcTime', 'file_create_time'],
  ['signature_id', 'EventCode', 'signature_id'],
  ['eventid', 'EventCode', 'EventID'],
];

const SYSMON_SOURCE: Stanza = {
  addon: SPLUNK_TA_SYSMON,
  match: { source: 'XmlWinEventLog:Microsoft-Windows-Sysmon/Operational' },
  ops: [
    { kind: 'report', cls: 'sysmon', transforms: REPORTS, at: at('REPORT-sysmon', '[8.1.0]') },
    {
      kind: 'report',
      cls: 'sysmon-registry-value',
      transforms: [REGISTRY_VALUE],
      at: at('REPORT (Details)', '[4.0.2 fields]'),
    },
    ...ALIASES.map(
      ([cls, from, to]): KnowledgeOp => ({
        kind: 'alias',
        cls,
        pairs: [{ from, to }],
        at: at(`FIELDALIAS-${cls}`, '[8.1.0]'),
      }),
    ),
    ...EVALS.map(
      ([field, expr, basis]): KnowledgeOp => ({ kind: 'eval', field, expr, at: at(`EVAL-${field}`, basis) }),
    ),
    {
      kind: 'lookup',
      cls: 'eventcode',
      table: EVENTCODES,
      inputs: [['EventCode', 'EventCode']],
      outputs: [
        ['EventDescription', 'EventDescription'],
        ['EventDescription', 'signature'],
      ],
      outputNew: true,
      at: at('LOOKUP-eventcode', '[8.1.0]'),
    },
  ],
};

export const SYSMON_STANZAS: Stanza[] = [SYSMON_SOURCE];

const SYSMON_SRC = 'source="XmlWinEventLog:Microsoft-Windows-Sysmon/Operational"';

/** [name, EventCodes, tags] — eventtypes.conf / tags.conf [8.1.0], matched on the source as 4.x does. */
const ET: [string, number[], string, string][] = [
  ['ms-sysmon-process', [1, 5, 6, 7, 8, 9, 10, 15, 17, 18], 'process report', '[8.1.0; 7: 5.x note]'],
  [
    'ms-sysmon-filemod',
    [2, 11, 23, 26],
    'change endpoint filesystem',
    '[8.1.0; 23, 26: 4.0.2 fields (object_category=file)]',
  ],
  ['ms-sysmon-regmod', [12, 13, 14], 'change endpoint registry', '[8.1.0]'],
  ['ms-sysmon-network', [3], 'network communicate port listening', '[8.1.0]'],
  ['ms-sysmon-wmimod', [19, 20, 21], 'change endpoint', '[8.1.0]'],
  ['ms-sysmon-dns', [22], 'network resolution dns', '[5.x note: network + resolution + dns → Network_Resolution]'],
];

export const SYSMON_EVENTTYPES: Eventtype[] = ET.map(([name, codes, tags, basis]) => ({
  name,
  search: `${SYSMON_SRC} (${codes.map((c) => `EventCode="${c}"`).join(' OR ')})`,
  tags: tags.split(' '),
  addon: SPLUNK_TA_SYSMON,
  at: `eventtypes.conf [${name}], tags.conf [eventtype=${name}] ${basis}`,
}));
