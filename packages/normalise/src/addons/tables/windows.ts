/**
 * Splunk Add-on for Microsoft Windows (Splunk_TA_windows), transcribed from version 8.4.0
 * (`default/props.conf`, `transforms.conf`, `eventtypes.conf`, `tags.conf`, seen at
 * JohnnyMirza/confluent_splunk_demo@d3a9bc0, the newest public copy found; 8.1.2 at
 * PMJeffery/splunk4windows@f64aacd agrees on everything here except where noted). ESCU's tests
 * install 8.8.0 (splunk/contentctl `contentctl/objects/config.py` DEFAULT_APPS) and its data
 * sources name 8.9.0: the `fields:` lists of those data sources (captured from a Splunk with the
 * add-on) are the independent check of these tables (test/addons/escu-data-sources.test.ts).
 *
 * Each entry names its setting (`at`); regular expressions are JavaScript transcriptions of the
 * add-on's PCRE. Only the settings that can apply to Windows event log data (XML and classic)
 * are transcribed; Perfmon, WMI, DHCP, … stanzas are not.
 */
import type { AddonRef, Eventtype, FieldTag, InputProfile, KnowledgeOp, Stanza, Transform } from '../model.js';
import {
  SERVICE_NAMES,
  START_MODES,
  WINDOWS_ACTIONS,
  WINDOWS_APPS,
  WINDOWS_AUDIT_CHANGES,
  WINDOWS_CHANGE_ACTION,
  WINDOWS_SEVERITIES,
  WINDOWS_SIGNATURES,
  WINDOWS_SIGNATURES_SUBSTATUS,
  XMLSECURITY_CHANGE_AUDIT,
  XMLSECURITY_ERRORCODE_ACTION,
} from './windows-lookups.js';

export const SPLUNK_TA_WINDOWS: AddonRef = {
  id: 'Splunk_TA_windows',
  title: 'Splunk Add-on for Microsoft Windows',
  version: '8.4.0',
  seen: 'JohnnyMirza/confluent_splunk_demo@d3a9bc0 Splunk_TA_windows/default/',
  escuVersion: '8.8.0 (contentctl DEFAULT_APPS), 8.9.0 (ESCU data_sources supported_TA)',
  note: 'No public copy of 8.8/8.9 was found; fields that 8.9.0 lists and 8.4.0 does not produce are reported by the data-source check.',
};

/** `[name] SOURCE_KEY = from REGEX = (.+) FORMAT = to::$1`: the add-on's many field copies. */
function copy(name: string, from: string, to: string, regex = '(.+)'): Transform {
  return { name, from, regex, out: { [to]: 1 }, at: `transforms.conf [${name}]` };
}

/** `(?:[\\]+)?([^-].*)`: drops leading backslashes and skips `-` (Windows' "no value"). */
const NOT_DASH_HOST = String.raw`^(?:[\\]+)?([^-].*)`;
/** `(?!^-$)(.+)`: any value but `-`. */
const NOT_DASH = '^(?!-$)(.+)';
/** `(?:[^\\]+\\)?(.+)`: the part after `DOMAIN\`. */
const AFTER_DOMAIN = String.raw`^(?:[^\\]+\\)?(.+)`;
/** `(?:(?:[^\n]+)\n)?(.+)`: the second line when there are two (the second value of a multivalue field). */
const SECOND_LINE = String.raw`^(?:(?:[^\n]+)\n)?(.+)`;
/** `(?:.*\\)?(.*)`: the basename after the last backslash, case kept. */
const BASENAME = String.raw`^(?:.*\\)?(.*)`;

const T = {
  EventRecordID_as_RecordNumber: copy('EventRecordID_as_RecordNumber', 'EventRecordID', 'RecordNumber'),
  EventID_as_EventCode: copy('EventID_as_EventCode', 'EventID', 'EventCode'),
  EventID2_as_EventCode: {
    name: 'EventID2_as_EventCode',
    from: '_raw',
    regex: String.raw`<EventID.*?>(.+?)<\/EventID>`,
    out: { EventCode: 1 },
    at: 'transforms.conf [EventID2_as_EventCode]',
  } satisfies Transform,
  SubStatus_as_Sub_Status: copy('SubStatus_as_Sub_Status', 'SubStatus', 'Sub_Status'),
  file_path_file_name: {
    name: 'file_path-file_name_for_windows',
    from: 'Image_File_Name',
    regex: String.raw`^(.*[\\/]+)*(.*)$`,
    out: { file_path: 1, file_name: 2 },
    at: 'transforms.conf [file_path-file_name_for_windows]',
  } satisfies Transform,
};

/** Settings of `[XmlWinEventLog]` and `[xmlwineventlog]` (the two stanzas differ only in process_name). */
function xmlCommon(stanza: string): KnowledgeOp[] {
  const at = (s: string) => `props.conf [${stanza}] ${s}`;
  return [
    {
      kind: 'report',
      cls: 'RecordNumber_from_xml',
      transforms: [T.EventRecordID_as_RecordNumber],
      at: at('REPORT-RecordNumber_from_xml'),
    },
    {
      kind: 'report',
      cls: 'EventCode_from_xml',
      transforms: [T.EventID_as_EventCode, T.EventID2_as_EventCode],
      at: at('REPORT-EventCode_from_xml'),
    },
    {
      kind: 'report',
      cls: 'Sub_Status_from_xml',
      transforms: [T.SubStatus_as_Sub_Status],
      at: at('REPORT-Sub_Status_from_xml'),
    },
    {
      kind: 'report',
      cls: 'file_path-file_name_for_windows',
      transforms: [T.file_path_file_name],
      at: at('REPORT-file_path-file_name_for_windows'),
    },
    ...windowsCommon(stanza),
    {
      kind: 'alias',
      cls: 'dvc_for_windows',
      pairs: [
        { from: 'host', to: 'dvc_nt_host' },
        { from: 'Computer', to: 'dvc' },
      ],
      at: at('FIELDALIAS-dvc_for_windows'),
    },
    {
      kind: 'alias',
      cls: 'service_for_windows',
      pairs: [
        { from: 'ServiceName', to: 'service' },
        { from: 'ServiceName', to: 'service_name' },
      ],
      at: at('FIELDALIAS-service_for_windows'),
    },
    {
      kind: 'alias',
      cls: 'service_id_for_windows',
      pairs: [{ from: 'ServiceSid', to: 'service_id' }],
      at: at('FIELDALIAS-service_id_for_windows'),
    },
    {
      kind: 'alias',
      cls: 'user_id_for_windows',
      pairs: [{ from: 'UserID', to: 'user_id' }],
      at: at('FIELDALIAS-user_id_for_windows'),
    },
  ];
}

/** Settings shared by the XML and classic sourcetype stanzas (`[WinEventLog]`, `[XmlWinEventLog]`, …). */
function windowsCommon(stanza: string): KnowledgeOp[] {
  const at = (s: string) => `props.conf [${stanza}] ${s}`;
  return [
    {
      kind: 'lookup',
      cls: 'CategoryString_for_windows',
      table: WINDOWS_SIGNATURES,
      inputs: [['signature_id', 'signature_id']],
      outputs: [
        ['CategoryString', 'CategoryString'],
        ['action', 'action'],
        ['result', 'result'],
      ],
      outputNew: true,
      at: at('LOOKUP-CategoryString_for_windows'),
    },
    {
      kind: 'alias',
      cls: 'category_for_windows',
      pairs: [{ from: 'TaskCategory', to: 'category' }],
      at: at('FIELDALIAS-category_for_windows'),
    },
    {
      kind: 'alias',
      cls: 'event_id_for_windows',
      pairs: [{ from: 'RecordNumber', to: 'event_id' }],
      at: at('FIELDALIAS-event_id_for_windows'),
    },
    {
      kind: 'lookup',
      cls: '1severity_for_windows',
      table: WINDOWS_SEVERITIES,
      inputs: [['Type', 'Type']],
      outputs: [['severity', 'severity']],
      outputNew: true,
      at: at('LOOKUP-1severity_for_windows'),
    },
    {
      kind: 'alias',
      cls: 'severity_id_for_windows',
      pairs: [{ from: 'EventType', to: 'severity_id' }],
      at: at('FIELDALIAS-severity_id_for_windows'),
    },
    {
      kind: 'alias',
      cls: 'id_for_windows',
      pairs: [{ from: 'RecordNumber', to: 'id' }],
      at: at('FIELDALIAS-id_for_windows'),
    },
    {
      kind: 'lookup',
      cls: 'signature_for_windows3',
      table: WINDOWS_SIGNATURES,
      inputs: [['signature_id', 'signature_id']],
      outputs: [
        ['signature', 'signature'],
        ['signature', 'name'],
        ['signature', 'subject'],
      ],
      outputNew: true,
      at: at('LOOKUP-signature_for_windows3'),
    },
    {
      kind: 'eval',
      field: 'signature_id',
      expr: 'if(SourceName="Microsoft-Windows-WindowsUpdateClient",signature_id,EventCode)',
      at: at('EVAL-signature_id'),
    },
    {
      kind: 'alias',
      cls: 'user_group_id_for_windows',
      pairs: [{ from: 'Primary_Group_ID', to: 'user_group_id' }],
      at: at('FIELDALIAS-user_group_id_for_windows'),
    },
    { kind: 'eval', field: 'vendor_product', expr: '"Microsoft Windows"', at: at('EVAL-vendor_product') },
  ];
}

