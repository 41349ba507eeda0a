import { describe, expect, it } from 'vitest';
import { runSpl } from '../testing.js';

const ev = [
  { _time: 1, h: 'a', u: 'x' },
  { _time: 2, h: 'a', u: 'y' },
  { _time: 3, h: 'b', u: 'x' },
  { _time: 4, u: 'z' },
  { _time: 5, h: 'a', u: 'x' },
];
const times = async (spl: string) => (await runSpl(spl, ev)).rows.map((r) => r._time);

describe('dedup', () => {
  it('"dedup keeps the first event" of each value; events with a null field are removed', async () => {
    expect(await times('* | dedup h')).toEqual(['1', '3']);
  });
  it('several fields: the combination; dedup N keeps the first N', async () => {
    expect(await times('* | dedup h u')).toEqual(['1', '2', '3']);
    expect(await times('* | dedup 2 h')).toEqual(['1', '2', '3']);
  });
  it('keepempty=true keeps events lacking a field; consecutive=true only drops adjacent duplicates', async () => {
    expect(await times('* | dedup h keepempty=true')).toEqual(['1', '3', '4']);
    expect(await times('* | dedup u consecutive=true')).toEqual(['1', '2', '3', '4', '5']);
    expect(await times('* | dedup h consecutive=true')).toEqual(['1', '3', '5']);
  });
  it('sortby sorts the kept events; keepevents=true keeps duplicates without the field', async () => {
    expect(await times('* | dedup h sortby -_time')).toEqual(['3', '1']);
    const r = await runSpl('* | dedup h keepevents=true | table _time h', ev);
    expect(r.rows.map((x) => x.h ?? '-')).toEqual(['a', '-', 'b', '-']);
  });
});
