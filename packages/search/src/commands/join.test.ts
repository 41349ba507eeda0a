import { describe, expect, it } from 'vitest';
import { notReplayable, runSpl } from '../testing.js';

// Main events and a subsearch over the same events (the ESCU "join process_guid [| tstats …]" shape).
const ev = [
  { _time: 1, kind: 'proc', guid: 'g1', name: 'cmd.exe' },
  { _time: 2, kind: 'proc', guid: 'g2', name: 'ps.exe' },
  { _time: 3, kind: 'proc', name: 'noguid.exe' },
  { _time: 4, kind: 'file', guid: 'g1', path: 'C:\\a.txt' },
  { _time: 5, kind: 'file', guid: 'g1', path: 'C:\\b.txt' },
  { _time: 6, kind: 'file', guid: 'G2', path: 'C:\\upper.txt' },
];
const sub = '[search kind=file | table guid path]';

describe('join', () => {
  it('type=inner (default) keeps matching results; max=1 (default) joins the first match', async () => {
    const r = await runSpl(`kind=proc | join guid ${sub} | table guid name path`, ev);
    expect(r.rows).toEqual([{ guid: 'g1', name: 'cmd.exe', path: 'C:\\a.txt' }]);
  });
  it('join fields compare exactly (case-sensitive): g2 does not join G2', async () => {
    const r = await runSpl(`kind=proc | join type=left guid ${sub} | table name path`, ev);
    expect(r.rows.map((x) => x.path ?? '-')).toEqual(['C:\\a.txt', '-', '-']);
  });
  it('type=left/outer keep unmatched results, including those with a null join field', async () => {
    expect((await runSpl(`kind=proc | join type=outer guid ${sub}`, ev)).rows).toHaveLength(3);
  });
  it('max=0 joins every match (one row per match)', async () => {
    const r = await runSpl(`kind=proc | join max=0 guid ${sub} | table path`, ev);
    expect(r.rows.map((x) => x.path)).toEqual(['C:\\a.txt', 'C:\\b.txt']);
  });
  it('overwrite=true (default): the subsearch values replace the main ones; overwrite=false keeps them', async () => {
    const s2 = '[| makeresults | eval guid="g1", name="from-sub" | fields guid name]';
    expect((await runSpl(`kind=proc | join guid ${s2} | table name`, ev)).rows).toEqual([{ name: 'from-sub' }]);
    expect((await runSpl(`kind=proc | join overwrite=false guid ${s2} | table name`, ev)).rows).toEqual([
      { name: 'cmd.exe' },
    ]);
  });
  it('usetime=true is reported', () => {
    expect(notReplayable(`* | join usetime=true guid ${sub}`)).toMatch(/usetime/);
  });
});