const XML_CAMEL: Stanza = {
  addon: SPLUNK_TA_WINDOWS,
  match: { sourcetype: 'XmlWinEventLog' },
  kvMode: 'none',
  ops: [
    ...xmlCommon('XmlWinEventLog'),
    {
      kind: 'eval',
      field: 'process_name',
      expr: 'if(EventCode==4688, NewProcessName, ProcessName)',
      at: 'props.conf [XmlWinEventLog] EVAL-process_name',
    },
    {
      kind: 'alias',
      cls: 'parent_process_for_windows',
      pairs: [{ from: 'ParentProcessName', to: 'parent_process' }],
      at: 'props.conf [XmlWinEventLog] FIELDALIAS-parent_process_for_windows',
    },
  ],
};

/** The lower-case sourcetype ESCU's attack_data mostly uses (`sourcetype: xmlwineventlog`). */
const XML_LOWER: Stanza = {
  addon: SPLUNK_TA_WINDOWS,
  match: { sourcetype: 'xmlwineventlog' },
  kvMode: 'none',
  note: 'Kept by the add-on "for backward compatibility"; the same settings as [XmlWinEventLog] but process_name is a FIELDALIAS of ProcessName and there is no parent_process alias.',
  ops: [
    ...xmlCommon('xmlwineventlog'),
    {
      kind: 'alias',
      cls: 'process_name_for_windows',
      pairs: [{ from: 'ProcessName', to: 'process_name' }],
      at: 'props.conf [xmlwineventlog] FIELDALIAS-process_name_for_windows',
    },
  ],
};

function classicCommon(stanza: string): KnowledgeOp[] {
  const at = (s: string) => `props.conf [${stanza}] ${s}`;
  return [
    {
      kind: 'report',
      cls: 'file_path-file_name_for_windows',
      transforms: [T.file_path_file_name],
      at: at('REPORT-file_path-file_name_for_windows'),
    },
    ...windowsCommon(stanza),
    {
      kind: 'alias',
      cls: 'dvc_for_windows',
      pairs: [
        { from: 'host', to: 'dvc_nt_host' },
        { from: 'ComputerName', to: 'dvc' },
      ],
      at: at('FIELDALIAS-dvc_for_windows'),
    },
    {
      kind: 'alias',
      cls: 'service_id_for_windows',
      pairs: [{ from: 'Service_ID', to: 'service_id' }],
      at: at('FIELDALIAS-service_id_for_windows'),
    },
    {
      kind: 'alias',
      cls: 'service_for_windows',
      pairs: [
        { from: 'Service_Name', to: 'service' },
        { from: 'Service_Name', to: 'service_name' },
      ],
      at: at('FIELDALIAS-service_for_windows'),
    },
    {
      kind: 'alias',
      cls: 'process_for_windows',
      pairs: [{ from: 'Process', to: 'process' }],
      at: at('FIELDALIAS-process_for_windows'),
    },
    {
      kind: 'alias',
      cls: 'user_id_for_windows',
      pairs: [{ from: 'User_ID', to: 'user_id' }],
      at: at('FIELDALIAS-user_id_for_windows'),
    },
  ];
}

const CLASSIC_CAMEL: Stanza = {
  addon: SPLUNK_TA_WINDOWS,
  match: { sourcetype: 'WinEventLog' },
  ops: [
    ...classicCommon('WinEventLog'),
    {
      kind: 'eval',
      field: 'process_name',
      expr: 'if(EventCode==4688, New_Process_Name, Process_Name)',
      at: 'props.conf [WinEventLog] EVAL-process_name',
    },
    {
      kind: 'alias',
      cls: 'parent_process_for_windows',
      pairs: [{ from: 'Creator_Process_Name', to: 'parent_process' }],
      at: 'props.conf [WinEventLog] FIELDALIAS-parent_process_for_windows',
    },
  ],
};

const CLASSIC_LOWER: Stanza = {
  addon: SPLUNK_TA_WINDOWS,
  match: { sourcetype: 'wineventlog' },
  ops: [
    ...classicCommon('wineventlog'),
    {
      kind: 'alias',
      cls: 'process_name_for_windows',
      pairs: [{ from: 'Process_Name', to: 'process_name' }],
      at: 'props.conf [wineventlog] FIELDALIAS-process_name_for_windows',
    },
  ],
};

// --- [source::XmlWinEventLog:Security] --------------------------------------------------------

const SEC = 'source::XmlWinEventLog:Security';
const sat = (s: string) => `props.conf [${SEC}] ${s}`;

/** Transforms shared by the XML and classic Security stanzas (the "Security-CIM Mappings"). */
const S = {
  Logon_ID_as_session_id: copy('Logon_ID_as_session_id', 'Logon_ID', 'session_id', String.raw`^(?:(?:[^\n]+)\n)?(.*)`),
  Client_Logon_ID_as_session_id: copy('Client_Logon_ID_as_session_id', 'Client_Logon_ID', 'session_id'),
  Caller_Logon_ID_as_session_id: copy('Caller_Logon_ID_as_session_id', 'Caller_Logon_ID', 'session_id'),
  Target_Server_Name_as_dest: copy('Target_Server_Name_as_dest', 'Target_Server_Name', 'dest', NOT_DASH_HOST),
  Computer_as_dest: {
    name: 'Computer_as_dest',
    from: '_raw',
    regex: String.raw`<Computer>([^<]+)<\/Computer>`,
    out: { dest: 1 },
    at: 'transforms.conf [Computer_as_dest]',
  } satisfies Transform,
  ComputerName_as_dest: copy('ComputerName_as_dest', 'ComputerName', 'dest', NOT_DASH_HOST),
  dest_nt_domain: [
    copy('Target_Domain_as_dest_nt_domain', 'Target_Domain', 'dest_nt_domain', SECOND_LINE),
    copy('Primary_Domain_as_dest_nt_domain', 'Primary_Domain', 'dest_nt_domain', SECOND_LINE),
    copy('Group_Domain_as_dest_nt_domain', 'Group_Domain', 'dest_nt_domain', SECOND_LINE),
    copy('Account_Domain_as_dest_nt_domain', 'Account_Domain', 'dest_nt_domain', SECOND_LINE),
    copy('New_Domain_as_dest_nt_domain', 'New_Domain', 'dest_nt_domain', SECOND_LINE),
    copy('Domain_as_dest_nt_domain', 'Domain', 'dest_nt_domain', SECOND_LINE),
    copy('User_ID_as_dest_nt_domain', 'User_ID', 'dest_nt_domain', String.raw`^(.+)[\\]`),
    copy('Security_ID_as_dest_nt_domain', 'Security_ID', 'dest_nt_domain', String.raw`^(.+)[\\]`),
    copy('Supplied_Realm_Name_as_dest_nt_domain', 'Supplied_Realm_Name', 'dest_nt_domain'),
    copy('Target_Account_ID_as_dest_nt_domain', 'Target_Account_ID', 'dest_nt_domain', String.raw`^(.+)[\\]`),
  ],
  dest_nt_host: [
    copy('Target_Server_Name_as_dest_nt_host', 'Target_Server_Name', 'dest_nt_host', NOT_DASH_HOST),
    copy('ComputerName_as_dest_nt_host', 'ComputerName', 'dest_nt_host', NOT_DASH_HOST),
  ],
  src: [
    copy('Source_Workstation_as_src', 'Source_Workstation', 'src', NOT_DASH_HOST),
    copy('Workstation_Name_as_src', 'Workstation_Name', 'src', NOT_DASH_HOST),
    copy('Caller_Machine_Name_as_src', 'Caller_Machine_Name', 'src', NOT_DASH_HOST),
    copy('Client_Machine_Name_as_src', 'Client_Machine_Name', 'src', NOT_DASH_HOST),
    copy('Source_Network_Address_as_src', 'Source_Network_Address', 'src', NOT_DASH_HOST),
    copy('Client_Address_as_src', 'Client_Address', 'src', NOT_DASH_HOST),
  ],
  src_ip: [
    copy('Source_Network_Address_as_src_ip', 'Source_Network_Address', 'src_ip', NOT_DASH_HOST),
    copy('Client_Address_as_src_ip', 'Client_Address', 'src_ip', NOT_DASH_HOST),
  ],
  src_nt_host: [
    copy('Source_Workstation_as_src_nt_host', 'Source_Workstation', 'src_nt_host', NOT_DASH_HOST),
    copy('Workstation_Name_as_src_nt_host', 'Workstation_Name', 'src_nt_host', NOT_DASH_HOST),
    copy('Caller_Machine_Name_as_src_nt_host', 'Caller_Machine_Name', 'src_nt_host', NOT_DASH_HOST),
    copy('Client_Machine_Name_as_src_nt_host', 'Client_Machine_Name', 'src_nt_host', NOT_DASH_HOST),
    copy('Caller_Computer_Name_as_src_nt_host', 'Caller_Computer_Name', 'src_nt_host', NOT_DASH_HOST),
  ],
  src_user: [
    copy('Caller_User_Name_as_src_user', 'Caller_User_Name', 'src_user', NOT_DASH),
    copy('Client_User_Name_as_src_user', 'Client_User_Name', 'src_user', NOT_DASH),
    copy('Account_Name_as_src_user', 'Account_Name', 'src_user', String.raw`^(?!-$)([^\n]+)\n`),
    copy('User_Name_as_src_user', 'User_Name', 'src_user', NOT_DASH),
  ],
  user: [
    copy('Logon_Account_as_user', 'Logon_Account', 'user', AFTER_DOMAIN),
    copy('Logon_account_as_user', 'Logon_account', 'user', AFTER_DOMAIN),
    copy('Target_User_Name_as_user', 'Target_User_Name', 'user'),
    copy('Primary_User_Name_as_user', 'Primary_User_Name', 'user'),
    copy('Target_Account_Name_as_user', 'Target_Account_Name', 'user'),
    copy('New_Account_Name_as_user', 'New_Account_Name', 'user'),
    copy('Account_Name_as_user', 'Account_Name', 'user', String.raw`^(?:(?:[^\n]*)\n)?([^\n]*)`),
    copy('User_Name_as_user', 'User_Name', 'user'),
    copy('User_as_user', 'User', 'user', AFTER_DOMAIN),
    copy('Security_ID_as_user', 'Security_ID', 'user', AFTER_DOMAIN),
  ],
  member_id: [
    copy('Member_ID_as_member_id', 'Member_ID', 'member_id', AFTER_DOMAIN),
    copy('Security_ID_as_member_id', 'Security_ID', 'member_id'),
  ],
  member_dn: [
    copy('Member_Name_as_member_dn', 'Member_Name', 'member_dn'),
    copy('Account_Name_as_member_dn', 'Account_Name', 'member_dn'),
  ],
  member_nt_domain: [
    copy('Member_ID_as_member_nt_domain', 'Member_ID', 'member_nt_domain', String.raw`^([^\\]+\\)?(?:.+)`),
    copy('Security_ID_as_member_nt_domain', 'Security_ID', 'member_nt_domain', String.raw`^([^\\]+\\)?(?:.+)`),
  ],
  Token_Elevation_Type_id: copy(
    'Token_Elevation_Type_id_for_windows_security',
    'Token_Elevation_Type',
    'Token_Elevation_Type_id',
    String.raw`^[^\d]+(\d+)`,
  ),
  privilege_id: {
    ...copy('privilege_id_for_windows_security', 'vendor_privilege', 'privilege_id', String.raw`^([^\r\n]+)`),
    mvAdd: true,
  } satisfies Transform,
};

