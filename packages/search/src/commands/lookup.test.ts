import { describe, expect, it } from 'vitest';
import { LookupMatcher, lookupMatcher, lookupProvider, lookupTableFromCsv } from '../lookup.js';
import { notReplayable, runSpl } from '../testing.js';
import type { LookupTable } from '../types.js';

// Hand-written lookup tables in the shape of ESCU's lookups/*.yml + CSV.
function table(def: Parameters<typeof lookupTableFromCsv>[0], csv: string): LookupTable {
  const t = lookupTableFromCsv(def, csv);
  if ('error' in t) throw new Error(t.error);
  return t;
}
const lookups = lookupProvider(
  [
    {
      ...table(
        { name: 'asr_rules', filename: 'asr_rules.csv' },
        'ID,ASR_Rule\nabc,Block Office\nABC,Upper\ndef,Block Scripts\n',
      ),
      filename: 'asr_rules.csv',
    },
    table({ name: 'ci_rules', case_sensitive_match: 'false' }, 'ID,ASR_Rule\nabc,Block Office\n'),
    table(
      { name: 'tools', match_type: 'WILDCARD(name)', case_sensitive_match: 'false' },
      'name,description\n*mimikatz*,credential dumper\n*.ps1,script\n',
    ),
    table({ name: 'nets', match_type: 'CIDR(net)' }, 'net,zone\n10.0.0.0/8,internal\n192.168.1.0/24,lab\n'),
    table({ name: 'multi' }, 'k,v\na,1\na,2\nb,3\n'),
    table({ name: 'onlyone', max_matches: '1' }, 'k,v\na,1\na,2\n'),
  ],
  new Map([['seen_kv', 'is a KV store collection of a Splunk instance']]),
);
const run = (spl: string, ev: Record<string, string | number>[]) => runSpl(spl, ev, { lookups });

describe('lookup', () => {
  it('<table> <field> AS <event-field> OUTPUT <dest> AS <new> (ESCU asr_rules form)', async () => {
    const r = await run('* | lookup asr_rules ID AS ASR_ID OUTPUT ASR_Rule AS rule', [{ _time: 1, ASR_ID: 'def' }]);
    expect(r.rows[0]).toMatchObject({ rule: 'Block Scripts' });
  });
  it('case_sensitive_match defaults to true; false matches any case', async () => {
    const ev = [{ _time: 1, ID: 'ABC' }];
    expect((await run('* | lookup asr_rules ID OUTPUT ASR_Rule', ev)).rows[0]!.ASR_Rule).toBe('Upper');
    expect((await run('* | lookup ci_rules ID OUTPUT ASR_Rule', ev)).rows[0]!.ASR_Rule).toBe('Block Office');
  });
  it('match_type WILDCARD(field) and CIDR(field) follow the lookup definition', async () => {
    const r = await run('* | lookup tools name AS process OUTPUT description | lookup nets net AS ip OUTPUT zone', [
      { _time: 1, process: 'C:\\x\\MIMIKATZ.exe', ip: '10.1.2.3' },
      { _time: 2, process: 'a.ps1', ip: '192.168.2.1' },
    ]);
    expect(r.rows.map((x) => [x.description, x.zone])).toEqual([
      ['credential dumper', 'internal'],
      ['script', undefined],
    ]);
  });
  it('several matches make the output multivalue (max_matches defaults to 100); max_matches=1 keeps the first', async () => {
    expect((await run('* | lookup multi k OUTPUT v', [{ _time: 1, k: 'a' }])).rows[0]!.v).toEqual(['1', '2']);
    expect((await run('* | lookup onlyone k OUTPUT v', [{ _time: 1, k: 'a' }])).rows[0]!.v).toBe('1');
  });
  it('without OUTPUT every other column is output; OUTPUTNEW leaves existing fields untouched', async () => {
    expect((await run('* | lookup multi k', [{ _time: 1, k: 'b' }])).rows[0]!.v).toBe('3');
    expect((await run('* | lookup multi k OUTPUTNEW v', [{ _time: 1, k: 'b', v: 'mine' }])).rows[0]!.v).toBe('mine');
  });
  it('OUTPUT clears the output fields of an event that matches nothing; a null input field matches nothing', async () => {
    const r = await run('* | lookup multi k OUTPUT v', [
      { _time: 1, k: 'zzz', v: 'old' },
      { _time: 2, v: 'old' },
    ]);
    expect(r.rows.map((x) => x.v)).toEqual([undefined, undefined]);
  });
  it('a lookup file name (x.csv) finds the same table', async () => {
    expect(
      (await run('* | lookup asr_rules.csv ID OUTPUT ASR_Rule', [{ _time: 1, ID: 'abc' }])).rows[0]!.ASR_Rule,
    ).toBe('Block Office');
  });
  it('unknown lookups, unknown fields and KV store collections are reported', () => {
    expect(notReplayable('* | lookup nope a OUTPUT b', { lookups })).toMatch(/unknown lookup nope/);
    expect(notReplayable('* | lookup seen_kv a OUTPUT b', { lookups })).toMatch(/KV store/);
    expect(() => notReplayable('* | lookup multi zz OUTPUT v', { lookups })).not.toThrow();
    expect(notReplayable('* | lookup asr_rules ID OUTPUT b', {})).toMatch(/no lookup tables/);
  });
});

