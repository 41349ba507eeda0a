import { describe, expect, it } from 'vitest';
import { runSpl } from '../testing.js';

const ev = Array.from({ length: 15 }, (_, i) => ({ _time: i }));
const times = async (spl: string) => (await runSpl(spl, ev)).rows.map((r) => Number(r._time));

describe('head / tail / reverse', () => {
  it('head returns the first 10 by default, or N', async () => {
    expect(await times('* | head')).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(await times('* | head 3')).toEqual([0, 1, 2]);
    expect(await times('* | head limit=2')).toEqual([0, 1]);
  });
  it('head (expr) returns results until the expression is false; keeplast=true keeps that one', async () => {
    expect(await times('* | head (_time<3)')).toEqual([0, 1, 2]);
    expect(await times('* | head (_time<3) keeplast=true')).toEqual([0, 1, 2, 3]);
  });
  it('tail returns the last N in reverse order; reverse reverses', async () => {
    expect(await times('* | tail 3')).toEqual([14, 13, 12]);
    expect(await times('* | head 3 | reverse')).toEqual([2, 1, 0]);
  });
});