function srcNtDomain(classic: boolean): Transform[] {
  return [
    copy('Caller_Domain_as_src_nt_domain', 'Caller_Domain', 'src_nt_domain', NOT_DASH),
    copy('Client_Domain_as_src_nt_domain', 'Client_Domain', 'src_nt_domain', NOT_DASH),
    copy('Account_Domain_as_src_nt_domain', 'Account_Domain', 'src_nt_domain', String.raw`^(?!-$)([^\n]+)\n`),
    ...(classic
      ? [
          {
            name: 'New_Security_ID_as_src_nt_domain',
            from: '_raw',
            regex: String.raw`(?:Subject|User|Account\sInformation)\s*:[\s\S]*?Security\sID:\s*(.+?)[\\|\n]`,
            out: { src_nt_domain: 1 },
            at: 'transforms.conf [New_Security_ID_as_src_nt_domain]',
          } satisfies Transform,
        ]
      : []),
    copy('Security_ID_as_src_nt_domain', 'Security_ID', 'src_nt_domain', String.raw`^(?!-$)(.+)[\\]`),
  ];
}

/** The LOOKUP settings both Security stanzas share. */
function securityLookups(stanza: string): KnowledgeOp[] {
  const at = (s: string) => `props.conf [${stanza}] ${s}`;
  const app = (cls: string, col: string, field: string): KnowledgeOp => ({
    kind: 'lookup',
    cls,
    table: WINDOWS_APPS,
    inputs: [[col, field]],
    outputs: [['app', 'app']],
    outputNew: true,
    at: at(`LOOKUP-${cls}`),
  });
  return [
    {
      kind: 'lookup',
      cls: '0severity_for_windows',
      table: WINDOWS_SEVERITIES,
      inputs: [['EventCode', 'EventCode']],
      outputs: [['severity', 'severity']],
      outputNew: true,
      at: at('LOOKUP-0severity_for_windows'),
    },
    {
      kind: 'lookup',
      cls: 'signature_for_windows',
      table: WINDOWS_SIGNATURES_SUBSTATUS,
      inputs: [
        ['signature_id', 'signature_id'],
        ['Sub_Status', 'Sub_Status'],
      ],
      outputs: [
        ['signature', 'signature'],
        ['signature', 'name'],
        ['signature', 'subject'],
      ],
      outputNew: true,
      at: at('LOOKUP-signature_for_windows'),
    },
    {
      kind: 'lookup',
      cls: 'action_for_windows00_security',
      table: WINDOWS_CHANGE_ACTION,
      inputs: [['EventCode', 'EventCode']],
      outputs: [
        ['action', 'action'],
        ['status', 'status'],
      ],
      outputNew: true,
      at: at('LOOKUP-action_for_windows00_security'),
    },
    {
      kind: 'lookup',
      cls: 'action_for_windows0_security',
      table: WINDOWS_AUDIT_CHANGES,
      inputs: [['EventCode', 'EventCode']],
      outputs: [
        ['action', 'action'],
        ['change_type', 'change_type'],
        ['object_category', 'object_category'],
      ],
      outputNew: true,
      at: at('LOOKUP-action_for_windows0_security'),
    },
    {
      kind: 'lookup',
      cls: 'action_for_windows1_security',
      table: WINDOWS_ACTIONS,
      inputs: [['Type', 'Type']],
      outputs: [
        ['action', 'action'],
        ['action', 'status'],
      ],
      outputNew: true,
      at: at('LOOKUP-action_for_windows1_security'),
    },
    {
      kind: 'lookup',
      cls: 'action_for_windows2_security',
      table: WINDOWS_ACTIONS,
      inputs: [['Type', 'Keywords']],
      outputs: [
        ['action', 'action'],
        ['action', 'status'],
      ],
      outputNew: true,
      at: at('LOOKUP-action_for_windows2_security'),
    },
    {
      kind: 'lookup',
      cls: 'action_for_windows_xmlsecurity_input',
      table: XMLSECURITY_ERRORCODE_ACTION,
      inputs: [
        ['EventCode', 'EventCode'],
        ['Error_Code', 'Error_Code'],
      ],
      outputs: [
        ['action', 'action'],
        ['action', 'status'],
      ],
      outputNew: true,
      at: at('LOOKUP-action_for_windows_xmlsecurity_input'),
    },
    app('app0_for_windows_security', 'EventCode', 'EventCode'),
    app('app1_for_windows_security', 'Source_Network_Address', 'Source_Network_Address'),
    app('app2_for_windows_security', 'Target_Server_Name', 'Target_Server_Name'),
    app('app3_for_windows_security', 'Logon_Type', 'Logon_Type'),
    app('app4_for_windows_security', 'source', 'source'),
    {
      kind: 'lookup',
      cls: 'service_name',
      table: SERVICE_NAMES,
      inputs: [['EventCode', 'EventCode']],
      outputs: [
        ['service', 'service'],
        ['service_name', 'service_name'],
      ],
      outputNew: true,
      at: at('LOOKUP-service_name'),
    },
  ];
}

/** The REPORT settings that copy XML Data names to the add-on's classic names. */
const XML_TO_CLASSIC: [string, Transform[]][] = [
  [
    '0privilege_for_windows_security_xml',
    [copy('PrivilegeList_as_vendor_privilege', 'PrivilegeList', 'vendor_privilege')],
  ],
  ['Source_Port_from_xml', [copy('IpPort_as_Source_Port', 'IpPort', 'Source_Port')]],
  [
    'Token_Elevation_Type_from_xml',
    [copy('TokenElevationType_as_Token_Elevation_Type', 'TokenElevationType', 'Token_Elevation_Type')],
  ],
  [
    'Target_Server_Name_from_xml',
    [copy('TargetServerName_as_Target_Server_Name', 'TargetServerName', 'Target_Server_Name')],
  ],
  ['Logon_Type_from_xml', [copy('LogonType_as_Logon_Type', 'LogonType', 'Logon_Type')]],
  ['Logon_ID_from_xml', [copy('SubjectLogonId_as_Logon_ID', 'SubjectLogonId', 'Logon_ID')]],
  ['Caller_Domain_from_xml', [copy('SubjectDomainName_as_Caller_Domain', 'SubjectDomainName', 'Caller_Domain')]],
  ['Target_Domain_from_xml', [copy('TargetDomainName_as_Target_Domain', 'TargetDomainName', 'Target_Domain')]],
  ['Caller_User_Name_from_xml', [copy('SubjectUserName_as_Caller_User_Name', 'SubjectUserName', 'Caller_User_Name')]],
  ['Target_User_Name_from_xml', [copy('TargetUserName_as_Target_User_Name', 'TargetUserName', 'Target_User_Name')]],
  [
    'Source_Workstation_from_xml',
    [
      copy('Workstation_as_Source_Workstation', 'Workstation', 'Source_Workstation'),
      copy('WorkstationName_as_Source_Workstation', 'WorkstationName', 'Source_Workstation'),
      copy('IpAddress_as_Source_Workstation', 'IpAddress', 'Source_Workstation'),
    ],
  ],
];

/** `EXTRACT-…_from_xml = <Data Name='X'>(?<y>[^<]+)<\/Data>`. */
function dataExtract(cls: string, data: string, field: string): KnowledgeOp {
  return {
    kind: 'extract',
    cls,
    regex: `<Data Name='${data}'>(?<${field}>[^<]+)<\\/Data>`,
    at: sat(`EXTRACT-${cls}`),
  };
}

