/**
 * Knowledge for the other sourcetypes of ESCU's test data: Sysmon for Linux, CrowdStrike FDR,
 * NXLog JSON, JSON sourcetypes (KV_MODE=json) and key=value sourcetypes (KV_MODE=auto).
 */
import type { AddonRef, Eventtype, InputProfile, KnowledgeOp, Stanza } from '../model.js';

// --- Sysmon for Linux ------------------------------------------------------------------------------

export const SPLUNK_TA_LINUX_SYSMON: AddonRef = {
  id: 'Splunk_TA_linux_sysmon',
  title: 'Add-on for Linux Sysmon',
  version: 'community model (MIT)',
  seen: 'NightAsylum/Sysmon-Linux-Integration-For-Splunk@9bdadcf default/props.conf, eventtypes.conf, tags.conf',
  escuVersion: '1.0.4 (contentctl DEFAULT_APPS), 1.0.0 (ESCU data_sources supported_TA)',
  note: 'The Splunk add-on is not public; this is the public MIT add-on written for the same sourcetype, checked against the fields of ESCU data_sources/sysmon_for_linux_eventid_1.yml and _11.yml (captured with the Splunk add-on).',
};

const LX = 'sysmon:linux';
const lat = (s: string) => `props.conf [${LX}] ${s}`;
/** Basename after the last `/` (the community add-on's `replace(X,"(.*\/)(?=.*(\.\w*)$|(\w+)$)","")`). */
const lbase = (f: string) => `replace(${f},"(.*\\/)(?=.*(\\.\\w*)$|(\\w+)$)","")`;

const LINUX_EVALS: [string, string][] = [
  [
    'action',
    'case(EventID IN ("1","3","9"), "allowed", EventID=="5", "blocked", EventID=="11" AND UtcTime==CreationUtcTime, "created", EventID=="23", "deleted", EventID=="11" AND UtcTime!=CreationUtcTime, "modified")',
  ],
  [
    'dest',
    'case(EventID IN ("1","4","5","9","11","16","23"), Computer, EventID=="3" AND isnotnull(DestinationHostname) AND DestinationHostname!="-", DestinationHostname, EventID=="3", DestinationIp)',
  ],
  ['parent_process', 'case(EventID=="1", ParentCommandLine)'],
  ['original_file_name', `case(EventID=="1", ${lbase('Image')})`],
  ['process_hash', 'case(EventID=="1" AND Hashes!="-", Hashes)'],
  ['file_hash', 'case(EventID=="23" AND Hashes!="-", Hashes)'],
  ['parent_process_path', 'case(EventID=="1", ParentImage)'],
  ['parent_process_exec', `case(EventID=="1", ${lbase('ParentImage')})`],
  ['parent_process_name', `case(EventID=="1", ${lbase('ParentImage')})`],
  ['parent_process_id', 'case(EventID=="1", ParentProcessId)'],
  ['parent_process_guid', 'case(EventID=="1", ParentProcessGuid)'],
  ['process', 'case(EventID=="1", CommandLine, EventID=="5", Image)'],
  ['process_path', 'case(EventID IN ("1","5","9","11","23"), Image)'],
  ['process_exec', `case(EventID IN ("1","3","5","9","11","23"), ${lbase('Image')})`],
  ['process_name', `case(EventID IN ("1","3","5","9","11","23"), ${lbase('Image')})`],
  ['process_guid', 'case(EventID IN ("1","3","5","9","11","23"), ProcessGuid)'],
  ['process_id', 'case(EventID IN ("4","16"), ProcessID, EventID IN ("1","3","5","9","11","23"), ProcessId)'],
  ['vendor_product', '"Sysmon For Linux"'],
  ['os', 'case(EventID IN ("1","5","9"), "Linux")'],
  ['file_modify_time', 'case(EventID=="23", UtcTime)'],
  ['file_path', 'case(EventID IN ("11","23"), replace(TargetFilename,"(:[\\w\\. ]+)",""))'],
  ['file_name', 'case(EventID IN ("11","23"), replace(replace(TargetFilename,"(.*/)",""),"(:[\\w\\. ]+)",""))'],
  ['object_category', 'case(EventID IN ("11","23"), "file")'],
  ['direction', 'case(EventID=="3" AND Initiated=="true", "outbound", EventID=="3", "inbound")'],
  ['app', 'case(EventID=="3", Image)'],
  ['src', 'case(EventID=="3", SourceIp, isnotnull(SourceHostname), SourceHostname, isnotnull(SourceIp), SourceIp)'],
];

