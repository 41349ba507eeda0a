import { describe, expect, it } from 'vitest';
import { runSpl } from '../testing.js';

const ev = [
  { _time: 1, h: 'a' },
  { _time: 2, h: 'b' },
];

describe('append / appendpipe', () => {
  it('append adds the subsearch results after the current ones', async () => {
    const r = await runSpl('* | append [| makeresults | eval h="z" | fields - _time] | table h', ev);
    expect(r.rows.map((x) => x.h)).toEqual(['a', 'b', 'z']);
  });
  it('appendpipe runs its commands over the results so far and adds their output', async () => {
    const r = await runSpl('* | stats count by h | appendpipe [stats sum(count) as count | eval h="total"]', ev);
    expect(r.rows).toEqual([
      { h: 'a', count: '1' },
      { h: 'b', count: '1' },
      { count: '2', h: 'total' },
    ]);
  });
  it('appendpipe’s commands get copies: they never change the rows that stream on', async () => {
    const r = await runSpl('* | appendpipe [eval h="changed"] | table h', ev);
    expect(r.rows.map((x) => x.h)).toEqual(['a', 'b', 'changed', 'changed']);
  });
});