const XML_SECURITY: Stanza = {
  addon: SPLUNK_TA_WINDOWS,
  match: { source: 'XmlWinEventLog:Security' },
  ops: [
    {
      kind: 'report',
      cls: 'logfilecleared_block_extract',
      transforms: [
        {
          name: 'logfilecleared_xml_block',
          from: 'UserData_Xml',
          regex: String.raw`<LogFileCleared(?:\s+[^>]+)?>([\s\S]*?)<\/LogFileCleared>`,
          out: { LogFileCleared_Xml: 1 },
          at: 'transforms.conf [logfilecleared_xml_block]',
        },
      ],
      at: sat('REPORT-logfilecleared_block_extract'),
    },
    {
      kind: 'report',
      cls: 'logfilecleareddata_for_xml',
      transforms: [
        {
          name: 'LogFileClearedData_from_user_data',
          from: 'LogFileCleared_Xml',
          regex: String.raw`<(\w*)>([^<]*)<\/\1>`,
          out: { $1: 2 },
          at: 'transforms.conf [LogFileClearedData_from_user_data]',
        },
      ],
      at: sat('REPORT-logfilecleareddata_for_xml'),
    },
    ...XML_TO_CLASSIC.map(
      ([cls, transforms]): KnowledgeOp => ({ kind: 'report', cls, transforms, at: sat(`REPORT-${cls}`) }),
    ),
    {
      kind: 'eval',
      field: 'Error_Code',
      expr: 'case(isnotnull(Status), Status, isnotnull(Error_Code), Error_Code, 1==1, "-")',
      at: sat('EVAL-Error_Code'),
    },
    {
      kind: 'lookup',
      cls: 'CategoryString_for_windows_xml_security',
      table: WINDOWS_SIGNATURES,
      inputs: [['signature_id', 'signature_id']],
      outputs: [['CategoryString', 'ta_windows_security_CategoryString']],
      outputNew: true,
      at: sat('LOOKUP-CategoryString_for_windows_xml_security'),
    },
    ...securityLookups(SEC),
    {
      kind: 'lookup',
      cls: 'object_for_windows3_security',
      table: XMLSECURITY_CHANGE_AUDIT,
      inputs: [['EventCode', 'EventCode']],
      outputs: [
        ['object_attrs', 'object_attrs'],
        ['result', 'result'],
      ],
      outputNew: true,
      at: sat('LOOKUP-object_for_windows3_security'),
    },
    {
      kind: 'report',
      cls: 'privilege_id_for_windows_security',
      transforms: [S.privilege_id],
      at: sat('REPORT-privilege_id_for_windows_security'),
    },
    {
      kind: 'alias',
      cls: 'src_port_for_windows_security',
      pairs: [{ from: 'Source_Port', to: 'src_port' }],
      at: sat('FIELDALIAS-src_port_for_windows_security'),
    },
    {
      kind: 'report',
      cls: 'Token_Elevation_Type_id_for_windows_security',
      transforms: [S.Token_Elevation_Type_id],
      at: sat('REPORT-Token_Elevation_Type_id_for_windows_security'),
    },
    { kind: 'eval', field: 'vendor', expr: '"Microsoft"', at: sat('EVAL-vendor') },
    { kind: 'eval', field: 'product', expr: '"Windows"', at: sat('EVAL-product') },
    {
      kind: 'alias',
      cls: 'body_for_windows_security',
      pairs: [{ from: 'Message', to: 'body' }],
      at: sat('FIELDALIAS-body_for_windows_security'),
    },
    {
      kind: 'alias',
      cls: 'Status_as_ta_windows_status',
      pairs: [{ from: 'Status', to: 'ta_windows_status' }],
      at: sat('FIELDALIAS-Status_as_ta_windows_status'),
    },
    {
      kind: 'eval',
      field: 'ta_windows_action',
      expr: 'case(upper(Status) == "0XC000006F", "denied", upper(Status) == "0XC0000070", "denied", upper(Status) == "0XC000015B", "denied", upper(Status) == "0XC0000234", "denied", upper(Status) == "0XC0000064", "unknown", upper(Status) == "0XC0000133", "error", upper(Status) == "0XC0000225", "error", 1=1 , "failure")',
      at: sat('EVAL-ta_windows_action'),
    },
    {
      kind: 'report',
      cls: 'session_id_for_windows_security',
      transforms: [S.Logon_ID_as_session_id, S.Client_Logon_ID_as_session_id, S.Caller_Logon_ID_as_session_id],
      at: sat('REPORT-session_id_for_windows_security'),
    },
    {
      kind: 'report',
      cls: 'dest_for_windows_security',
      transforms: [S.Target_Server_Name_as_dest, S.Computer_as_dest],
      at: sat('REPORT-dest_for_windows_security'),
    },
    {
      kind: 'report',
      cls: 'dest_nt_domain_for_windows_security',
      transforms: S.dest_nt_domain,
      at: sat('REPORT-dest_nt_domain_for_windows_security'),
    },
    {
      kind: 'report',
      cls: 'dest_nt_host_for_windows_security',
      transforms: S.dest_nt_host,
      at: sat('REPORT-dest_nt_host_for_windows_security'),
    },
    { kind: 'report', cls: 'src_for_windows_security', transforms: S.src, at: sat('REPORT-src_for_windows_security') },
    {
      kind: 'report',
      cls: 'src_ip_for_windows_security',
      transforms: S.src_ip,
      at: sat('REPORT-src_ip_for_windows_security'),
    },
    {
      kind: 'report',
      cls: 'src_nt_domain_for_windows_security',
      transforms: srcNtDomain(false),
      at: sat('REPORT-src_nt_domain_for_windows_security'),
    },
    {
      kind: 'report',
      cls: 'src_nt_host_for_windows_security',
      transforms: S.src_nt_host,
      at: sat('REPORT-src_nt_host_for_windows_security'),
    },
    {
      kind: 'report',
      cls: 'src_user_for_windows_security',
      transforms: S.src_user,
      at: sat('REPORT-src_user_for_windows_security'),
    },
    {
      kind: 'report',
      cls: 'user_for_windows_security',
      transforms: S.user,
      at: sat('REPORT-user_for_windows_security'),
    },
    {
      kind: 'eval',
      field: 'user_group',
      expr: 'coalesce(TargetUserName,New_Account_Name,Target_Account_Name)',
      at: sat('EVAL-user_group'),
    },
    {
      kind: 'report',
      cls: 'member_id_for_windows_security',
      transforms: S.member_id,
      at: sat('REPORT-member_id_for_windows_security'),
    },
    {
      kind: 'report',
      cls: 'member_dn_for_windows_security',
      transforms: S.member_dn,
      at: sat('REPORT-member_dn_for_windows_security'),
    },
    {
      kind: 'report',
      cls: 'member_nt_domain_for_windows_security',
      transforms: S.member_nt_domain,
      at: sat('REPORT-member_nt_domain_for_windows_security'),
    },
    { kind: 'eval', field: 'dest_nt_domain', expr: 'nullif(dest_nt_domain,"-")', at: sat('EVAL-dest_nt_domain') },
    dataExtract('dest_port_for_windows_security_from_xml', 'DestPort', 'dest_port'),
    dataExtract('object_attrs_for_windows_security_from_xml', 'RuleName', 'object_attrs'),
    {
      kind: 'extract',
      cls: '1IpAddress_for_windows_security_from_xml',
      regex: String.raw`<Data Name=['"]IpAddress['"]>(?!::1)(?!127\.0\.0\.1)(?<src_ip>[^<]+)<\/Data>`,
      at: sat('EXTRACT-1IpAddress_for_windows_security_from_xml'),
    },
    dataExtract('process_for_windows_security_from_xml', 'ProcessName', 'process'),
    dataExtract('new_process_for_windows_security_from_xml', 'NewProcessName', 'new_process'),
    dataExtract('parent_process_for_windows_security_from_xml', 'ParentProcessName', 'parent_process'),
    dataExtract('new_process_id_for_windows_security_from_xml', 'NewProcessId', 'new_process_id'),
    dataExtract('process_id_for_windows_security_from_xml', 'ProcessId', 'process_id'),
    dataExtract('process_command_line_for_xml', 'CommandLine', 'Process_Command_Line'),
    {
      kind: 'report',
      cls: 'parent_process_name_windows_xml',
      transforms: [
        copy('extract_parent_process_name_for_windows_xml', 'parent_process', 'parent_process_name', BASENAME),
      ],
      at: sat('REPORT-parent_process_name_windows_xml'),
    },
    {
      kind: 'report',
      cls: 'new_process_name_windows_xml',
      transforms: [copy('extract_new_process_name_for_windows_xml', 'new_process', 'new_process_name', BASENAME)],
      at: sat('REPORT-new_process_name_windows_xml'),
    },
    {
      kind: 'report',
      cls: 'target_process_name_windows_xml',
      transforms: [
        copy('extract_target_process_name_for_windows_xml', 'TargetProcessName', 'target_process_name', BASENAME),
      ],
      at: sat('REPORT-target_process_name_windows_xml'),
    },
    {
      kind: 'report',
      cls: 'caller_user_name_from_user_data_xml',
      transforms: [
        {
          name: 'SubjectUserName_from_user_data',
          from: 'UserData_Xml',
          regex: String.raw`<SubjectUserName(?:\s+[^>]+)?>([\s\S]*?)<\/SubjectUserName>`,
          out: { Caller_User_Name: 1 },
          at: 'transforms.conf [SubjectUserName_from_user_data]',
        },
      ],
      at: sat('REPORT-caller_user_name_from_user_data_xml'),
    },
    {
      kind: 'report',
      cls: 'file_name_and_path',
      transforms: [
        {
          name: 'object_file_name_and_path_from_ObjectName_for_xml',
          from: 'ObjectName',
          regex: String.raw`^((?:.*[\\/]+)*([^-].*))$`,
          out: { object_file_path: 1, object_file_name: 2 },
          at: 'transforms.conf [object_file_name_and_path_from_ObjectName_for_xml]',
        },
        {
          name: 'file_name_and_path_from_FileName_for_xml',
          from: 'FileName',
          regex: String.raw`^((?:.*[\\/]+)*([^-].*))$`,
          out: { file_path: 1, file_name: 2 },
          at: 'transforms.conf [file_name_and_path_from_FileName_for_xml]',
        },
        {
          name: 'file_name_and_path_from_KeyFilePath_for_xml',
          from: 'KeyFilePath',
          regex: String.raw`^((?:.*[\\/]+)*([^-].*))$`,
          out: { file_path: 1, file_name: 2 },
          at: 'transforms.conf [file_name_and_path_from_KeyFilePath_for_xml]',
        },
      ],
      at: sat('REPORT-file_name_and_path'),
    },
    {
      kind: 'report',
      cls: 'process_command_line_process_and_arguments',
      transforms: [
        {
          name: 'process_command_line_process_and_arguments',
          from: 'Process_Command_Line',
          regex: String.raw`(^"[^"]+"|[^\s]+)\s*(.*)`,
          out: { process_command_line_process: 1, process_command_line_arguments: 2 },
          at: 'transforms.conf [process_command_line_process_and_arguments]',
        },
      ],
      at: sat('REPORT-process_command_line_process_and_arguments'),
    },
    {
      kind: 'eval',
      field: 'object_attrs',
      expr: 'if(EventCode IN (4720,4738), null(),if(EventCode=4717, AccessGranted, (if(EventCode==4718, AccessRemoved, (if(isnotnull(SamAccountName), SamAccountName, object_attrs))))))',
      at: sat('EVAL-object_attrs'),
    },
    {
      kind: 'eval',
      field: 'registry_path',
      expr: 'if(EventCode==4657,ObjectName,registry_path)',
      at: sat('EVAL-registry_path'),
    },
    {
      kind: 'eval',
      field: 'registry_value_name',
      expr: 'if(EventCode==4657,ObjectValueName,registry_value_name)',
      at: sat('EVAL-registry_value_name'),
    },
    {
      kind: 'eval',
      field: 'registry_value_type',
      expr: 'if(EventCode==4657,NewValueType,registry_value_type)',
      at: sat('EVAL-registry_value_type'),
    },
    { kind: 'eval', field: 'src', expr: 'if(EventCode==4778,ClientAddress,src)', at: sat('EVAL-src') },
    {
      kind: 'eval',
      field: 'file_name',
      expr: 'coalesce(file_name,if(ObjectType=="File",object_file_name,null()),ShareName)',
      at: sat('EVAL-file_name'),
    },
    {
      kind: 'eval',
      field: 'file_path',
      expr: 'coalesce(file_path,if(ObjectType=="File",object_file_path,null()),ShareLocalPath)',
      at: sat('EVAL-file_path'),
    },
    {
      kind: 'eval',
      field: 'src_port',
      expr: 'if(EventCode=5158 OR EventCode=5156, SourcePort, src_port)',
      at: sat('EVAL-src_port'),
    },
    {
      kind: 'eval',
      field: 'process',
      // The first token of the command line is replaced by NewProcessName unless it is a path.
      expr: 'case(EventCode==4688, coalesce(if(match(process_command_line_process,"(\\\\\\)"), Process_Command_Line, (if(match(NewProcessName,"\\s"), "\\"" + NewProcessName + "\\"", NewProcessName)) + " " + process_command_line_arguments), NewProcessName) , EventCode==4696, TargetProcessName, 1==1, coalesce(process, Process, ProcessName))',
      at: sat('EVAL-process'),
    },
    {
      kind: 'eval',
      field: 'process_path',
      expr: 'case(EventCode==4688, new_process, EventCode==4696, TargetProcessName, 1==1, coalesce(process, Process, ProcessName))',
      at: sat('EVAL-process_path'),
    },
    {
      kind: 'eval',
      field: 'process_id',
      expr: 'case(EventCode==4688, new_process_id, EventCode==4696, TargetProcessId, 1==1, process_id)',
      at: sat('EVAL-process_id'),
    },
    { kind: 'eval', field: 'service', expr: 'if(isnotnull(service),service, Service)', at: sat('EVAL-service') },
    {
      kind: 'eval',
      field: 'parent_process',
      expr: 'case(EventCode==4696,ProcessName,1==1,parent_process)',
      at: sat('EVAL-parent_process'),
    },
    {
      kind: 'eval',
      field: 'parent_process_id',
      expr: 'case(EventCode==4688 OR EventCode==4696,ProcessId)',
      at: sat('EVAL-parent_process_id'),
    },
    {
      kind: 'eval',
      field: 'parent_process_name',
      expr: 'case(EventCode==4696,replace(ProcessName,"(?:.*\\\\\\)?(.*)","\\1"),1==1,parent_process_name)',
      at: sat('EVAL-parent_process_name'),
    },
    {
      kind: 'eval',
      field: 'parent_process_path',
      expr: 'case(EventCode==4688,parent_process,EventCode==4696,ProcessName)',
      at: sat('EVAL-parent_process_path'),
    },
    {
      kind: 'eval',
      field: 'process_exec',
      expr: 'case(EventCode==4688,new_process_name,EventCode==4696,target_process_name,EventCode==4689 OR EventCode==4674 OR EventCode==4673,replace(ProcessName,"(?:.*\\\\\\)?(.*)","\\1"))',
      at: sat('EVAL-process_exec'),
    },
    {
      kind: 'eval',
      field: 'process_name',
      expr: 'case(EventCode=4688,new_process_name,EventCode==4696,target_process_name,EventCode==4689 OR EventCode==4674 OR EventCode==4673,replace(ProcessName,"(?:.*\\\\\\)?(.*)","\\1"),1==1,ProcessName)',
      at: sat('EVAL-process_name'),
    },
    {
      kind: 'eval',
      field: 'user',
      expr: 'case(EventCode==4688,if(user=="-" OR isnull(user),src_user,user),EventCode==4674 OR EventCode==4689 OR EventCode==4673 OR EventCode==4697,case(SubjectUserName!="-",SubjectUserName),EventCode==4696,case(user!="-",user),EventCode IN (4703,4704,4705,4722,4723,4724,4725,4726,4738,4767), TargetUserName, EventCode==4781, NewTargetUserName, 1==1,user)',
      at: sat('EVAL-user'),
    },
    {
      kind: 'eval',
      field: 'user_name',
      expr: 'case(EventCode IN (4703,4704,4705,4722,4723,4724,4725,4726,4738,4767), TargetUserName, EventCode==4781, NewTargetUserName, 1==1,user_name)',
      at: sat('EVAL-user_name'),
    },
    {
      kind: 'eval',
      field: 'src_user',
      expr: 'case(EventCode IN (4703,4704,4705,4722,4723,4724,4725,4726,4738,4767,4781), SubjectUserName, 1==1,src_user)',
      at: sat('EVAL-src_user'),
    },
    {
      kind: 'eval',
      field: 'src_user_name',
      expr: 'case(EventCode IN (4703,4704,4705,4722,4723,4724,4725,4726,4738,4767,4781), SubjectUserName, 1==1,src_user_name)',
      at: sat('EVAL-src_user_name'),
    },
    {
      kind: 'eval',
      field: 'object',
      expr: 'case(EventCode IN (4703,4704,4705,4722,4723,4724,4725,4726,4738,4767), TargetUserName, EventCode==4781, NewTargetUserName, 1==1, object)',
      at: sat('EVAL-object'),
    },
    {
      kind: 'eval',
      field: 'object_id',
      expr: 'case(EventCode IN (4704, 4705, 4722, 4723, 4724, 4725, 4726, 4738, 4767, 4781), TargetSid, EventCode==4703, TargetUserSid, 1==1, object_id)',
      at: sat('EVAL-object_id'),
    },
    {
      kind: 'eval',
      field: 'action',
      expr: 'case(EventCode=="4688" AND Keywords=="0x8020000000000000","allowed")',
      at: sat('EVAL-action'),
    },
    {
      kind: 'eval',
      field: 'Group_Name',
      expr: 'case(isnotnull(TargetUserName) AND ((EventCode>=4727 AND EventCode<=4735) OR EventCode==4737 OR (EventCode>=4744 AND EventCode<=4764) OR EventCode==4799), TargetUserName, 1=1, Group_Name)',
      at: sat('EVAL-Group_Name'),
    },
    {
      kind: 'eval',
      field: 'Group_Domain',
      expr: 'case(isnotnull(TargetDomainName) AND ((EventCode>=4727 AND EventCode<=4735) OR EventCode==4737 OR (EventCode>=4744 AND EventCode<=4764) OR EventCode==4799), TargetDomainName, 1=1, Group_Domain)',
      at: sat('EVAL-Group_Domain'),
    },
    {
      kind: 'eval',
      field: 'user_type',
      expr: 'case(EventCode IN (4741, 4742, 4743), "computer")',
      at: sat('EVAL-user_type'),
    },
  ],
};

