import { describe, expect, it } from 'vitest';
import { runSpl } from '../testing.js';

const ev = [
  { _time: 1, firstTime: '1610667699', lastTime: 1610667700.25, d: '1+01:00:05', c: '1,234', u: '12kb', t: 'text' },
];
const one = async (spl: string) => (await runSpl(spl, ev)).rows[0]!;

describe('convert', () => {
  it('ctime with timeformat renders epoch seconds (ESCU security_content_ctime, in UTC)', async () => {
    // The definition of ESCU's security_content_ctime(1) macro.
    const ctime = (f: string) => `convert timeformat="%Y-%m-%dT%H:%M:%S" ctime(${f})`;
    expect(await one(`* | ${ctime('firstTime')} | ${ctime('lastTime')}`)).toMatchObject({
      firstTime: '2021-01-14T23:41:39',
      lastTime: '2021-01-14T23:41:40',
    });
  });
  it('the default timeformat is %m/%d/%Y %H:%M:%S; as <new> keeps the original', async () => {
    expect(await one('* | convert ctime(firstTime) as ft')).toMatchObject({
      ft: '01/14/2021 23:41:39',
      firstTime: '1610667699',
    });
  });
  it('dur2sec, rmcomma, rmunit, num; a value that cannot be converted is left as it is', async () => {
    expect(await one('* | convert dur2sec(d) rmcomma(c) rmunit(u) num(t)')).toMatchObject({
      d: '90005',
      c: '1234',
      u: '12',
      t: 'text',
    });
  });
  it('mktime parses back with timeformat', async () => {
    expect(
      await one(
        '* | convert timeformat="%Y-%m-%d" mktime(x) | eval x="2021-01-14" | convert timeformat="%Y-%m-%d" mktime(x)',
      ),
    ).toMatchObject({ x: '1610582400' });
  });
});
