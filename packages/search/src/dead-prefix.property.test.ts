import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deadFrom, makeRuntime, runSubsearches, type SubPlan } from './engine.js';
import { collect, runBatch } from './prepare.js';
import type { Event, Row, RunWarning } from './types.js';
import { preparedOverKinds as prepared, kindEvent as event } from './test-support.js';
import { toSplunkRow } from './values.js';

// Quiet commands (deadFrom may leave them out) and ones that warn (it must not).
const PREFIX = [
  'rename name as pname',
  'rename * as *',
  'convert ctime(_time) as t',
  'regex name="\\.exe$"',
  'rex field=name "(?<stem>[a-z]+)"',
  'fields guid name _time',
  'table guid name n _time',
  'fillnull value=0 n',
  'dedup guid',
  'stats count by guid',
  'eventstats count as ec by guid',
  'search n=1',
  'eval b=(n>1)', // warns: a boolean result
  'eval m=n*2',
  'where n > 1',
  'where n + "a"', // warns when n is a number: not a boolean
];
const JOINS = [
  'join guid [search kind=file name=nomatch | table guid name]',
  'join guid [search kind=file | table guid name]',
  'join type=left guid [search kind=file name=nomatch | table guid name]',
  'join type=outer guid [search kind=file name=nomatch | table guid]',
  'join [search kind=nomatch | table guid]',
  'join guid [| makeresults count=0 | eval guid="g1"]',
  'join guid [| makeresults | eval guid="g1" | where guid="none"]',
  'join type=outer guid [| tstats count from datamodel=Endpoint.Processes by Processes.guid Processes.name | `drop_dm_object_name(Processes)`]',
  'join guid [| tstats count from datamodel=Endpoint.Processes by Processes.guid | `drop_dm_object_name(Processes)` | eval w=(count>1)]',
  'join guid [search kind=proc | stats count by guid | where count + "a"]',
];
const TAIL = ['stats count', 'stats count by guid', 'eval z=1', 'table guid', 'append [| makeresults | eval y=1]'];

const pipelines = fc
  .tuple(
    fc.constantFrom(
      'kind=proc',
      'kind=file name=a.dll',
      'kind=none',
      '| tstats count from datamodel=Endpoint.Processes by Processes.guid Processes.name | `drop_dm_object_name(Processes)`',
      '| tstats count from datamodel=Endpoint.Filesystem where Filesystem.name="a.dll" by Filesystem.guid | `drop_dm_object_name(Filesystem)`',
      '| tstats count from datamodel=Endpoint.Filesystem where Filesystem.name="a.dll"',
    ),
    fc.array(fc.constantFrom(...PREFIX), { maxLength: 3 }),
    fc.constantFrom(...JOINS),
    fc.array(fc.constantFrom(...TAIL), { maxLength: 2 }),
  )
  .map(([head, pre, j, tail]) => [head, ...pre, j, ...tail].join(' | '));

async function both(spl: string, evs: readonly Event[]) {
  const plan = prepared(spl);
  const fastWarnings: RunWarning[] = [];
  const fast = await collect(plan, evs, { onWarning: (w) => fastWarnings.push(w) });
  const plainWarnings: RunWarning[] = [];
  const plain = await runBatch(plan, evs, { onWarning: (w) => plainWarnings.push(w) });
  return {
    fast: { rows: fast.rows.map(toSplunkRow), warnings: fastWarnings },
    plain: { rows: plain.map(toSplunkRow), warnings: plainWarnings },
  };
}

/** deadFrom of a plan's pipeline once its subsearches ran over `evs`. */
async function deadIndex(spl: string, evs: readonly Event[]): Promise<number> {
  const plan = prepared(spl);
  const store = new Map<SubPlan, Row[]>();
  const rt = makeRuntime(plan.pipeline, plan.context, evs, {}, store);
  await runSubsearches(plan.pipeline, rt, store);
  return deadFrom(plan.pipeline, rt);
}