// --- [source::WinEventLog:Security] (classic text) --------------------------------------------

const CSEC = 'source::WinEventLog:Security';
const cat = (s: string) => `props.conf [${CSEC}] ${s}`;

const CLASSIC_SECURITY: Stanza = {
  addon: SPLUNK_TA_WINDOWS,
  match: { source: 'WinEventLog:Security' },
  note: 'The settings that feed the CIM fields of classic Security events; the MSAD change-description and privilege REPORTs are not transcribed.',
  ops: [
    {
      kind: 'lookup',
      cls: 'CategoryString_for_windows_legacy_security',
      table: WINDOWS_SIGNATURES,
      inputs: [['signature_id', 'signature_id']],
      outputs: [['CategoryString', 'ta_windows_security_CategoryString']],
      outputNew: true,
      at: cat('LOOKUP-CategoryString_for_windows_legacy_security'),
    },
    ...securityLookups(CSEC),
    {
      kind: 'alias',
      cls: 'src_port_for_windows_security',
      pairs: [{ from: 'Source_Port', to: 'src_port' }],
      at: cat('FIELDALIAS-src_port_for_windows_security'),
    },
    { kind: 'eval', field: 'vendor', expr: '"Microsoft"', at: cat('EVAL-vendor') },
    { kind: 'eval', field: 'product', expr: '"Windows"', at: cat('EVAL-product') },
    {
      kind: 'alias',
      cls: 'body_for_windows_security',
      pairs: [{ from: 'Message', to: 'body' }],
      at: cat('FIELDALIAS-body_for_windows_security'),
    },
    {
      kind: 'report',
      cls: 'session_id_for_windows_security',
      transforms: [S.Logon_ID_as_session_id, S.Client_Logon_ID_as_session_id, S.Caller_Logon_ID_as_session_id],
      at: cat('REPORT-session_id_for_windows_security'),
    },
    {
      kind: 'report',
      cls: 'dest_for_windows_security',
      transforms: [S.Target_Server_Name_as_dest, S.ComputerName_as_dest],
      at: cat('REPORT-dest_for_windows_security'),
    },
    {
      kind: 'report',
      cls: 'dest_nt_domain_for_windows_security',
      transforms: S.dest_nt_domain,
      at: cat('REPORT-dest_nt_domain_for_windows_security'),
    },
    {
      kind: 'report',
      cls: 'dest_nt_host_for_windows_security',
      transforms: S.dest_nt_host,
      at: cat('REPORT-dest_nt_host_for_windows_security'),
    },
    { kind: 'report', cls: 'src_for_windows_security', transforms: S.src, at: cat('REPORT-src_for_windows_security') },
    {
      kind: 'report',
      cls: 'src_ip_for_windows_security',
      transforms: S.src_ip,
      at: cat('REPORT-src_ip_for_windows_security'),
    },
    {
      kind: 'report',
      cls: 'src_nt_domain_for_windows_security',
      transforms: srcNtDomain(true),
      at: cat('REPORT-src_nt_domain_for_windows_security'),
    },
    {
      kind: 'report',
      cls: 'src_nt_host_for_windows_security',
      transforms: S.src_nt_host,
      at: cat('REPORT-src_nt_host_for_windows_security'),
    },
    {
      kind: 'report',
      cls: 'src_user_for_windows_security',
      transforms: S.src_user,
      at: cat('REPORT-src_user_for_windows_security'),
    },
    {
      kind: 'report',
      cls: 'user_for_windows_security',
      transforms: [
        ...S.user.slice(0, 6),
        copy(
          'Special_Account_Name_as_user',
          'Account_Name',
          'user',
          String.raw`^(?:(?:[^\n]*)\n)?(?:CN=)?([^\n]*?),.*`,
        ),
        ...S.user.slice(6),
      ],
      at: cat('REPORT-user_for_windows_security'),
    },
    {
      kind: 'eval',
      field: 'user_group',
      expr: 'coalesce(Group_Name,New_Account_Name,Target_Account_Name)',
      at: cat('EVAL-user_group'),
    },
    {
      kind: 'report',
      cls: 'member_id_for_windows_security',
      transforms: S.member_id,
      at: cat('REPORT-member_id_for_windows_security'),
    },
    {
      kind: 'report',
      cls: 'member_dn_for_windows_security',
      transforms: S.member_dn,
      at: cat('REPORT-member_dn_for_windows_security'),
    },
    {
      kind: 'report',
      cls: 'member_nt_domain_for_windows_security',
      transforms: S.member_nt_domain,
      at: cat('REPORT-member_nt_domain_for_windows_security'),
    },
    { kind: 'eval', field: 'dest_nt_domain', expr: 'nullif(dest_nt_domain,"-")', at: cat('EVAL-dest_nt_domain') },
    {
      kind: 'report',
      cls: 'subject_fields',
      transforms: [
        {
          name: 'subject_fields_extraction',
          from: '_raw',
          regex: String.raw`Subject:[\r\n]+(?:\s+Security\sID:(?<Subject_Security_ID>[^\r\n]*)[\r\n]*)?(?:\s+Account\sName:(?<Subject_Account_Name>[^\r\n]*)[\r\n]*)?(?:\s+Account\sDomain:(?<Subject_Account_Domain>[^\r\n]*)[\r\n]*)?(?:\s+Logon\sID:(?<Subject_Logon_ID>[^\r\n]*)[\r\n]*)?`,
          out: {
            Subject_Security_ID: 'Subject_Security_ID',
            Subject_Account_Name: 'Subject_Account_Name',
            Subject_Account_Domain: 'Subject_Account_Domain',
            Subject_Logon_ID: 'Subject_Logon_ID',
          },
          at: 'transforms.conf [subject_fields_extraction]',
        },
      ],
      at: cat('REPORT-subject_fields'),
    },
    {
      kind: 'report',
      cls: 'target_fields',
      transforms: [
        {
          name: 'target_fields_extraction',
          from: '_raw',
          regex: String.raw`Target\sAccount:[\r\n]+(?:\s+Security\sID:(?<Target_Security_ID>[^\r\n]*)[\r\n]*)?(?:\s+Account\sName:(?<Target_Account_Name>[^\r\n]*)[\r\n]*)?(?:\s+Account\sDomain:(?<Target_Account_Domain>[^\r\n]*)[\r\n]*)?(?:\s+Old\sAccount\sName:(?<Target_Old_Account_Name>[^\r\n]*)[\r\n]*)?(?:\s+New\sAccount\sName:(?<Target_New_Account_Name>[^\r\n]*)[\r\n]*)?(?:\s+Logon\sID:(?<Target_Logon_ID>[^\r\n]*)[\r\n]*)?`,
          out: {
            Target_Security_ID: 'Target_Security_ID',
            Target_Account_Name: 'Target_Account_Name',
            Target_Account_Domain: 'Target_Account_Domain',
            Target_Old_Account_Name: 'Target_Old_Account_Name',
            Target_New_Account_Name: 'Target_New_Account_Name',
            Target_Logon_ID: 'Target_Logon_ID',
          },
          at: 'transforms.conf [target_fields_extraction]',
        },
      ],
      at: cat('REPORT-target_fields'),
    },
    {
      kind: 'eval',
      field: 'user',
      expr: 'case(EventCode==4688,if(user=="-" OR isnull(user),src_user,user),EventCode IN (4689,4696,4673,4674,4697),case(user!="-",user), EventCode IN (4703,4704,4705,4722,4723,4724,4725,4726,4738,4767), Target_Account_Name, EventCode==4781, Target_New_Account_Name, 1==1,user)',
      at: cat('EVAL-user'),
    },
    {
      kind: 'eval',
      field: 'src_user',
      expr: 'case(EventCode IN (4703,4704,4705,4722,4723,4724,4725,4726,4738,4767,4781), Subject_Account_Name, 1==1,src_user)',
      at: cat('EVAL-src_user'),
    },
    {
      kind: 'report',
      cls: 'new_process_name',
      transforms: [copy('extract_new_process_name', 'New_Process_Name', 'new_process_name', BASENAME)],
      at: cat('REPORT-new_process_name'),
    },
    {
      kind: 'report',
      cls: 'parent_process_name',
      transforms: [copy('extract_parent_process_name', 'Creator_Process_Name', 'parent_process_name', BASENAME)],
      at: cat('REPORT-parent_process_name'),
    },
    {
      kind: 'eval',
      field: 'process_name',
      expr: 'case(EventCode==4688,new_process_name,EventCode==4696,target_process_name,EventCode==4689 OR EventCode==4674 OR EventCode==4673,replace(Process_Name,"(?:.*\\\\\\)?(.*)","\\1"),1==1,Process_Name)',
      at: cat('EVAL-process_name'),
    },
    {
      kind: 'eval',
      field: 'process_path',
      expr: 'case(EventCode==4688,New_Process_Name,EventCode==4696,Target_Process_Name,EventCode==4689 OR EventCode==4674 OR EventCode==4673,Process_Name)',
      at: cat('EVAL-process_path'),
    },
    {
      kind: 'eval',
      field: 'parent_process_path',
      expr: 'case(EventCode==4688,Creator_Process_Name,EventCode==4696,Process_Name)',
      at: cat('EVAL-parent_process_path'),
    },
    {
      kind: 'eval',
      field: 'action',
      expr: 'case(EventCode=="4688" AND Keywords=="Audit Success","allowed",EventCode=="4688" AND Keywords=="Audit Failure","blocked")',
      at: cat('EVAL-action'),
    },
    {
      kind: 'eval',
      field: 'user_type',
      expr: 'case(EventCode IN (4741, 4742, 4743), "computer")',
      at: cat('EVAL-user_type'),
    },
  ],
};

