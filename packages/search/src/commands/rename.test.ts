import { describe, expect, it } from 'vitest';
import { runSpl } from '../testing.js';

const ev = [{ _time: 1, 'Processes.dest': 'd', 'Processes.user': 'u', Computer: 'c', dest: 'old' }];
const one = async (spl: string) => (await runSpl(spl, ev)).rows[0]!;

describe('rename', () => {
  it('wildcards carry the matched text: "Processes.*" as * (drop_dm_object_name)', async () => {
    expect(await one('* | `drop_dm_object_name(Processes)`')).toEqual({
      _time: '1',
      dest: 'd',
      user: 'u',
      Computer: 'c',
    });
  });
  it('renaming onto an existing field replaces it; several renames run left to right', async () => {
    expect(await one('* | rename Computer as dest, dest as host | table host')).toEqual({ host: 'c' });
  });
  it('a field that does not exist is not renamed and leaves the target alone', async () => {
    expect((await one('* | rename nothing as dest')).dest).toBe('old');
  });
});