describe('inputlookup', () => {
  it('generates the table rows in file order; empty cells are null; where filters (search language)', async () => {
    const r = await runSpl('| inputlookup tools where description=SCRIPT', [], { lookups });
    expect(r.rows).toEqual([{ name: '*.ps1', description: 'script' }]);
    expect((await runSpl('| inputlookup multi | stats count', [], { lookups })).rows).toEqual([{ count: '3' }]);
  });
  it('inside a subsearch (the ESCU allow-list pattern): NOT [| inputlookup … | fields …]', async () => {
    const r = await runSpl(
      '* NOT [| inputlookup multi | where k="a" | fields k]',
      [
        { _time: 1, k: 'a' },
        { _time: 2, k: 'b' },
      ],
      { lookups },
    );
    expect(r.rows.map((x) => x.k)).toEqual(['b']);
  });
});

describe('lookup matchers shared per table and input fields (lookupMatcher)', () => {
  // Two columns holding each other's values: looking up by k or by v gives different rows.
  const swap = table({ name: 'swap' }, 'k,v\na,b\nb,c\n');
  const provider = lookupProvider([swap]);
  it('one matcher per table and input fields', () => {
    expect(lookupMatcher(swap, ['k'])).toBe(lookupMatcher(swap, ['k']));
    expect(lookupMatcher(swap, ['k'])).not.toBe(lookupMatcher(swap, ['v']));
    expect(lookupMatcher(swap, ['k', 'v'])).not.toBe(lookupMatcher(swap, ['k']));
    const other = table({ name: 'swap' }, 'k,v\na,b\nb,c\n');
    expect(lookupMatcher(other, ['k'])).not.toBe(lookupMatcher(swap, ['k']));
  });
  it('searches sharing a table by different fields each get the rows of their own plain matcher', async () => {
    const ev = [{ _time: 1, x: 'b' }];
    const byK = await runSpl('* | lookup swap k AS x OUTPUT v AS out', ev, { lookups: provider });
    const byV = await runSpl('* | lookup swap v AS x OUTPUT k AS out', ev, { lookups: provider });
    const byKAgain = await runSpl('* | lookup swap k AS x OUTPUT v AS out', ev, { lookups: provider });
    expect(byK.rows[0]!.out).toBe('c');
    expect(byV.rows[0]!.out).toBe('a');
    expect(byKAgain.rows).toEqual(byK.rows);
    for (const [fields, values] of [
      [['k'], { k: 'b' }],
      [['v'], { v: 'b' }],
    ] as const)
      expect(lookupMatcher(swap, fields).match(values)).toEqual(new LookupMatcher(swap, fields).match(values));
  });
});