// --- [source::XmlWinEventLog:System] and Application ---------------------------------------------

const SYS = 'source::XmlWinEventLog:System';
const yat = (s: string) => `props.conf [${SYS}] ${s}`;
const errorCodeAction = (stanza: string): KnowledgeOp[] => [
  {
    kind: 'eval',
    field: 'Error_Code',
    expr: 'case(isnotnull(Status), Status, isnotnull(Error_Code), Error_Code, 1==1, "-")',
    at: `props.conf [${stanza}] EVAL-Error_Code`,
  },
  {
    kind: 'lookup',
    cls: 'action_for_windows_xmlsecurity_input',
    table: XMLSECURITY_ERRORCODE_ACTION,
    inputs: [
      ['EventCode', 'EventCode'],
      ['Error_Code', 'Error_Code'],
    ],
    outputs: [
      ['action', 'action'],
      ['action', 'status'],
    ],
    outputNew: true,
    at: `props.conf [${stanza}] LOOKUP-action_for_windows_xmlsecurity_input`,
  },
];

const XML_SYSTEM: Stanza = {
  addon: SPLUNK_TA_WINDOWS,
  match: { source: 'XmlWinEventLog:System' },
  ops: [
    ...errorCodeAction(SYS),
    {
      kind: 'report',
      cls: 'bestmatch_for_windows_system_xml',
      transforms: [S.Computer_as_dest],
      at: yat('REPORT-bestmatch_for_windows_system_xml'),
    },
    {
      kind: 'report',
      cls: 'user_for_windows_system',
      transforms: [
        {
          name: 'user_for_windows_system_ias',
          from: '_raw',
          regex: String.raw`Message=User\s+(?:[^\/\\]+[\/\\])?([^.]+).*?was`,
          out: { user: 1 },
          at: 'transforms.conf [user_for_windows_system_ias]',
        },
        copy('User_as_user', 'User', 'user', AFTER_DOMAIN),
      ],
      at: yat('REPORT-user_for_windows_system'),
    },
    { kind: 'eval', field: 'body', expr: "coalesce('signature_message','Message')", at: yat('EVAL-body') },
    { kind: 'eval', field: 'vendor', expr: '"Microsoft"', at: yat('EVAL-vendor') },
    { kind: 'eval', field: 'product', expr: '"Windows"', at: yat('EVAL-product') },
    {
      kind: 'report',
      cls: 'service_name',
      transforms: [copy('ServiceName_as_service_name', 'param1', 'ServiceName')],
      at: yat('REPORT-service_name'),
    },
    {
      kind: 'eval',
      field: 'status',
      expr: 'case(EventCode=="7036" AND param2=="running","started",EventCode=="7036" AND param2=="stopped","stopped")',
      at: yat('EVAL-status'),
    },
    {
      kind: 'lookup',
      cls: '0start_mode_for_eventcode_7045_service_windows_xml',
      table: START_MODES,
      inputs: [['StartType', 'StartType']],
      outputs: [['start_mode', 'start_mode']],
      outputNew: true,
      at: yat('LOOKUP-0start_mode_for_eventcode_7045_service_windows_xml'),
    },
    {
      kind: 'lookup',
      cls: '1start_mode_for_eventcode_7040_service_windows_xml',
      table: START_MODES,
      inputs: [['StartType', 'param3']],
      outputs: [['start_mode', 'start_mode']],
      outputNew: true,
      at: yat('LOOKUP-1start_mode_for_eventcode_7040_service_windows_xml'),
    },
  ],
};

