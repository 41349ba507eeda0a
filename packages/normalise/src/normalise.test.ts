import { describe, expect, it } from 'vitest';
import {
  compileMappingKey,
  createNormaliser,
  DERIVATIONS,
  specsFromDataSources,
  type DataSourceLike,
  type RawFields,
} from './index.js';

const get = (key: string, ev: RawFields) => {
  const c = compileMappingKey(key);
  if ('error' in c) throw new Error(c.error);
  return c.get(ev);
};

describe('named derivations', () => {
  it('basename keeps case; win_basename splits on backslash only (TA-microsoft-sysmon regex)', () => {
    expect(get('Image|basename', { Image: 'C:\\Users\\Public\\NGROK.EXE' })).toBe('NGROK.EXE');
    expect(get('Image|endswith', { Image: '/usr/bin/sudo' })).toBe('sudo');
    expect(get('Image|win_basename', { Image: 'C:/x\\a/b.exe' })).toBe('a/b.exe');
    expect(get('Image|dirname', { Image: 'C:\\x\\y.exe' })).toBe('C:\\x');
  });

  it('hex2dec converts 4688 hex process ids (0x1b28 = 6952, the certutil cross-check)', () => {
    expect(get('NewProcessId|hex2dec', { NewProcessId: '0x1b28' })).toBe('6952');
    expect(get('NewProcessId|hex2dec', { NewProcessId: '0xFFFFFFFFFFFFFFFF' })).toBe('18446744073709551615');
    expect(get('NewProcessId|hex2dec', { NewProcessId: '6952' })).toBe('6952');
  });

  it('dash_null + coalescing implement the 4688 user rule (TargetUserName unless -, else SubjectUserName)', () => {
    const n = createNormaliser(
      [
        {
          name: 't',
          sourcetype: 'st',
          where: {},
          dataSet: 'Endpoint.Processes',
          mapping: [
            ['TargetUserName|dash_null', 'Processes.user'],
            ['SubjectUserName|dash_null', 'Processes.user'],
          ],
        },
      ],
      'Endpoint.Processes',
      { builtins: false },
    );
    const user = (f: RawFields) => n.normalise({ fields: f, line: 1 }, { sourcetype: 'st', source: 's' })!.user;
    expect(user({ TargetUserName: '-', SubjectUserName: 'administrator' })).toBe('administrator');
    expect(user({ TargetUserName: 'bob', SubjectUserName: 'administrator' })).toBe('bob');
    expect(user({ TargetUserName: '-', SubjectUserName: '-' })).toBe('unknown');
  });

  it('ta_windows_4688_process follows Splunk_TA_windows: path-less first token replaced by NewProcessName', () => {
    const p = (NewProcessName: string, CommandLine?: string) =>
      get(
        'NewProcessName|ta_windows_4688_process',
        CommandLine === undefined ? { NewProcessName } : { NewProcessName, CommandLine },
      );
    expect(p('C:\\T\\ngrok.exe', 'ngrok.exe http 80')).toBe('C:\\T\\ngrok.exe http 80');
    expect(p('C:\\Program Files\\n\\ngrok.exe', 'ngrok.exe tcp 1')).toBe('"C:\\Program Files\\n\\ngrok.exe" tcp 1');
    expect(p('C:\\T\\ngrok.exe', '"C:\\T\\ngrok.exe" http 80')).toBe('"C:\\T\\ngrok.exe" http 80');
    expect(p('C:\\T\\ngrok.exe')).toBe('C:\\T\\ngrok.exe');
    expect(p('C:\\T\\ngrok.exe', '')).toBe('C:\\T\\ngrok.exe');
  });

  it('message_field reads the new PID out of an NXLog Message (the ProcessID pitfall, escu-corpus.md §9.1)', () => {
    const msg = 'Process Create:\r\nRuleName: \r\nProcessGuid: {x}\r\nProcessId: 2968\r\nImage: C:\\x.exe';
    expect(get('Message|message_field:ProcessId', { Message: msg })).toBe('2968');
    expect(get('Message|message_field:RuleName', { Message: msg })).toBeUndefined();
    expect(compileMappingKey('Message|message_field')).toEqual({ error: expect.stringMatching(/needs an argument/) });
  });

  it('constants, multivalue inputs and unknown derivations', () => {
    expect(get('"Microsoft Sysmon"', {})).toBe('Microsoft Sysmon');
    expect(get('Image|basename', { Image: ['C:\\a.exe', 'D:\\b.exe'] })).toEqual(['a.exe', 'b.exe']);
    expect(compileMappingKey('Image|nope')).toEqual({ error: expect.stringMatching(/unknown derivation "nope"/) });
    expect(Object.keys(DERIVATIONS)).toContain('hex2dec');
  });
});

