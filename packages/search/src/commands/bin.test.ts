import { describe, expect, it } from 'vitest';
import { notReplayable, runSpl } from '../testing.js';

const ev = [
  { _time: 1610667699.5, size: '17' },
  { _time: 1610668001, size: '3' },
  { _time: 1610669000, size: 'big' },
];

describe('bin / bucket', () => {
  it('_time becomes the epoch start of its span (multiples of the span since the epoch)', async () => {
    const r = await runSpl('* | bucket _time span=5m | table _time', ev);
    expect(r.rows.map((x) => x._time)).toEqual(['1610667600', '1610667900', '1610668800']);
    const d = await runSpl('* | bin span=1d _time | table _time', ev);
    expect(d.rows.map((x) => x._time)).toEqual(['1610582400', '1610582400', '1610668800']);
  });
  it('span=1mon snaps to the first of the month (UTC)', async () => {
    const r = await runSpl('* | bin _time span=1mon | table _time', ev);
    expect(r.rows[0]!._time).toBe(String(Date.UTC(2021, 0, 1) / 1000));
  });
  it('a numeric field becomes the range text "low-high"; a non-number is left as it is', async () => {
    const r = await runSpl('* | bin size span=10 as sz | table sz', ev);
    expect(r.rows.map((x) => x.sz)).toEqual(['10-20', '0-10', 'big']);
  });
  it('the ESCU form "bucket _time span=1h | stats … by _time" groups per hour', async () => {
    const r = await runSpl('* | bucket _time span=1h | stats count by _time', ev);
    expect(r.rows).toEqual([
      { _time: '1610665200', count: '2' },
      { _time: '1610668800', count: '1' },
    ]);
  });
  it('bins= without span depends on the whole result set: reported', () => {
    expect(notReplayable('* | bin _time bins=10')).toMatch(/bins= is not implemented/);
  });
});