const XML_APPLICATION: Stanza = {
  addon: SPLUNK_TA_WINDOWS,
  match: { source: 'XmlWinEventLog:Application' },
  ops: [
    ...errorCodeAction('source::XmlWinEventLog:Application'),
    {
      kind: 'alias',
      cls: 'dest_for_xmlwineventlog_application',
      pairs: [{ from: 'Computer', to: 'dest' }],
      at: 'props.conf [source::XmlWinEventLog:Application] FIELDALIAS-dest_for_xmlwineventlog_application',
    },
  ],
};

const CLASSIC_APPLICATION: Stanza = {
  addon: SPLUNK_TA_WINDOWS,
  match: { source: 'WinEventLog:Application' },
  ops: [
    {
      kind: 'eval',
      field: 'dest',
      expr: "coalesce('ComputerName','Computer')",
      at: 'props.conf [source::WinEventLog:Application] EVAL-dest',
    },
    ...errorCodeAction('source::WinEventLog:Application'),
  ],
};

const CLASSIC_SYSTEM: Stanza = {
  addon: SPLUNK_TA_WINDOWS,
  match: { source: 'WinEventLog:System' },
  ops: [
    {
      kind: 'report',
      cls: 'bestmatch_for_windows_system',
      transforms: [S.ComputerName_as_dest],
      at: 'props.conf [source::WinEventLog:System] REPORT-bestmatch_for_windows_system',
    },
    {
      kind: 'report',
      cls: 'user_for_windows_system',
      transforms: [copy('User_as_user', 'User', 'user', AFTER_DOMAIN)],
      at: 'props.conf [source::WinEventLog:System] REPORT-user_for_windows_system',
    },
    { kind: 'eval', field: 'vendor', expr: '"Microsoft"', at: 'props.conf [source::WinEventLog:System] EVAL-vendor' },
    { kind: 'eval', field: 'product', expr: '"Windows"', at: 'props.conf [source::WinEventLog:System] EVAL-product' },
  ],
};

export const WINDOWS_STANZAS: Stanza[] = [
  XML_CAMEL,
  XML_LOWER,
  CLASSIC_CAMEL,
  CLASSIC_LOWER,
  XML_SECURITY,
  CLASSIC_SECURITY,
  XML_SYSTEM,
  XML_APPLICATION,
  CLASSIC_APPLICATION,
  CLASSIC_SYSTEM,
];

export const WINDOWS_INPUTS: InputProfile[] = [
  {
    sourcetypes: ['XmlWinEventLog', 'xmlwineventlog'],
    format: 'xml',
    hostFields: ['Computer'],
    at: 'props.conf [XmlWinEventLog] KV_MODE = none, REPORT-0xml_kv_extract (fields from the XML; the reader parses it)',
  },
  {
    sourcetypes: ['WinEventLog', 'wineventlog'],
    format: 'wineventlog',
    hostFields: ['ComputerName'],
    at: 'props.conf [source::(WMI:WinEventLog|WinEventLog)...] REPORT-0MESSAGE = wel-message, wel-eq-kv, wel-col-kv',
  },
];

// --- eventtypes.conf + tags.conf ------------------------------------------------------------------

