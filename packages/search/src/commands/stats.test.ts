import { describe, expect, it } from 'vitest';
import { notReplayable, runSpl } from '../testing.js';
import { formatNumber } from '../values.js';

// Hand-written rows.
const ev = [
  { _time: 30, host: 'b', user: 'u2', n: '10', mv: ['x', 'y'] },
  { _time: 10, host: 'a', user: 'u1', n: '2' },
  { _time: 20, host: 'a', user: 'U1', n: 'oops' },
  { _time: 40, user: 'u3', n: '9' },
];
const stats = async (s: string) => (await runSpl(`* | stats ${s}`, ev)).rows;

describe('stats', () => {
  it('count / count(field) / dc; "stats drops events whose by-field is null"', async () => {
    expect(await stats('count count(n) as cn dc(user) as du by host')).toEqual([
      { host: 'a', count: '2', cn: '2', du: '2' },
      { host: 'b', count: '1', cn: '1', du: '1' },
    ]);
  });
  it('stats without by returns one row, count=0 over no events', async () => {
    expect((await runSpl('nothing_matches_this | stats count', ev)).rows).toEqual([{ count: '0' }]);
  });
  it('values() sorts lexicographically and dedups; list() keeps event order', async () => {
    expect(await stats('values(user) as v list(user) as l')).toEqual([
      { v: ['U1', 'u1', 'u2', 'u3'], l: ['u2', 'u1', 'U1', 'u3'] },
    ]);
  });
  it('min/max: numbers numerically, "strings are greater than numbers"', async () => {
    expect(await stats('min(_time) as f max(_time) as l max(n) as mx min(n) as mn')).toEqual([
      { f: '10', l: '40', mx: 'oops', mn: '2' },
    ]);
  });
  it('avg, sum, stdev, var, range ignore non-numeric values', async () => {
    const [r] = await stats('avg(n) as a sum(n) as s stdev(n) as sd var(n) as v range(n) as rg');
    expect(r).toEqual({ a: '7', s: '21', sd: formatNumber(Math.sqrt(19)), v: '19', rg: '8' });
  });
  it('earliest/latest follow _time, first/last follow input order', async () => {
    expect(
      await stats('earliest(user) as e latest(user) as l first(user) as f last(user) as z earliest_time(user) as et'),
    ).toEqual([{ e: 'u1', l: 'u3', f: 'u2', z: 'u3', et: '10' }]);
  });
  it('median is the lower middle value; perc95; mode', async () => {
    expect(await stats('median(n) as m perc95(n) as p mode(host) as mo p50(_time) as p50')).toEqual([
      { m: '9', p: '9', mo: 'a', p50: '20' },
    ]);
  });
  it('a multivalue by-field counts the event in each value’s group', async () => {
    expect(await stats('count by mv')).toEqual([
      { mv: 'x', count: '1' },
      { mv: 'y', count: '1' },
    ]);
  });
  it('count(eval(…)) counts events where the expression is true; it needs an AS name', async () => {
    expect(await stats('count(eval(host="a")) as ina dc(eval(if(_time>15, user, null()))) as late')).toEqual([
      { ina: '2', late: '3' },
    ]);
    expect(notReplayable('* | stats count(eval(n>5))')).toMatch(/needs a rename/);
  });
  it('groups come out in lexicographic order of the by-values (uppercase first)', async () => {
    expect((await stats('count by user')).map((r) => r.user)).toEqual(['U1', 'u1', 'u2', 'u3']);
  });
  it('by-clause with commas; unimplemented functions are named', async () => {
    expect(await stats('count by host, user')).toHaveLength(3);
    expect(notReplayable('* | stats sparkline(count) by host')).toMatch(/sparkline\(\) is not implemented/);
  });
  it('stats holds one accumulator set per group, not the events (memory stays flat)', async () => {
    const many = Array.from({ length: 20000 }, (_, i) => ({ _time: i, k: String(i % 3) }));
    const r = await runSpl('* | stats count min(_time) as f by k', many);
    expect(r.rows).toEqual([
      { k: '0', count: '6667', f: '0' },
      { k: '1', count: '6667', f: '1' },
      { k: '2', count: '6666', f: '2' },
    ]);
  });
  it('values(*) as * / latest(*) as *: the function over every field but the by-fields (ESCU form)', async () => {
    const rows = [
      { _time: 1, dest: 'd', a: 'x', b: '1' },
      { _time: 2, dest: 'd', a: 'y' },
    ];
    expect((await runSpl('* | stats values(*) as * by dest', rows)).rows).toEqual([
      { dest: 'd', a: ['x', 'y'], b: '1' },
    ]);
    expect((await runSpl('* | stats latest(*) as last_* by dest', rows)).rows).toEqual([
      { dest: 'd', last_a: 'y', last_b: '1' },
    ]);
  });
});