describe('dead pipeline prefix (an inner join over a subsearch that found nothing)', () => {
  it('the fast path gives the rows and warnings of the plain path', async () => {
    let taken = 0;
    let warned = 0;
    await fc.assert(
      fc.asyncProperty(pipelines, fc.array(event, { maxLength: 20 }), async (spl, evs) => {
        const { fast, plain } = await both(spl, evs);
        expect(fast).toEqual(plain);
        if ((await deadIndex(spl, evs)) >= 0) taken++;
        if (plain.warnings.length > 0) warned++;
      }),
      { numRuns: 400 },
    );
    // Both kinds of case came up: prefixes left out, and runs with warnings.
    expect(taken).toBeGreaterThan(50);
    expect(warned).toBeGreaterThan(3);
  });

  it('is taken for the ESCU shape (tstats | rename | join [tstats that finds nothing]) and reads no event', async () => {
    const spl =
      '| tstats count from datamodel=Endpoint.Processes by Processes.guid Processes.name | `drop_dm_object_name(Processes)` ' +
      '| join guid [| tstats count from datamodel=Endpoint.Filesystem where Filesystem.name="nomatch" by Filesystem.guid | `drop_dm_object_name(Filesystem)`] ' +
      '| stats count by guid';
    const evs: Event[] = [
      { _time: 1, kind: 'proc', guid: 'g1', name: 'cmd.exe' },
      { _time: 2, kind: 'file', guid: 'g1', name: 'a.dll' },
    ];
    expect(await deadIndex(spl, evs)).toBe(2);
    // Each pass over the events is one call of the source: the subsearch's only.
    let passes = 0;
    const source = () => {
      passes++;
      return evs;
    };
    expect((await collect(prepared(spl), source)).rows).toEqual([]);
    expect(passes).toBe(1);
    // A subsearch that finds a row: nothing is left out, both passes run.
    const found = spl.replace('"nomatch"', '"a.dll"');
    expect(await deadIndex(found, evs)).toBe(-1);
    passes = 0;
    expect((await collect(prepared(found), source)).rows.map(toSplunkRow)).toEqual([{ guid: 'g1', count: '1' }]);
    expect(passes).toBe(2);
  });

  it('a main search that accepts no event runs first: the subsearch runs only when rows reach the join', async () => {
    const spl =
      '| tstats count from datamodel=Endpoint.Filesystem where Filesystem.name="a.dll" by Filesystem.guid | `drop_dm_object_name(Filesystem)` ' +
      '| join type=outer guid [| tstats count as procs from datamodel=Endpoint.Processes by Processes.guid | `drop_dm_object_name(Processes)`] ' +
      '| table guid count procs';
    const procs: Event[] = [
      { _time: 1, kind: 'proc', guid: 'g1', name: 'cmd.exe' },
      { _time: 2, kind: 'proc', guid: 'g1', name: 'x' },
    ];
    let passes = 0;
    const counted = (evs: Event[]) => {
      const source = [...evs];
      // An array (the probe reads it); each pass over it is one iteration.
      const it = source[Symbol.iterator].bind(source);
      source[Symbol.iterator] = () => {
        passes++;
        return it();
      };
      return source;
    };
    expect((await collect(prepared(spl), counted(procs))).rows).toEqual([]);
    expect(passes).toBe(1);
    // A file event the main search accepts: both passes, and the join's rows.
    passes = 0;
    const withFile = counted([...procs, { _time: 3, kind: 'file', guid: 'g1', name: 'a.dll' }]);
    const rows = (await collect(prepared(spl), withFile)).rows.map(toSplunkRow);
    expect(rows).toEqual([{ guid: 'g1', count: '1', procs: '2' }]);
    expect(passes).toBe(2);
    expect(rows).toEqual((await runBatch(prepared(spl), withFile)).map(toSplunkRow));
  });

  it('is not taken after a command that may warn, nor for type=left/outer', async () => {
    const evs: Event[] = [{ _time: 1, kind: 'proc', guid: 'g1', name: 'cmd.exe', n: '3' }];
    const sub = '[search kind=file | table guid]';
    expect(await deadIndex(`kind=proc | rename name as p | join guid ${sub}`, evs)).toBe(2);
    expect(await deadIndex(`kind=proc | eval b=(n>1) | join guid ${sub}`, evs)).toBe(-1);
    expect(await deadIndex(`kind=proc | where n > 1 | join guid ${sub}`, evs)).toBe(-1);
    expect(await deadIndex(`kind=proc | join type=left guid ${sub}`, evs)).toBe(-1);
    expect(await deadIndex(`kind=proc | join type=outer guid ${sub}`, evs)).toBe(-1);
    // The warning of the eval before the join is kept (the plain path gives it too).
    const { fast, plain } = await both(`kind=proc | eval b=(n>1) | join guid ${sub}`, evs);
    expect(fast).toEqual(plain);
    expect(fast.warnings.length).toBeGreaterThan(0);
  });
});