/** [name, search, tags] as in eventtypes.conf / tags.conf (Windows event log eventtypes only). */
const ET: [string, string, string][] = [
  [
    'windows_event_signature',
    'sourcetype=WinEventLog OR sourcetype=XmlWinEventLog OR sourcetype=WMI:WinEventLog:System OR sourcetype=WMI:WinEventLog:Security OR sourcetype=WMI:WinEventLog:Application OR sourcetype=wineventlog OR sourcetype=xmlwineventlog',
    'track_event_signatures',
  ],
  [
    'wineventlog_application',
    'source=WinEventLog:Application OR source=WMI:WinEventLog:Application OR source=XmlWinEventLog:Application',
    'os windows',
  ],
  [
    'wineventlog_system',
    'source=WinEventLog:System OR source=WMI:WinEventLog:System OR source=XmlWinEventLog:System',
    'os windows',
  ],
  [
    'wineventlog_security',
    'source=WinEventLog:Security OR source=WMI:WinEventLog:Security OR source=XmlWinEventLog:Security',
    'os windows',
  ],
  ['wineventlog-ds', 'source="WinEventLog:Directory Service" OR source="XmlWinEventLog:Directory Service"', ''],
  ['wineventlog-dfs', 'source="WinEventLog:DFS Replication" OR source="XmlWinEventLog:DFS Replication"', ''],
  [
    'wineventlog-filereplication',
    'source="WinEventLog:File Replication Service" OR source="XmlWinEventLog:File Replication Service"',
    '',
  ],
  [
    'wineventlog-keymanagement',
    'source="WinEventLog:Key Management Service" OR source="XmlWinEventLog:Key Management Service"',
    '',
  ],
  ['wineventlog-dns', 'source="WinEventLog:DNS Server" OR source="XmlWinEventLog:DNS Server"', ''],
  [
    // OR binds tighter than the implicit AND (splunk-semantics.md §1.5): every Windows event log
    // event but the account-change codes gets `endpoint filesystem` — as the add-on ships it.
    'wineventlog_windows',
    'eventtype=wineventlog_application OR eventtype=wineventlog_system OR eventtype=wineventlog_security OR eventtype=wineventlog-ds OR eventtype=wineventlog-dfs OR eventtype=wineventlog-keymanagement OR eventtype=wineventlog-filereplication OR eventtype=wineventlog-dns NOT (EventCode=4703 OR EventCode=4704 OR EventCode=4705 OR EventCode=4722 OR EventCode=4723 OR EventCode=4724 OR EventCode=4725 OR EventCode=4726 OR EventCode=4738 OR EventCode=4767 OR EventCode=4781)',
    'os windows endpoint filesystem',
  ],
  ['winapp', 'eventtype=wineventlog_application', ''],
  ['winsec', 'eventtype=wineventlog_security', 'security'],
  ['winsystem', 'eventtype=wineventlog_system', ''],
  [
    'windows_auth_ticket_granted',
    'eventtype=wineventlog_security (EventCode=4768 OR EventCode=672 OR EventCode=676)',
    'authentication',
  ],
  [
    'windows_service_ticket_granted',
    'eventtype=wineventlog_security (EventCode=4769 OR EventCode=4773 OR EventCode=673 OR EventCode=677)',
    'authentication',
  ],
  ['windows_ticket_renewed', 'eventtype=wineventlog_security (EventCode=4770 OR EventCode=674)', ''],
  ['windows_pre_auth_failed', 'eventtype=wineventlog_security (EventCode=4771 OR EventCode=675)', 'authentication'],
  ['windows_account_mapped', 'eventtype=wineventlog_security (EventCode=4774 OR EventCode=678)', 'authentication'],
  ['windows_account_notmapped', 'eventtype=wineventlog_security (EventCode=4775 OR EventCode=679)', 'authentication'],
  [
    'windows_account_used4logon',
    'eventtype=wineventlog_security (EventCode=4776 OR EventCode=4777 OR EventCode=680 OR EventCode=681)',
    'authentication',
  ],
  ['windows_session_reconnected', 'eventtype=wineventlog_security (EventCode=4778 OR EventCode=682)', ''],
  [
    'windows_session_disconnected',
    'eventtype=wineventlog_security (EventCode=4779 OR EventCode=683)',
    'access stop logoff',
  ],
  [
    'windows_account_management',
    'eventtype=wineventlog_security (ta_windows_security_CategoryString="Account Management" OR TaskCategory="User Account Management")',
    'account change management',
  ],
  [
    'windows_account_created',
    'eventtype=wineventlog_security (EventCode=4720 OR EventCode=4741 OR EventCode=624 OR EventCode=645)',
    'add account change',
  ],
  [
    'windows_account_enabled',
    'eventtype=wineventlog_security (EventCode=4722 OR EventCode=626)',
    'enable account change',
  ],
  [
    'windows_account_password_change',
    'eventtype=wineventlog_security (EventCode=4723 OR EventCode=627)',
    'password modify account change',
  ],
  [
    'windows_account_password_set',
    'eventtype=wineventlog_security (EventCode=4724 OR EventCode=628)',
    'password modify account change',
  ],
  [
    'windows_account_disabled',
    'eventtype=wineventlog_security (EventCode=4725 OR EventCode=629)',
    'disable account change',
  ],
  [
    'windows_account_deleted',
    'eventtype=wineventlog_security (EventCode=4726 OR EventCode=4743 OR EventCode=630 OR EventCode=647)',
    'delete account change',
  ],
  [
    'windows_account_modified',
    'eventtype=wineventlog_security (EventCode=4738 OR EventCode=4742 OR EventCode=642 OR EventCode=646 OR EventCode=625)',
    'modify account change',
  ],
  [
    'windows_account_lockout',
    'eventtype=wineventlog_security (EventCode=4740 OR EventCode=644)',
    'lock lockout account change',
  ],
  [
    'windows_account_unlocked',
    'eventtype=wineventlog_security (EventCode=4767 OR EventCode=671)',
    'modify account change',
  ],
  [
    'windows_audit_log_stopped',
    'eventtype=wineventlog_security EventCode=1100',
    'audit change endpoint stop stopped watchlist',
  ],
  [
    'windows_audit_errors',
    'eventtype=wineventlog_security (EventCode=1101 OR EventCode=1104 OR EventCode=1108)',
    'audit error',
  ],
  [
    'windows_audit_log_cleared',
    'eventtype=wineventlog_security (EventCode=1102 OR EventCode=517)',
    'audit change endpoint delete cleared watchlist',
  ],
  ['windows_audit_backup', 'eventtype=wineventlog_security EventCode=1105', 'audit backup change'],
  [
    'windows_audit_log_logon',
    'eventtype=wineventlog_security EventCode=4625 (ta_windows_status=0xC0000064 OR ta_windows_status=0xC000006A OR ta_windows_status=0xC000006F OR ta_windows_status=0xC0000070 OR ta_windows_status=0xC0000071 OR ta_windows_status=0xC0000072 OR ta_windows_status=0XC000018C OR ta_windows_status=0XC0000192 OR ta_windows_status=0xC0000193 OR ta_windows_status=0xC0000234 OR ta_windows_status=0XC00002EE OR ta_windows_status=0XC0000413)',
    'audit change',
  ],
  [
    'windows_logoff',
    'eventtype=wineventlog_security (EventCode=4634 OR EventCode=4647 OR EventCode=538 OR EventCode=551)',
    'access stop logoff',
  ],
  [
    'windows_logon_explicit',
    'eventtype=wineventlog_security (EventCode=4648 OR EventCode=552)',
    'authentication privileged',
  ],
  [
    'windows_logon_failure',
    'eventtype=wineventlog_security ((EventCode=4625 AND ta_windows_action!=error) OR EventCode=529 OR EventCode=530 OR EventCode=531 OR EventCode=532 OR EventCode=533 OR EventCode=534 OR EventCode=535 OR EventCode=536 OR EventCode=537 OR EventCode=539)',
    'authentication',
  ],
  [
    'windows_logon_success',
    'eventtype=wineventlog_security (EventCode=4624 OR EventCode=528 OR EventCode=540)',
    'authentication',
  ],
  [
    'windows_object_open',
    'eventtype=wineventlog_security (EventCode=4656 OR EventCode=560)',
    'resource file access start',
  ],
  [
    'windows_handle_closed',
    'eventtype=wineventlog_security (EventCode=4658 OR EventCode=562)',
    'resource file access stop',
  ],
  [
    'windows_audit_policy_change',
    'eventtype=wineventlog_security (EventCode=4715 OR EventCode=4719 OR EventCode=612)',
    'policy configuration modify audit change',
  ],
  [
    'windows_security_access_granted',
    'eventtype=wineventlog_security (EventCode=4717 OR EventCode=621)',
    'access authorization add change account',
  ],
  [
    'windows_security_access_removed',
    'eventtype=wineventlog_security (EventCode=4718 OR EventCode=622)',
    'access authorization delete change account',
  ],
  [
    'windows_audit_policy_changed',
    'eventtype=wineventlog_security (EventCode=4912 OR EventCode=807)',
    'policy configuration modify audit change',
  ],
  [
    'windows_firewall_policy_active',
    'eventtype=wineventlog_security (EventCode=848 OR EventCode=849 OR EventCode=850)',
    'application firewall configuration report',
  ],
  [
    'windows_firewall_policy_change',
    'eventtype=wineventlog_security (EventCode=4946 OR EventCode=4947 OR EventCode=4948 OR EventCode=851 OR EventCode=852)',
    'application firewall configuration modify',
  ],
  [
    'windows_firewall_port_listening',
    'eventtype=wineventlog_security (EventCode=4957 OR EventCode=861)',
    'application firewall port listening report',
  ],
  [
    'windows_special_privileges',
    'eventtype=wineventlog_security (EventCode=4672 OR EventCode=576)',
    'authentication privileged',
  ],
  [
    'windows_privileged_service_call',
    'eventtype=wineventlog_security (EventCode=4673 OR EventCode=577)',
    'process execute start privileged',
  ],
  [
    'windows_privileged_object_operation',
    'eventtype=wineventlog_security (EventCode=4674 OR EventCode=578)',
    'resource execute start privileged',
  ],
  ['windows_process_new', 'eventtype=wineventlog_security (EventCode=4688 OR EventCode=592)', 'process execute start'],
  ['windows_process_exit', 'eventtype=wineventlog_security (EventCode=4689 OR EventCode=593)', 'process execute stop'],
  [
    'windows_process_token',
    'eventtype=wineventlog_security (EventCode=4696 OR EventCode=600)',
    'process execute start privileged',
  ],
  ['windows_auth_package', 'eventtype=wineventlog_security (EventCode=4610 OR EventCode=514)', 'process execute start'],
  [
    'windows_logon_process',
    'eventtype=wineventlog_security (EventCode=4611 OR EventCode=515)',
    'process authorization add',
  ],
  [
    'windows_notification_package',
    'eventtype=wineventlog_security (EventCode=4614 OR EventCode=518)',
    'process execute start',
  ],
  [
    'windows_endpoint_processes',
    '(source="WinEventLog:Security" OR source="XmlWinEventLog:Security") (EventCode=4688 OR EventCode=4689 OR EventCode=4696 OR EventCode=4673 OR EventCode=4674)',
    'process report',
  ],
  [
    'windows_endpoint_services',
    '(source="WinEventLog:Security" OR source="XmlWinEventLog:Security" OR source="WinEventLog:System" OR source="XmlWinEventLog:System") (EventCode=1100 OR EventCode=4697 OR EventCode=5024 OR EventCode=5025 OR EventCode=5030 OR EventCode=5033 OR EventCode=5034 OR EventCode=5035 OR EventCode=5478 OR EventCode=7036 OR EventCode=7040 OR EventCode=7045)',
    'service report',
  ],
  [
    'windows_security_endpoint_registry',
    '(source=WinEventLog:Security OR source=XmlWinEventLog:Security) (EventCode=4657 OR (EventCode=4670 AND (Object_Type="Registry" OR ObjectType="Registry")))',
    'endpoint registry',
  ],
  [
    'windows_security_endpoint_port',
    '(source=WinEventLog:Security OR source=XmlWinEventLog:Security) (EventCode=5158)',
    'listening port',
  ],
  [
    'windows_security_change_audit',
    '(source=WinEventLog:Security OR source=XmlWinEventLog:Security) (EventCode=1101 OR EventCode=1108)',
    'change audit',
  ],
  [
    'windows_security_change',
    '(source=WinEventLog:Security OR source=XmlWinEventLog:Security) (EventCode=5461)',
    'change',
  ],
  [
    'windows_security_authentication',
    '(source=WinEventLog:Security OR source=XmlWinEventLog:Security) (EventCode=4801)',
    'authentication',
  ],
  [
    'windows_security_change_account',
    '(source=WinEventLog:Security OR source=XmlWinEventLog:Security) AND EventCode IN (4703,4704,4705,4722,4723,4724,4725,4726,4738,4767,4781)',
    'change account',
  ],
  ['powershell', 'source=Powershell', ''],
];

export const WINDOWS_EVENTTYPES: Eventtype[] = ET.map(([name, search, tags]) => ({
  name,
  search,
  tags: tags === '' ? [] : tags.split(' '),
  addon: SPLUNK_TA_WINDOWS,
  at: `eventtypes.conf [${name}], tags.conf [eventtype=${name}]`,
}));

export const WINDOWS_FIELD_TAGS: FieldTag[] = [
  ['privilege_id', 'SeAuditPrivilege', 'audit'],
  ['privilege_id', 'SeSecurityPrivilege', 'audit'],
  ['app', 'win:local', 'local'],
  ['app', 'win:remote', 'remote'],
  ['Logon_Type', '8', 'cleartext'],
  ['Token_Elevation_Type_id', '2', 'privileged'],
  ['Service_Name', 'kadmin/changepw', 'account change password modify'],
].map(([field, value, tags]) => ({
  field,
  value,
  tags: tags.split(' '),
  addon: SPLUNK_TA_WINDOWS,
  at: `tags.conf [${field}=${encodeURIComponent(value)}]`,
}));
