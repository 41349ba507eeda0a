// Hand-written inputs (labelled): the raw-text extractions that run before the add-on settings.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseWinEventLogText, splitWinEventLogText } from './classic.js';
import { flattenJson } from './json.js';
import { autoKv, cleanKey } from './kv.js';
import { extractFields } from './index.js';

describe('KV_MODE=json names (Search Reference, spath: `{}` for arrays)', () => {
  it('nested keys a.b.c, scalar arrays a{}, arrays of objects a{}.b, nested arrays a{}{}', () => {
    const f = flattenJson(
      '{"eventName":"ConsoleLogin","userIdentity":{"type":"IAMUser","sessionContext":{"attributes":{"mfaAuthenticated":false}}},"Parameters":[{"Name":"Identity","Value":"bob"},{"Name":"AccessRights","Value":"FullAccess"}],"tags":["a","b"],"m":[[1,2],[3]],"n":null,"e":""}',
    )!;
    expect(f).toMatchObject({
      eventName: 'ConsoleLogin',
      'userIdentity.type': 'IAMUser',
      'userIdentity.sessionContext.attributes.mfaAuthenticated': 'false',
      'Parameters{}.Name': ['Identity', 'AccessRights'],
      'Parameters{}.Value': ['bob', 'FullAccess'],
      'tags{}': ['a', 'b'],
      'm{}{}': ['1', '2', '3'],
      n: 'null',
      e: '',
    });
  });
  it('integers beyond 2^53 keep their digits (NXLog Keywords)', () => {
    expect(flattenJson('{"Keywords":-9187343239835811840}')!.Keywords).toBe('-9187343239835811840');
  });
  it('not an object: undefined; never throws on arbitrary text', () => {
    expect(flattenJson('[1]')).toBeUndefined();
    expect(flattenJson('{"a":')).toBeUndefined();
    fc.assert(fc.property(fc.string(), (s) => void flattenJson(s)));
  });
  it('a JSON sourcetype event gets its fields and defaults from the text alone', () => {
    const ev = extractFields(
      { fields: {}, text: '{"eventName":"DeleteTrail","requestParameters":{"name":"t"}}', line: 1 },
      { sourcetype: 'aws:cloudtrail', source: 'aws_cloudtrail' },
    );
    expect(ev).toMatchObject({
      eventName: 'DeleteTrail',
      'requestParameters.name': 't',
      sourcetype: 'aws:cloudtrail',
      index: 'main',
    });
  });
});

describe('KV_MODE=auto key=value pairs', () => {
  it('quoted and bare values, empty values ignored, keys cleaned, repeats multivalue', () => {
    const f = autoKv('type=EXECVE msg=audit(1632:12): argc=3 a0="/bin/sh" a1=-c e= x-y=1 a0=again');
    expect(f).toMatchObject({ type: 'EXECVE', argc: '3', a0: ['/bin/sh', 'again'], a1: '-c', x_y: '1' });
    expect(f.e).toBeUndefined();
    expect(cleanKey('9Detection Time')).toBe('Detection_Time');
  });
  it('never throws on arbitrary text', () => {
    fc.assert(fc.property(fc.string(), (s) => void autoKv(s)));
  });
});

describe('classic WinEventLog text', () => {
  const text = [
    '01/14/2021 11:41:39 PM',
    'LogName=Security',
    'EventCode=4720',
    'ComputerName=dc.example',
    'Message=A user account was created.\r',
    '\r',
    'Subject:\r',
    '\tSecurity ID:\t\tCORP\\admin\r',
    '\tAccount Name:\t\tadmin\r',
    '\r',
    'New Account:\r',
    '\tAccount Name:\t\tbob\r',
    '\tEmpty:\t\t\r',
  ].join('\n');
  it('Key=Value header lines, the Message to the end, message Key: value lines (cleaned, repeats multivalue)', () => {
    const f = parseWinEventLogText(text);
    expect(f).toMatchObject({
      LogName: 'Security',
      EventCode: '4720',
      Security_ID: 'CORP\\admin',
      Account_Name: ['admin', 'bob'],
    });
    expect(String(f.Message)).toMatch(/^A user account was created\.\n\nSubject:/);
    expect(f.Empty).toBeUndefined();
  });
  it('the Windows add-on reads the second Account_Name as user and the first as src_user', () => {
    const ev = extractFields(
      { fields: {}, text, line: 1 },
      { sourcetype: 'WinEventLog', source: 'WinEventLog:Security' },
    );
    expect(ev).toMatchObject({
      user: 'bob',
      src_user: 'admin',
      dest: 'dc.example',
      action: 'created',
      host: 'dc.example',
    });
  });
  it('splits events at header lines and at XML lines', () => {
    const parts = splitWinEventLogText(`${text}\n<Event xmlns='x'></Event>\n${text}\n`);
    expect(parts.map((p) => p.line)).toEqual([1, 15]);
  });
  it('never throws on arbitrary text', () => {
    fc.assert(fc.property(fc.string(), (s) => void parseWinEventLogText(s)));
  });
});

describe('hostile input', () => {
  it('no raw event crashes the extraction or the data-set rows, and nothing leaks into prototypes', async () => {
    const { defaultDataModels } = await import('./datamodels.js');
    const dm = defaultDataModels();
    const sets = dm.dataSets().map((d) => d.path);
    const names = fc.constantFrom(
      '__proto__',
      'toString',
      'constructor',
      'EventCode',
      'Image',
      'TargetUserName',
      'Status',
      'Hashes',
      'x y',
      '',
    );
    const value = fc.oneof(
      fc.string(),
      fc.array(fc.string(), { maxLength: 3 }),
      fc.constantFrom('4688', '1', '-', 'DWORD (0x1)'),
    );
    const sources = fc.constantFrom(
      ['xmlwineventlog', 'XmlWinEventLog:Security'],
      ['xmlwineventlog', 'XmlWinEventLog:Microsoft-Windows-Sysmon/Operational'],
      ['WinEventLog', 'WinEventLog:Security'],
      ['aws:cloudtrail', 'aws_cloudtrail'],
      ['linux:audit', '/var/log/audit/audit.log'],
      ['sysmon:linux', 'Syslog:Linux-Sysmon/Operational'],
      ['nxlog:json', 'nxlog'],
      ['unknown:thing', 'x'],
    );
    fc.assert(
      fc.property(
        fc.dictionary(names, value),
        fc.option(fc.string(), { nil: undefined }),
        sources,
        (fields, text, [st, src]) => {
          const raw = { fields: Object.assign(Object.create(null), fields), text, line: 1 };
          const ev = extractFields(raw, { sourcetype: st, source: src });
          expect(Object.getPrototypeOf(ev)).toBeNull();
          for (const s of sets) dm.rows(ev, s);
          expect(({} as Record<string, unknown>).polluted).toBeUndefined();
        },
      ),
      { numRuns: 150 },
    );
  });
});
