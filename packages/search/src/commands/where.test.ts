import { describe, expect, it } from 'vitest';
import { notReplayable, runSpl } from '../testing.js';

const rows = [
  { _time: 1, n: '5', s: 'abc', mv: ['x', 'y'] },
  { _time: 2, n: '12', s: 'ABC' },
  { _time: 3, s: 'other' },
];
const times = async (spl: string) => (await runSpl(spl, rows)).rows.map((r) => r._time);

describe('where', () => {
  it('numbers compare numerically, strings case-sensitively (eval semantics)', async () => {
    expect(await times('* | where n > 9')).toEqual(['2']);
    expect(await times('* | where s="abc"')).toEqual(['1']);
  });
  it('a null (missing field) is not true: the row is dropped', async () => {
    expect(await times('* | where n < 100')).toEqual(['1', '2']);
    expect(await times('* | where NOT n < 100')).toEqual([]);
  });
  it('eval precedence: AND binds tighter than OR (§1.5); like() uses % and _', async () => {
    expect(await times('* | where s="zzz" AND n=5 OR s="other"')).toEqual(['3']);
    expect(await times('* | where like(s, "a_c") OR like(s, "oth%")')).toEqual(['1', '3']);
  });
  it('isnull/isnotnull, match() with PCRE, in()', async () => {
    expect(await times('* | where isnull(n)')).toEqual(['3']);
    expect(await times('* | where match(s, "(?i)^abc$")')).toEqual(['1', '2']);
    expect(await times('* | where s IN ("abc", "other")')).toEqual(['1', '3']);
  });
  it('a multivalue field compares true when any value does', async () => {
    expect(await times('* | where mv="y"')).toEqual(['1']);
  });
  it('an unimplemented function is reported by name at prepare time', () => {
    expect(notReplayable('* | where cluster_thing(s) > 1')).toMatch(
      /eval function cluster_thing\(\) is not implemented/,
    );
  });
});