describe('createNormaliser', () => {
  const sysmon: DataSourceLike = {
    name: 'Sysmon EventID 1',
    source: 'XmlWinEventLog:Microsoft-Windows-Sysmon/Operational',
    sourcetype: 'xmlwineventlog',
    separator: 'EventID',
    separator_value: '1',
    field_mappings: [
      {
        data_model: 'cim',
        data_set: 'Endpoint.Processes',
        mapping: {
          Image: 'Processes.process_path',
          'Image|endswith': 'Processes.process_name',
          CommandLine: 'Processes.process',
          Computer: 'Processes.dest',
          IntegrityLevel: 'Processes.process_integrity_level',
          ProcessId: 'Processes.process_id',
        },
      },
    ],
  };
  const { specs, problems } = specsFromDataSources([sysmon]);
  const n = createNormaliser(specs, 'Endpoint.Processes');
  const meta = {
    sourcetype: 'XmlWinEventLog',
    source: 'XmlWinEventLog:Microsoft-Windows-Sysmon/Operational',
    host: 'h',
  };

  it('selects by sourcetype (case-insensitive), source and separator value', () => {
    expect(problems).toEqual([]);
    const ev = n.normalise(
      {
        fields: {
          EventID: '1',
          Image: 'C:\\W\\certutil.exe',
          CommandLine: 'certutil -p',
          Computer: 'dc',
          IntegrityLevel: 'High',
          ProcessId: '6952',
        },
        time: 5,
        line: 1,
      },
      meta,
    );
    expect(ev).toMatchObject({
      _time: 5,
      host: 'h',
      sourcetype: 'XmlWinEventLog',
      process_name: 'certutil.exe',
      process: 'certutil -p',
      dest: 'dc',
      process_id: '6952',
      process_integrity_level: 'high',
    });
    expect(n.normalise({ fields: { EventID: '3', Image: 'x' }, line: 1 }, meta)).toBeUndefined();
    expect(
      n.normalise({ fields: { EventID: '1', Image: 'x' }, line: 1 }, { ...meta, source: 'XmlWinEventLog:Security' }),
    ).toBeUndefined();
  });

  it('applies the CIM 4.20 calculated fields (splunk-semantics.md §3.4)', () => {
    const ev = n.normalise({ fields: { EventID: '1', CommandLine: '"C:\\x\\ngrok.exe" http 80' }, line: 1 }, meta)!;
    expect(ev.process_name).toBe('"C:\\x\\ngrok.exe"'); // first token, quotes kept: the documented surprise
    expect(ev).toMatchObject({
      dest: 'unknown',
      user: 'unknown',
      parent_process: 'unknown',
      parent_process_name: 'unknown',
      original_file_name: 'unknown',
      vendor_product: 'XmlWinEventLog',
    });
    expect(ev.process_id).toBeUndefined();
  });

  it('reports bad mapping targets and keys', () => {
    const r = specsFromDataSources([
      {
        name: 'bad',
        sourcetype: 'st',
        field_mappings: [
          { data_model: 'cim', data_set: 'Endpoint.Processes', mapping: { A: 'Filesystem.x', 'B|zzz': 'Processes.y' } },
        ],
      },
    ]);
    const bad = createNormaliser(r.specs, 'Endpoint.Processes', { builtins: false });
    expect(bad.problems.map((p) => p.message)).toEqual([
      expect.stringMatching(/must be "Processes.<field>"/),
      expect.stringMatching(/unknown derivation/),
    ]);
  });

  it('built-in NXLog spec takes process_id from Message, never from ProcessID', () => {
    const ev = n.normalise(
      {
        fields: {
          Channel: 'Microsoft-Windows-Sysmon/Operational',
          EventID: '1',
          ProcessID: '2740',
          Message: 'Process Create:\r\nProcessId: 2968\r\n',
          Hostname: 'win-dc',
          Image: 'C:\\a\\b.exe',
        },
        line: 1,
      },
      { sourcetype: 'nxlog:json', source: 'nxlog' },
    )!;
    expect(ev).toMatchObject({ process_id: '2968', dest: 'win-dc', process_name: 'b.exe' });
  });
});

describe('shapeFactory', () => {
  it('pre-declares every key as undefined; hostile keys stay data', async () => {
    const { shapeFactory } = await import('./shape.js');
    const make = shapeFactory(['a', '"; process.exit(1); "', '__proto__x']);
    const o = make();
    expect(Object.keys(o)).toEqual(['a', '"; process.exit(1); "', '__proto__x']);
    expect(Object.values(o)).toEqual([undefined, undefined, undefined]);
    expect(shapeFactory(['a', '"; process.exit(1); "', '__proto__x'])).toBe(make);
  });
});
