import type { NormaliserSpec } from './spec.js';

/**
 * Normalisers for sourcetypes that have no data source in this repository. Same mapping
 * notation as `data_sources/*.yml` `field_mappings` (see docs/replay.md). Content data sources
 * with the same name replace these.
 */

/**
 * Sysmon for Linux EventID 1 (`sysmon:linux`). ESCU's data source lists the CIM fields but no
 * mappings (splunk-semantics.md §4.4); the raw names are Sysmon's, paths use `/`, `User` has no domain.
 */
const SYSMON_LINUX_EID1: NormaliserSpec = {
  name: 'Sysmon for Linux EventID 1',
  sourcetype: 'sysmon:linux',
  source: 'Syslog:Linux-Sysmon/Operational',
  where: { EventID: '1' },
  dataSet: 'Endpoint.Processes',
  mapping: [
    ['ProcessGuid', 'Processes.process_guid'],
    ['ProcessId', 'Processes.process_id'],
    ['Image', 'Processes.process_path'],
    ['Image|basename', 'Processes.process_name'],
    ['CommandLine', 'Processes.process'],
    ['CurrentDirectory', 'Processes.process_current_directory'],
    ['User', 'Processes.user'],
    ['IntegrityLevel', 'Processes.process_integrity_level'],
    ['Hashes', 'Processes.process_hash'],
    ['ParentProcessGuid', 'Processes.parent_process_guid'],
    ['ParentProcessId', 'Processes.parent_process_id'],
    ['ParentImage', 'Processes.parent_process_path'],
    ['ParentImage|basename', 'Processes.parent_process_name'],
    ['ParentCommandLine', 'Processes.parent_process'],
    ['Computer', 'Processes.dest'],
    ['OriginalFileName', 'Processes.original_file_name'],
    ['"allowed"', 'Processes.action'],
    ['"Sysmon for Linux"', 'Processes.vendor_product'],
  ],
};

/** Fields common to the NXLog renderings of Sysmon EID 1 (no add-on exists; splunk-semantics.md §4.5). */
const NXLOG_SYSMON_EID1: NormaliserSpec = {
  name: 'NXLog Sysmon EventID 1',
  sourcetype: 'nxlog:json',
  source: '*',
  where: { Channel: 'Microsoft-Windows-Sysmon/Operational', EventID: '1' },
  dataSet: 'Endpoint.Processes',
  mapping: [
    ['ProcessGuid', 'Processes.process_guid'],
    // NOT `ProcessID`: NXLog's integer ProcessID is the Sysmon service's PID (escu-corpus.md §9.1);
    // the new process's PID survives only in the rendered Message.
    ['ProcessId', 'Processes.process_id'],
    ['Message|message_field:ProcessId', 'Processes.process_id'],
    ['Image', 'Processes.process_path'],
    ['Image|win_basename', 'Processes.process_name'],
    ['CommandLine', 'Processes.process'],
    ['CurrentDirectory', 'Processes.process_current_directory'],
    ['User', 'Processes.user'],
    ['IntegrityLevel', 'Processes.process_integrity_level'],
    ['Hashes', 'Processes.process_hash'],
    ['ParentProcessGuid', 'Processes.parent_process_guid'],
    ['ParentProcessId', 'Processes.parent_process_id'],
    ['ParentImage', 'Processes.parent_process_path'],
    ['ParentImage|win_basename', 'Processes.parent_process_name'],
    ['ParentCommandLine', 'Processes.parent_process'],
    ['Hostname', 'Processes.dest'],
    ['OriginalFileName', 'Processes.original_file_name'],
    ['"allowed"', 'Processes.action'],
    ['"Microsoft Sysmon"', 'Processes.vendor_product'],
  ],
};

/** NXLog rendering of Security 4688: the Splunk_TA_windows rules, with `Hostname` for `Computer`. */
const NXLOG_SECURITY_4688: NormaliserSpec = {
  name: 'NXLog Windows Security 4688',
  sourcetype: 'nxlog:json',
  source: '*',
  where: { Channel: 'Security', EventID: '4688' },
  dataSet: 'Endpoint.Processes',
  mapping: [
    ['NewProcessId|hex2dec', 'Processes.process_id'],
    ['NewProcessName', 'Processes.process_path'],
    ['NewProcessName|win_basename', 'Processes.process_name'],
    ['NewProcessName|ta_windows_4688_process', 'Processes.process'],
    ['TargetUserName|dash_null', 'Processes.user'],
    ['SubjectUserName|dash_null', 'Processes.user'],
    ['ProcessId|hex2dec', 'Processes.parent_process_id'],
    ['ParentProcessName', 'Processes.parent_process_path'],
    ['ParentProcessName|win_basename', 'Processes.parent_process_name'],
    ['ParentProcessName', 'Processes.parent_process'],
    ['Hostname', 'Processes.dest'],
    ['"allowed"', 'Processes.action'],
    ['"Microsoft Windows"', 'Processes.vendor_product'],
  ],
};

export const BUILTIN_SPECS: readonly NormaliserSpec[] = [SYSMON_LINUX_EID1, NXLOG_SYSMON_EID1, NXLOG_SECURITY_4688];
