import { describe, expect, it } from 'vitest';
import { notReplayable, runSpl } from '../testing.js';

const ev = [
  {
    _time: 1,
    _raw: 'user=alice id=1 user=bob id=2',
    app: 'C:\\Program Files\\app\\tool.exe',
    Attributes: 'x\r\nCertificateTemplate:User\r\nmore',
  },
];
const one = async (spl: string) => (await runSpl(spl, ev)).rows[0]!;

describe('rex', () => {
  it('named groups become fields; "rex without max_match keeps the first match"', async () => {
    expect(await one('* | rex "user=(?<user>\\w+) id=(?<id>\\d+)"')).toMatchObject({ user: 'alice', id: '1' });
  });
  it('max_match=0 keeps every match as a multivalue field; (?P<name>) Python-style groups', async () => {
    expect(await one('* | rex max_match=0 "user=(?P<user>\\w+)"')).toMatchObject({ user: ['alice', 'bob'] });
  });
  it('field= reads another field; ESCU backslash escapes (".*\\\\\\(?<process_name>.*)$")', async () => {
    expect(await one('* | rex field=app ".*\\\\\\(?<process_name>.*)$"')).toMatchObject({ process_name: 'tool.exe' });
  });
  it('(?i) and [^\\r\\n] on CRLF text (ESCU certificate-template form)', async () => {
    expect(await one('* | rex field=Attributes "(?i)certificatetemplate:(?<object>[^\\r\\n]+)"')).toMatchObject({
      object: 'User',
    });
  });
  it('a row whose field does not match keeps its fields', async () => {
    const r = await one('* | eval user="keep" | rex "nomatch(?<user>x)"');
    expect(r.user).toBe('keep');
  });
  it('mode=sed replaces (g = every match, N = the Nth) with \\1 back-references; y/// transliterates', async () => {
    expect((await one('* | rex mode=sed field=_raw "s/user=(\\w+)/U:\\1/g"'))._raw).toBe('U:alice id=1 U:bob id=2');
    expect((await one('* | rex mode=sed "s/id=/ID=/2"'))._raw).toBe('user=alice id=1 user=bob ID=2');
    expect((await one('* | rex field=_raw mode=sed "y/ai/AI/"'))._raw).toBe('user=AlIce Id=1 user=bob Id=2');
  });
  it('a PCRE feature JavaScript lacks is reported, not approximated', () => {
    expect(notReplayable('* | rex "(?>a+)(?<x>b)"')).toMatch(/atomic groups/);
  });
});