const LINUX_ALIASES: [string, string, string][] = [
  ['dvc', 'Computer', 'dvc'],
  ['process_current_directory', 'CurrentDirectory', 'process_current_directory'],
  ['dest_port', 'DestinationPort', 'dest_port'],
  ['SourcePort', 'SourcePort', 'src_port'],
  ['dest_ip', 'DestinationIp', 'dest_ip'],
  ['src_ip', 'SourceIp', 'src_ip'],
  ['process_integrity_level', 'IntegrityLevel', 'process_integrity_level'],
  ['file_create_time', 'CreationUtcTime', 'file_create_time'],
  ['signature_id', 'EventID', 'signature_id'],
  // `user`: the Splunk add-on's field list has it (ESCU sysmon_for_linux_eventid_1.yml); the community add-on does not map it.
  ['user', 'User', 'user'],
  ['UserId', 'UserId', 'user_id'],
];

const LINUX_SYSMON: Stanza = {
  addon: SPLUNK_TA_LINUX_SYSMON,
  match: { sourcetype: LX },
  kvMode: 'none',
  ops: [
    // EventCode / EventChannel / RecordID / EventDescription are in the Splunk add-on's field list.
    {
      kind: 'report',
      cls: 'sysmon-system',
      transforms: [
        {
          name: 'sysmon-channel',
          from: 'Channel',
          regex: '(.+)',
          out: { EventChannel: 1 },
          at: `transforms.conf [sysmon-channel] (ESCU fields)`,
        },
        {
          name: 'sysmon-record',
          from: 'EventRecordID',
          regex: '(.+)',
          out: { RecordID: 1 },
          at: 'transforms.conf [sysmon-record] (ESCU fields)',
        },
      ],
      at: lat('REPORT-sysmon-system'),
    },
    ...LINUX_ALIASES.map(
      ([cls, from, to]): KnowledgeOp => ({ kind: 'alias', cls, pairs: [{ from, to }], at: lat(`FIELDALIAS-${cls}`) }),
    ),
    ...LINUX_EVALS.map(([field, expr]): KnowledgeOp => ({ kind: 'eval', field, expr, at: lat(`EVAL-${field}`) })),
    {
      kind: 'lookup',
      cls: 'sysmon-eventid-lookup',
      table: {
        name: 'sysmon-eventid-lookup',
        columns: ['EventID', 'EventDescription'],
        rows: [
          ['1', 'Process Create'],
          ['3', 'Network Connect'],
          ['4', 'Sysmon Start'],
          ['5', 'Process Terminate'],
          ['9', 'Raw Access Read'],
          ['11', 'File Created'],
          ['16', 'Sysmon Configuration Changed'],
          ['23', 'File Delete archived'],
        ],
        at: 'transforms.conf [sysmon-eventid-lookup] (Sysmon event names)',
      },
      inputs: [['EventID', 'EventID']],
      outputs: [
        ['EventDescription', 'EventDescription'],
        ['EventDescription', 'signature'],
      ],
      outputNew: true,
      at: lat('LOOKUP-sysmon-eventid-lookup'),
    },
  ],
};

const LINUX_ET: [string, string, string][] = [
  ['sysmon-linux-network', 'sourcetype="sysmon:linux" EventID="3"', 'network communicate'],
  ['sysmon-linux-process', 'sourcetype="sysmon:linux" (EventID IN ("1","5","9"))', 'process report'],
  ['sysmon-linux-filemod', 'sourcetype="sysmon:linux" (EventID IN ("11","23"))', 'endpoint filesystem'],
  ['sysmon-linux-service', 'sourcetype="sysmon:linux" (EventID IN ("4","16"))', 'service report'],
];

// --- CrowdStrike FDR ---------------------------------------------------------------------------------

export const SPLUNK_TA_CROWDSTRIKE_FDR: AddonRef = {
  id: 'Splunk_TA_CrowdStrike_FDR',
  title: 'Splunk Add-on for CrowdStrike FDR',
  version: 'reconstructed from ESCU data_sources/crowdstrike_processrollup2.yml',
  seen: 'ESCU data source field_mappings and fields (captured with 2.0.1)',
  escuVersion: '1.5.0 (contentctl DEFAULT_APPS), 2.0.1 (ESCU data_sources supported_TA)',
  note: "No public copy; dest comes from the add-on's aid lookups (not reproducible offline): dac uses ComputerName, else aid_computer_name when the event carries them.",
};

const CS = 'crowdstrike:events:sensor';
const cat = (s: string) => `props.conf [${CS}] ${s} (ESCU data source)`;

