import { describe, expect, it } from 'vitest';
import { runSpl } from '../testing.js';

const ev = [
  { _time: 1, h: 'a', n: '1' },
  { _time: 2, h: 'a', n: '2' },
  { _time: 3, h: 'b', n: '3' },
  { _time: 4, h: 'a', n: '4' },
];

describe('streamstats', () => {
  it('running statistics in row order, per group; current=true includes the row itself', async () => {
    const r = await runSpl('* | streamstats count sum(n) as s by h | table h count s', ev);
    expect(r.rows).toEqual([
      { h: 'a', count: '1', s: '1' },
      { h: 'a', count: '2', s: '3' },
      { h: 'b', count: '1', s: '3' },
      { h: 'a', count: '3', s: '7' },
    ]);
  });
  it('current=false excludes the row; window=N limits to the last N rows', async () => {
    const r = await runSpl(
      '* | streamstats current=false sum(n) as prev | streamstats window=2 sum(n) as w2 | table prev w2',
      ev,
    );
    expect(r.rows).toEqual([{ w2: '1' }, { prev: '1', w2: '3' }, { prev: '3', w2: '5' }, { prev: '6', w2: '7' }]);
  });
  it('reset_on_change restarts when a by-value changes', async () => {
    const r = await runSpl('* | streamstats reset_on_change=true count by h | table count', ev);
    expect(r.rows.map((x) => x.count)).toEqual(['1', '2', '1', '1']);
  });
});
