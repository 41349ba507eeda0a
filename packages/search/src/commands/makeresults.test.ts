import { describe, expect, it } from 'vitest';
import { notReplayable, runSpl, TEST_NOW } from '../testing.js';

describe('makeresults / addinfo / return / format', () => {
  it('makeresults count=N gives N results with _time = the search time', async () => {
    expect((await runSpl('| makeresults count=2')).rows).toEqual([
      { _time: String(TEST_NOW) },
      { _time: String(TEST_NOW) },
    ]);
  });
  it('makeresults format=csv|json data=…', async () => {
    expect((await runSpl('| makeresults format=csv data="a,b\n1,2\n3,4" | table a b')).rows).toEqual([
      { a: '1', b: '2' },
      { a: '3', b: '4' },
    ]);
    expect((await runSpl('| makeresults format=json data="[{\\"a\\":1}]" | table a')).rows).toEqual([{ a: '1' }]);
  });
  it('addinfo adds info_min_time, info_max_time, info_search_time', async () => {
    const r = await runSpl('| makeresults | addinfo', [], { timeRange: { earliest: 100 } });
    expect(r.rows[0]).toMatchObject({
      info_min_time: '100',
      info_max_time: '+Infinity',
      info_search_time: String(TEST_NOW),
    });
  });
  it('return builds field="value" (and $field the bare value) from the first results', async () => {
    expect((await runSpl('| makeresults | eval u="bob" | return u')).rows).toEqual([{ search: 'u="bob"' }]);
    expect((await runSpl('| makeresults count=2 | streamstats count | return 2 $count')).rows).toEqual([
      { search: '(1) OR (2)' },
    ]);
    expect((await runSpl('| makeresults | eval u="bob" | return user=u')).rows).toEqual([{ search: 'user="bob"' }]);
  });
  it('format renders ( ( a="1" AND b="2" ) OR … ); NOT () when empty', async () => {
    expect(
      (await runSpl('| makeresults count=2 | streamstats count as a | eval b="x" | fields - _time | format')).rows,
    ).toEqual([{ search: '( ( a="1" AND b="x" ) OR ( a="2" AND b="x" ) )' }]);
    expect((await runSpl('| makeresults | where 1=2 | format')).rows).toEqual([{ search: 'NOT ()' }]);
  });
  it('a generating command later in the pipeline is an error', () => {
    expect(notReplayable('* | makeresults')).toMatch(/first command/);
  });
});