const CROWDSTRIKE: Stanza = {
  addon: SPLUNK_TA_CROWDSTRIKE_FDR,
  match: { sourcetype: CS },
  kvMode: 'json',
  ops: [
    ...(
      [
        ['process', 'CommandLine'],
        ['process_path', 'ImageFileName'],
        ['parent_process_name', 'ParentBaseFileName'],
        ['parent_process_id', 'ParentProcessId'],
        ['process_id', 'RawProcessId'],
        ['process_hash', 'SHA256HashData'],
        ['user', 'UserSid'],
      ] as const
    ).map(
      ([to, from]): KnowledgeOp => ({
        kind: 'alias',
        cls: `${to}_for_crowdstrike`,
        pairs: [{ from, to }],
        at: cat(`${from} → ${to}`),
      }),
    ),
    {
      kind: 'eval',
      field: 'process_name',
      expr: 'replace(ImageFileName,"^.*\\\\\\\\","")',
      at: cat('process_name: basename of ImageFileName'),
    },
    { kind: 'eval', field: 'process_exec', expr: 'replace(ImageFileName,"^.*\\\\\\\\","")', at: cat('process_exec') },
    { kind: 'eval', field: 'parent_process_exec', expr: 'ParentBaseFileName', at: cat('parent_process_exec') },
    {
      kind: 'eval',
      field: 'dest',
      expr: 'coalesce(ComputerName, aid_computer_name)',
      at: cat('dest [dac: the add-on resolves the aid]'),
    },
    { kind: 'eval', field: 'user_id', expr: 'UserSid', at: cat('user_id') },
    {
      kind: 'eval',
      field: 'action',
      expr: 'if(event_simpleName IN ("ProcessRollup2","SyntheticProcessRollup2"), "allowed", null())',
      at: cat('action'),
    },
    { kind: 'eval', field: 'vendor_product', expr: '"CrowdStrike Falcon"', at: cat('vendor_product [dac value]') },
  ],
};

// --- NXLog JSON (no add-on) -----------------------------------------------------------------------

export const DAC_NXLOG: AddonRef = {
  id: 'dac',
  title: 'dac knowledge for NXLog JSON (no Splunk add-on exists)',
  version: '1',
  seen: 'docs/addons.md "NXLog JSON"',
  note: 'Without an add-on, Splunk only auto-extracts the JSON keys (AUTO_KV_JSON) and no event is in any data model. dac adds, as its own choice, the Sysmon/Windows add-on field names and tags for the Sysmon EID 1 and Security 4688 renderings, so attack_data NXLog fixtures replay through tstats searches. Remove these entries to get plain Splunk behaviour.',
};

const NX = 'nxlog:json';
const nat = (s: string) => `dac [${NX}] ${s}`;
const wbase = (f: string) => `replace(${f},"^.*\\\\\\\\","")`;

const NXLOG: Stanza = {
  addon: DAC_NXLOG,
  match: { sourcetype: NX },
  kvMode: 'json',
  ops: [
    { kind: 'alias', cls: 'EventCode', pairs: [{ from: 'EventID', to: 'EventCode' }], at: nat('EventCode = EventID') },
    {
      kind: 'alias',
      cls: 'Computer',
      pairs: [{ from: 'Hostname', to: 'Computer', asnew: true }],
      at: nat('Computer = Hostname'),
    },
    ...(
      [
        // Sysmon EID 1: the Splunk_TA_microsoft_sysmon names (tables/sysmon.ts).
        ['process', 'case(EventID==1, CommandLine, EventID==4688, NewProcessName)'],
        ['process_path', 'case(EventID==1, Image, EventID==4688, NewProcessName)'],
        ['process_name', `case(EventID==1, ${wbase('Image')}, EventID==4688, ${wbase('NewProcessName')})`],
        // NXLog's ProcessID is the Sysmon service's PID (escu-corpus.md §9.1): the new process's
        // PID is only in the rendered Message.
        [
          'process_id',
          'case(EventID==1, if(match(Message,"\\nProcessId: \\d+"), replace(Message,"^[\\s\\S]*?\\nProcessId: (\\d+)[\\s\\S]*$","\\1"), null()), EventID==4688, NewProcessId)',
        ],
        ['process_guid', 'case(EventID==1, ProcessGuid)'],
        ['process_current_directory', 'case(EventID==1, CurrentDirectory)'],
        ['process_integrity_level', 'case(EventID==1, IntegrityLevel)'],
        ['process_hash', 'case(EventID==1, Hashes)'],
        ['original_file_name', 'case(EventID==1, OriginalFileName)'],
        ['parent_process', 'case(EventID==1, ParentCommandLine, EventID==4688, ParentProcessName)'],
        ['parent_process_path', 'case(EventID==1, ParentImage, EventID==4688, ParentProcessName)'],
        [
          'parent_process_name',
          `case(EventID==1, ${wbase('ParentImage')}, EventID==4688, ${wbase('ParentProcessName')})`,
        ],
        ['parent_process_id', 'case(EventID==1, ParentProcessId, EventID==4688, ProcessId)'],
        ['parent_process_guid', 'case(EventID==1, ParentProcessGuid)'],
        [
          'user',
          'case(EventID==1, User, EventID==4688, if(isnull(TargetUserName) OR TargetUserName=="-", SubjectUserName, TargetUserName))',
        ],
        ['dest', 'Hostname'],
        ['action', 'case(EventID IN (1,4688), "allowed")'],
        [
          'vendor_product',
          'case(Channel=="Microsoft-Windows-Sysmon/Operational", "Microsoft Sysmon", EventID==4688, "Microsoft Windows")',
        ],
      ] as const
    ).map(([field, expr]): KnowledgeOp => ({ kind: 'eval', field, expr, at: nat(`EVAL-${field}`) })),
  ],
};

