import { describe, expect, it } from 'vitest';
import { compileMappingKey, DERIVATIONS, type RawFields } from './index.js';

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

  it("dash_null turns Windows' - into a missing value (the 4688 user rule's first step)", () => {
    expect(get('TargetUserName|dash_null', { TargetUserName: '-' })).toBeUndefined();
    expect(get('TargetUserName|dash_null', { TargetUserName: 'bob' })).toBe('bob');
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
