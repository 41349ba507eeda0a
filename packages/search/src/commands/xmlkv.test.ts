import { describe, expect, it } from 'vitest';
import { runSpl } from '../testing.js';

describe('xmlkv', () => {
  it('<foo>bar</foo> gives foo=bar at any depth; repeated elements are multivalue; entities decoded', async () => {
    const ev = [
      { _time: 1, Message: '<Data><User>CORP\\bob</User><Cmd>a &amp; b</Cmd><Arg>1</Arg><Arg>2</Arg><Empty/></Data>' },
    ];
    expect((await runSpl('* | xmlkv Message | table User Cmd Arg', ev)).rows).toEqual([
      { User: 'CORP\\bob', Cmd: 'a & b', Arg: ['1', '2'] },
    ]);
  });
  it('reads _raw by default', async () => {
    expect((await runSpl('* | xmlkv | table k', [{ _time: 1, _raw: '<k>v</k>' }])).rows).toEqual([{ k: 'v' }]);
  });
});
