import { describe, expect, it } from 'vitest';
import { notReplayable, runSpl, TEST_NOW } from '../testing.js';

const rows = [{ _time: 1610667699, a: '3', b: 'x', path: 'C:\\Windows\\System32\\cmd.exe', list: ['b', 'a', 'b'] }];
const one = async (spl: string) => (await runSpl(spl, rows)).rows[0]!;

describe('eval', () => {
  it('assignments run left to right, each seeing the previous ones', async () => {
    expect(await one('* | eval x=a*2, y=x+1')).toMatchObject({ x: '6', y: '7' });
  });
  it('eval on a null field yields null, and a null result removes the field', async () => {
    const r = await one('* | eval x=missing+1, a=null()');
    expect(r.x).toBeUndefined();
    expect(r.a).toBeUndefined();
  });
  it('a Boolean result cannot be stored ("Fields cannot be assigned a boolean result")', async () => {
    const r = await runSpl('* | eval t=(a=3)', rows);
    expect(r.rows[0]!.t).toBeUndefined();
    expect(r.warnings[0]!.message).toMatch(/Fields cannot be assigned a boolean result/);
  });
  it('the ESCU function set: if, case, lower, replace, split/mvindex/mvcount, coalesce, substr, len', async () => {
    const r = await one(
      '* | eval p=lower(path), name=mvindex(split(path, "\\\\"), -1), n=mvcount(split(path, "\\\\")), c=case(a=1, "one", a=3, "three"), k=coalesce(nope, b), s=substr(b, 1, 1), l=len(path), i=if(a>2, "big", "small"), r=replace(path, "\\\\\\\\", "/")',
    );
    expect(r).toMatchObject({
      p: 'c:\\windows\\system32\\cmd.exe',
      name: 'cmd.exe',
      n: '4',
      c: 'three',
      k: 'x',
      s: 'x',
      l: '27',
      i: 'big',
      r: 'C:/Windows/System32/cmd.exe',
    });
  });
  it('multivalue results stay multivalue; mvdedup / mvsort / mvjoin', async () => {
    expect(await one('* | eval d=mvdedup(list), s=mvsort(list), j=mvjoin(list, ";")')).toMatchObject({
      d: ['b', 'a'],
      s: ['a', 'b', 'b'],
      j: 'b;a;b',
    });
  });
  it('now() and relative_time() use the search time; strftime renders UTC', async () => {
    expect(await one('* | eval t=relative_time(now(), "-1d@d"), f=strftime(_time, "%Y-%m-%d %H:%M:%S")')).toMatchObject(
      { t: String(TEST_NOW - 86400), f: '2021-01-14 23:41:39' },
    );
  });
  it('a subsearch inside an eval expression is reported', () => {
    expect(notReplayable('* | eval x=[| makeresults | return a]')).toMatch(/subsearch inside an eval expression/);
  });
});
