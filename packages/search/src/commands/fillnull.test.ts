import { describe, expect, it } from 'vitest';
import { runSpl } from '../testing.js';

const ev = [
  { _time: 1, a: 'x' },
  { _time: 2, b: '' },
];

describe('fillnull', () => {
  it('fills the listed fields with value= (default "0")', async () => {
    expect((await runSpl('* | fillnull a c | table a c', ev)).rows).toEqual([
      { a: 'x', c: '0' },
      { a: '0', c: '0' },
    ]);
    expect((await runSpl('* | fillnull value=NULL a | table a', ev)).rows).toEqual([{ a: 'x' }, { a: 'NULL' }]);
  });
  it('without a field list: every field that appears in any result; an empty string is a value', async () => {
    const r = await runSpl('* | fillnull | table a b', ev);
    expect(r.rows).toEqual([
      { a: 'x', b: '0' },
      { a: '0', b: '' },
    ]);
  });
});
