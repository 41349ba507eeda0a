import { describe, expect, it } from 'vitest';
import { notReplayable, runSpl } from '../testing.js';

// Hand-written events (not attack data): the minimum to show each search-language fact.
const events = [
  {
    _time: 1,
    _raw: 'run ngrok.exe tcp 22',
    host: 'WIN1',
    EventCode: '1',
    Image: 'C:\\Windows\\ngrok.exe',
    user: 'Bob',
  },
  {
    _time: 2,
    _raw: 'myngrokfile',
    host: 'win2',
    EventCode: '4688',
    Image: 'C:\\tools\\x.exe',
    tag: ['process', 'report'],
  },
  { _time: 3, _raw: 'plain', host: 'win3', EventCode: '10' },
];
const hosts = async (spl: string) => (await runSpl(spl, events)).rows.map((r) => r.host);

describe('search (base search and | search)', () => {
  it('values match case-insensitively, field names exactly (§1.1)', async () => {
    expect(await hosts('host=win1')).toEqual(['WIN1']);
    expect(await hosts('Host=win1')).toEqual([]);
    expect(await hosts('host=CASE(win1)')).toEqual([]);
  });
  it('* is a wildcard anywhere, also in quotes; the match covers the whole value (§1.2)', async () => {
    expect(await hosts('Image="*\\\\ngrok.exe"')).toEqual(['WIN1']);
    expect(await hosts('host=win')).toEqual([]);
    expect(await hosts('host=w*n*')).toEqual(['WIN1', 'win2', 'win3']);
  });
  it('a bare term searches _raw, bounded by segmentation breakers', async () => {
    expect(await hosts('ngrok')).toEqual(['WIN1']);
    expect(await hosts('*ngrok*')).toEqual(['WIN1', 'win2']);
  });
  it('OR binds tighter than AND in the search language: a b OR c is a AND (b OR c) (§1.5)', async () => {
    expect(await hosts('EventCode=1 OR EventCode=4688 host=win2')).toEqual(['win2']);
    expect(await hosts('NOT EventCode=1 host=win*')).toEqual(['win2', 'win3']);
  });
  it('f!=v is false on a missing field, NOT f=v true (§1.4)', async () => {
    expect(await hosts('user!=alice')).toEqual(['WIN1']);
    expect(await hosts('NOT user=alice')).toEqual(['WIN1', 'win2', 'win3']);
  });
  it('IN is an OR of wildcard matches (§1.3); numbers order numerically with < > (§1.7)', async () => {
    expect(await hosts('EventCode IN (1, 46*)')).toEqual(['WIN1', 'win2']);
    expect(await hosts('EventCode>9')).toEqual(['win2', 'win3']);
    expect(await hosts('EventCode=1.0')).toEqual([]);
  });
  it('a multivalue field matches when any value does (§1.8); time modifiers are true', async () => {
    expect(await hosts('tag=report earliest=-24h')).toEqual(['win2']);
  });
  it('| search filters result rows (numbers from stats compare as their text)', async () => {
    const r = await runSpl('* | stats count by host | search count=1 host=win*', events);
    // stats orders groups lexicographically: uppercase before lowercase.
    expect(r.rows.map((x) => x.host)).toEqual(['WIN1', 'win2', 'win3']);
    expect((await runSpl('* | stats count by EventCode | search count>1', events)).rows).toEqual([]);
  });
  it('the base search copies the events it keeps: later commands never change the caller’s events', async () => {
    const mine = [{ _time: 1, host: 'a' }];
    await runSpl('* | eval host="changed"', mine);
    expect(mine[0]!.host).toBe('a');
  });
});

describe('subsearches (run first; results become an OR of AND-terms, as format renders them)', () => {
  it('| makeresults subsearch: each row is an AND of field="value", rows are OR-ed', async () => {
    const spl = '* [| makeresults count=2 | streamstats count | eval host=if(count=1, "win1", "win3") | fields host]';
    expect(await hosts(spl)).toEqual(['WIN1', 'win3']);
  });
  it('subsearch values keep their wildcards and match case-insensitively', async () => {
    expect(await hosts('* [| makeresults | eval Image="*\\\\TOOLS\\\\*" | fields Image]')).toEqual(['win2']);
  });
  it('NOT [subsearch] excludes; an empty subsearch (NOT ()) matches nothing', async () => {
    expect(await hosts('* NOT [| makeresults | eval host="win2" | fields host]')).toEqual(['WIN1', 'win3']);
    expect(await hosts('* [| makeresults | where 1=2 | fields host]')).toEqual([]);
  });
  it('a subsearch over the same events, and one returning search= text', async () => {
    expect(await hosts('* [search EventCode=10 | fields host]')).toEqual(['win3']);
    expect(await hosts('* [| makeresults | eval search="EventCode=1 OR EventCode=10" | fields search]')).toEqual([
      'WIN1',
      'win3',
    ]);
  });
  it('a one-shot event iterator is buffered when the subsearch needs a second pass', async () => {
    const { prepare } = await import('../testing.js');
    const { collect } = await import('../prepare.js');
    const r = prepare('* [search EventCode=10 | fields host]');
    if (!r.ok) throw new Error(r.notReplayable.reason);
    function* once() {
      yield* events;
    }
    expect((await collect(r.plan, once())).rows.map((x) => x.host)).toEqual(['win3']);
  });
  it('a subsearch with an unimplemented command makes the whole search not replayable, by name', () => {
    expect(notReplayable('* [| rest /services/x | fields host]')).toMatch(/command rest needs|command rest queries/);
  });
});
