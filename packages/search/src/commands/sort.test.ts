import { describe, expect, it } from 'vitest';
import { runSpl } from '../testing.js';

const ev = [
  { _time: 1, v: '10' },
  { _time: 2, v: '9' },
  { _time: 3, v: 'b' },
  { _time: 4, v: 'B' },
  { _time: 5 },
  { _time: 6, v: '100' },
];
const vals = async (spl: string) => (await runSpl(spl, ev)).rows.map((r) => r.v ?? '-');

describe('sort', () => {
  it('numbers sort numerically and before strings; strings lexicographically (uppercase first)', async () => {
    expect(await vals('* | sort v')).toEqual(['9', '10', '100', 'B', 'b', '-']);
  });
  it('- descending; results missing the field come last either way', async () => {
    expect(await vals('* | sort - v')).toEqual(['b', 'B', '100', '10', '9', '-']);
    expect(await vals('* | sort -v')).toEqual(['b', 'B', '100', '10', '9', '-']);
  });
  it('str() forces lexicographic order; the count limits the results; desc reverses', async () => {
    expect(await vals('* | sort str(v)')).toEqual(['10', '100', '9', 'B', 'b', '-']);
    expect(await vals('* | sort 2 v')).toEqual(['9', '10']);
    // desc "reverses the order of the results": the whole ascending order, missing values included.
    expect(await vals('* | sort v desc')).toEqual(['-', 'b', 'B', '100', '10', '9']);
  });
  it('the default limit is 10000 results; sort 0 returns all', async () => {
    const many = Array.from({ length: 10005 }, (_, i) => ({ _time: i }));
    expect((await runSpl('* | sort - _time', many)).rows).toHaveLength(10000);
    expect((await runSpl('* | sort 0 - _time', many)).rows).toHaveLength(10005);
  });
  it('the sort is stable; several keys', async () => {
    const r = await runSpl('* | eval k=if(_time<4, "x", "y") | sort k, -_time | table _time', ev);
    expect(r.rows.map((x) => x._time)).toEqual(['3', '2', '1', '6', '5', '4']);
  });
});
