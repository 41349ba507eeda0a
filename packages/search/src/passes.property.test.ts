import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { collect, type SearchPlan } from './prepare.js';
import { streamedPasses } from './passes.js';
import { openSearch } from './push.js';
import type { Event, RunWarning } from './types.js';
import { preparedOverKinds as prepared, kindEvent as event } from './test-support.js';
import { toSplunkRow } from './values.js';

const HEADS = [
  'kind=proc',
  'kind=file name=a.dll',
  '| tstats count from datamodel=Endpoint.Processes by Processes.guid Processes.name | `drop_dm_object_name(Processes)`',
  '| tstats count min(_time) as first from datamodel=Endpoint.Filesystem where Filesystem.name="a.dll" by Filesystem.guid | `drop_dm_object_name(Filesystem)`',
  '| tstats count from datamodel=Endpoint.Processes where Processes.name=x by _time span=10s Processes.guid',
];
// Quiet commands (a pass runs them as the events arrive) and ones that warn (it must not).
const MIDDLE = [
  'rename name as pname',
  'convert ctime(_time) as t',
  'fields guid name _time count',
  'fillnull value=0 n',
  'dedup guid',
  'stats count by guid',
  'eval b=(n>1)', // warns: a boolean result
  'where n + "a"', // warns when n is a number: not a boolean
];
const READERS = [
  'join guid [search kind=file | table guid name]',
  'join type=left guid [search kind=file name=nomatch | table guid name]',
  'join type=outer guid [| tstats count as procs from datamodel=Endpoint.Processes by Processes.guid | `drop_dm_object_name(Processes)`]',
  'join guid [| tstats count from datamodel=Endpoint.Filesystem by Filesystem.guid | `drop_dm_object_name(Filesystem)` | eval w=(count>1)]',
  'join guid [search kind=proc | stats count by guid | where count + "a"]',
  'append [search kind=file n=5 | stats count as files by name]',
  'append [| tstats count from datamodel=Endpoint.Filesystem by Filesystem.name | rename Filesystem.name as name]',
  'join guid [| makeresults | eval guid="g1"]',
];
const TAIL = ['stats count', 'stats count by guid', 'eval z=1', 'table guid name count'];

const pipelines = fc
  .tuple(
    fc.constantFrom(...HEADS),
    fc.array(fc.constantFrom(...MIDDLE), { maxLength: 2 }),
    fc.array(fc.constantFrom(...READERS), { minLength: 1, maxLength: 2 }),
    fc.array(fc.constantFrom(...TAIL), { maxLength: 2 }),
  )
  .map(([head, mid, readers, tail]) => [head, ...mid, ...readers, ...tail].join(' | '));

async function pushed(plan: SearchPlan, evs: readonly Event[], keptEvents?: number) {
  const run = await openSearch(plan, { now: 1000, keptEvents });
  for (const e of evs) run.push(e);
  const r = await run.end();
  return { rows: r.rows.map(toSplunkRow), warnings: r.warnings };
}

async function collected(plan: SearchPlan, evs: readonly Event[]) {
  const warnings: RunWarning[] = [];
  const r = await collect(plan, evs, { now: 1000, onWarning: (w) => warnings.push(w) });
  return { rows: r.rows.map(toSplunkRow), warnings };
}

describe('pass streaming: a search that reads its events more than once, with its kept events bounded', () => {
  it('gives the rows and warnings of collect, streaming from the first event, after a switch, or keeping', async () => {
    let withRows = 0;
    let warned = 0;
    await fc.assert(
      fc.asyncProperty(pipelines, fc.array(event, { maxLength: 16 }), async (spl, evs) => {
        const plan = prepared(spl);
        expect(streamedPasses(plan.pipeline)).toBeDefined();
        const want = await collected(plan, evs);
        expect(await pushed(plan, evs, 0)).toEqual(want);
        expect(await pushed(plan, evs, 3)).toEqual(want);
        expect(await pushed(plan, evs)).toEqual(want);
        if (want.rows.length > 0) withRows++;
        if (want.warnings.length > 0) warned++;
      }),
      { numRuns: 300 },
    );
    // Both kinds of case came up: runs with rows, and runs with warnings.
    expect(withRows).toBeGreaterThan(100);
    expect(warned).toBeGreaterThan(3);
  });

  it('holds no event once streaming: an event changed after its push does not change the rows', async () => {
    // A keeping run reads its events at the end (the change shows); a streaming one has used
    // each event when it was pushed — what bounds a scan's memory on a log of any size.
    const spl =
      '| tstats count from datamodel=Endpoint.Processes by Processes.guid | `drop_dm_object_name(Processes)` ' +
      '| join guid [| tstats count as files from datamodel=Endpoint.Filesystem by Filesystem.guid | `drop_dm_object_name(Filesystem)`]';
    const plan = prepared(spl);
    const rowsAfterChanges = async (keptEvents: number | undefined) => {
      const run = await openSearch(plan, { now: 1000, keptEvents });
      for (let i = 0; i < 6; i++) {
        const e: Record<string, string | number> = { _time: i, kind: i % 2 ? 'file' : 'proc', guid: `g${i % 3}` };
        run.push(e);
        e.guid = 'changed';
      }
      return (await run.end()).rows.map(toSplunkRow);
    };
    const streamed = [
      { guid: 'g0', count: '1', files: '1' },
      { guid: 'g1', count: '1', files: '1' },
      { guid: 'g2', count: '1', files: '1' },
    ];
    expect(await rowsAfterChanges(0)).toEqual(streamed);
    // Kept: every event reads `changed` at the end.
    expect(await rowsAfterChanges(100)).toEqual([{ guid: 'changed', count: '3', files: '3' }]);
    // After the switch (the 3rd push) only events 1–2, kept until then, read `changed`.
    expect(await rowsAfterChanges(2)).not.toEqual(streamed);
  });

  it('is not taken when a pass needs a subsearch before its first command (it keeps every event)', () => {
    const plan = prepared(
      'search kind=proc [search kind=file | fields guid] | join guid [search kind=file | table guid n]',
    );
    expect(streamedPasses(plan.pipeline)).toBeUndefined();
    // A later event-reading command reads the events where it stands: not taken either.
    const appended = prepared(
      '| tstats count from datamodel=Endpoint.Processes by Processes.guid | tstats append=true count from datamodel=Endpoint.Filesystem by Filesystem.guid | join Processes.guid [search kind=file | rename guid as Processes.guid]',
    );
    expect(streamedPasses(appended.pipeline)).toBeUndefined();
    // A nested pipeline over the rows (appendpipe) reads no event: the passes stream.
    const nested = prepared('search kind=proc | appendpipe [stats count] | join guid [search kind=file]');
    expect(streamedPasses(nested.pipeline)?.map((p) => p.leading)).toEqual([1, 1]);
  });
});
