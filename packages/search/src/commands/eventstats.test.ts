import { describe, expect, it } from 'vitest';
import { runSpl } from '../testing.js';

const ev = [
  { _time: 1, host: 'a', n: '2' },
  { _time: 2, host: 'b', n: '4' },
  { _time: 3, host: 'a', n: '6' },
  { _time: 4, n: '8' },
];

describe('eventstats', () => {
  it('adds the group’s statistics to every row, rows kept in their order', async () => {
    const r = await runSpl('* | eventstats avg(n) as avg count by host | table _time host avg count', ev);
    expect(r.rows).toEqual([
      { _time: '1', host: 'a', avg: '4', count: '2' },
      { _time: '2', host: 'b', avg: '4', count: '1' },
      { _time: '3', host: 'a', avg: '4', count: '2' },
      { _time: '4' },
    ]);
  });
  it('a row whose by-field is null is kept (unlike stats) but gets no statistics', async () => {
    const r = await runSpl('* | eventstats count by host', ev);
    expect(r.rows).toHaveLength(4);
    expect(r.rows[3]!.count).toBeUndefined();
  });
  it('without by: statistics over all rows (the ESCU z-score pattern)', async () => {
    const r = await runSpl(
      '* | eventstats avg(n) as m stdev(n) as s | eval z=(n-m)/s | where z > 1 | table _time z',
      ev,
    );
    expect(r.rows.map((x) => x._time)).toEqual(['4']);
  });
});