const NXLOG_ET: [string, string, string][] = [
  [
    'dac-nxlog-process',
    'sourcetype="nxlog:json" ((Channel="Microsoft-Windows-Sysmon/Operational" EventID=1) OR (Channel=Security EventID=4688))',
    'process report',
  ],
];

export const OTHER_STANZAS: Stanza[] = [LINUX_SYSMON, CROWDSTRIKE, NXLOG];

export const OTHER_EVENTTYPES: Eventtype[] = [
  ...LINUX_ET.map(([name, search, tags]) => ({
    name,
    search,
    tags: tags.split(' '),
    addon: SPLUNK_TA_LINUX_SYSMON,
    at: `eventtypes.conf [${name}], tags.conf [eventtype=${name}]`,
  })),
  {
    name: 'crowdstrike-process',
    search:
      'sourcetype="crowdstrike:events:sensor" (event_simpleName=ProcessRollup2 OR event_simpleName=SyntheticProcessRollup2)',
    tags: ['process', 'report'],
    addon: SPLUNK_TA_CROWDSTRIKE_FDR,
    at: 'ESCU data source CrowdStrike ProcessRollup2 → Endpoint.Processes (eventtype name: dac)',
  },
  ...NXLOG_ET.map(([name, search, tags]) => ({
    name,
    search,
    tags: tags.split(' '),
    addon: DAC_NXLOG,
    at: `dac eventtype ${name}`,
  })),
];

/** JSON sourcetypes of ESCU's test data: KV_MODE=json (or AUTO_KV_JSON under KV_MODE=auto). */
const JSON_SOURCETYPES = [
  'aws:cloudtrail',
  'aws:cloudtrail:lake',
  'aws:asl',
  'aws:securityhub:finding',
  'aws:firehose:json',
  'aws:cloudwatchlogs:eks',
  'o365:management:activity',
  'o365:graph:api',
  'azure:monitor:aad',
  'mscs:azure:audit',
  'mscs:storage:blob:json',
  'mscs:azure:eventhub:defender:advancedhunting',
  'crowdstrike:events:sensor',
  'crowdstrike:identities',
  'CrowdStrike:Event:Streams:JSON',
  'OktaIM2:log',
  'gws:reports:login',
  'gws:reports:admin',
  'gsuite:gmail:bigquery',
  'gsuite:drive:json',
  'google:gcp:pubsub:message',
  'kube:objects:events',
  'kube:container:falco',
  'osquery:results',
  'stream:http',
  'stream:ip',
  'stream:tcp',
  'bro:conn:json',
  'bro:http:json',
  'suricata',
  'circleci',
  '_json',
  'nxlog:json',
];

export const OTHER_INPUTS: InputProfile[] = [
  {
    sourcetypes: ['sysmon:linux'],
    format: 'xml',
    hostFields: ['Computer'],
    at: 'Sysmon for Linux writes the Windows event XML (double-quoted attributes); the reader parses it',
  },
  {
    sourcetypes: JSON_SOURCETYPES,
    format: 'json',
    hostFields: ['Hostname', 'ComputerName'],
    keepEmpty: true,
    at: 'props.conf KV_MODE = json (add-ons) / AUTO_KV_JSON = true (Splunk default for KV_MODE = auto)',
  },
  {
    sourcetypes: [
      'linux:audit',
      'linux_secure',
      'nginx:plus:kv',
      'zscalernss-web',
      'pan:threat',
      'pan:traffic',
      'stash',
    ],
    format: 'kv',
    at: 'props.conf KV_MODE = auto (Splunk default): key=value pairs',
  },
];
