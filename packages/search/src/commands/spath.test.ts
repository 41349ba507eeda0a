import { describe, expect, it } from 'vitest';
import { runSpl } from '../testing.js';
import { SPATH_EXTRACTION_CUTOFF } from './spath.js';

// Hand-written CloudTrail-like JSON and Windows UserData XML.
const json = JSON.stringify({
  eventName: 'PutBucketPolicy',
  userIdentity: { type: 'IAMUser', arn: 'arn:x' },
  resources: [{ ARN: 'a1' }, { ARN: 'a2' }],
  n: 5,
  ok: true,
});
const xml =
  '<UserData><RuleAndFileData xmlns="http://x"><PolicyName>EXE</PolicyName><FilePath>%SYSTEM32%\\a.exe</FilePath></RuleAndFileData></UserData>';
const ev = [{ _time: 1, _raw: json, UserData_Xml: xml }];
const one = async (spl: string) => (await runSpl(spl, ev)).rows[0]!;

describe('spath', () => {
  it('auto-extracts JSON keys joined with "." and arrays as {}', async () => {
    expect(await one('* | spath')).toMatchObject({
      eventName: 'PutBucketPolicy',
      'userIdentity.type': 'IAMUser',
      'resources{}.ARN': ['a1', 'a2'],
      n: '5',
      ok: 'true',
    });
  });
  it('a path goes to output (default: the path); an object comes out as JSON text', async () => {
    expect(await one('* | spath output=t path=userIdentity.type | spath userIdentity')).toMatchObject({
      t: 'IAMUser',
      userIdentity: '{"type":"IAMUser","arn":"arn:x"}',
    });
    expect(await one('* | spath path=resources{}.ARN output=arns')).toMatchObject({ arns: ['a1', 'a2'] });
    expect(await one('* | spath path=resources{2}.ARN output=second')).toMatchObject({ second: 'a2' });
  });
  it('input=<field> with XML: elements joined by ".", attributes as {@name} (ESCU: spath input=UserData_Xml)', async () => {
    expect(await one('* | spath input=UserData_Xml')).toMatchObject({
      'UserData.RuleAndFileData.PolicyName': 'EXE',
      'UserData.RuleAndFileData.FilePath': '%SYSTEM32%\\a.exe',
      'UserData.RuleAndFileData{@xmlns}': 'http://x',
    });
  });
  it('auto-extraction reads only the first 5000 characters (limits.conf extraction_cutoff)', async () => {
    const big = JSON.stringify({ first: 'yes', pad: 'x'.repeat(SPATH_EXTRACTION_CUTOFF), last: 'no' });
    const r = (await runSpl('* | spath', [{ _time: 1, _raw: big }])).rows[0]!;
    expect(r.first).toBe('yes');
    expect(r.last).toBeUndefined();
  });
  it('input that is not JSON or XML leaves the row as it is', async () => {
    const r = (await runSpl('* | spath', [{ _time: 1, _raw: 'not json {' }])).rows[0]!;
    expect(Object.keys(r).sort()).toEqual(['_raw', '_time']);
  });
});
