import { describe, expect, it } from 'vitest';
import { runSpl } from '../testing.js';

describe('mvexpand / makemv', () => {
  it('mvexpand makes one row per value, each a copy of the row; limit caps the values', async () => {
    const ev = [
      { _time: 1, a: ['x', 'y', 'z'], b: 'keep' },
      { _time: 2, b: 'nofield' },
    ];
    expect((await runSpl('* | mvexpand a | table a b', ev)).rows).toEqual([
      { a: 'x', b: 'keep' },
      { a: 'y', b: 'keep' },
      { a: 'z', b: 'keep' },
      { b: 'nofield' },
    ]);
    expect((await runSpl('* | mvexpand a limit=1 | table a', ev)).rows).toEqual([{ a: 'x' }, {}]);
  });
  it('makemv splits on a single space by default, delim= on a string, tokenizer= keeps each match (ESCU form)', async () => {
    const ev = [{ _time: 1, s: 'a b  c', t: 'x,y', process: 'cmd.exe /c whoami' }];
    expect((await runSpl('* | makemv s | makemv delim="," t | table s t', ev)).rows).toEqual([
      { s: ['a', 'b', 'c'], t: ['x', 'y'] },
    ]);
    expect((await runSpl('* | makemv tokenizer="([\\w\\d\\-]+)" process | table process', ev)).rows).toEqual([
      { process: ['cmd', 'exe', 'c', 'whoami'] },
    ]);
  });
  it('makemv allowempty=true keeps empty values', async () => {
    const ev = [{ _time: 1, s: 'a,,b' }];
    expect((await runSpl('* | makemv delim="," allowempty=true s | table s', ev)).rows).toEqual([
      { s: ['a', '', 'b'] },
    ]);
  });
});
