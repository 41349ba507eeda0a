import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { collect } from './prepare.js';
import { openSearch, pushFilter } from './push.js';
import { prepare } from './testing.js';
import type { DataModelProvider, Event, Row } from './types.js';
import { toSplunkRow } from './values.js';

// Hand-written events: process creations as a data set would hold them.
const events: Event[] = [
  { _time: 10, dest: 'h1', process_name: 'ngrok.exe', kind: 'proc' },
  { _time: 20, dest: 'h1', process_name: 'calc.exe', kind: 'proc' },
  { _time: 30, dest: 'h2', process_name: 'ngrok.exe', kind: 'proc' },
  { _time: 40, dest: 'h2', kind: 'net' },
];
// Data set rows are the events of kind proc; `rowsOf` lets tstats take pushed events.
const dataModels: DataModelProvider = {
  dataset: (req) => ({
    name: `${req.model}.${req.path.join('.')}`,
    rows: function* (src) {
      const it = (typeof src === 'function' ? src() : src) as Iterable<Event>;
      for (const e of it) if (e.kind === 'proc') yield { ...e } as Row;
    },
    rowsOf: (e) => (e.kind === 'proc' ? [{ ...e } as Row] : []),
  }),
};

async function both(spl: string) {
  const r = prepare(spl, { dataModels });
  if (!r.ok) throw new Error(r.notReplayable.reason);
  const pushed = await openSearch(r.plan);
  for (const e of events) pushed.push(e);
  const got = (await pushed.end()).rows.map(toSplunkRow);
  const want = (await collect(r.plan, events)).rows.map(toSplunkRow);
  return { streaming: pushed.streaming, got, want };
}

describe('push mode (openSearch): the rows of collect over the same events', () => {
  it('a base search runs as the events arrive', async () => {
    const r = await both('search process_name=ngrok.exe | stats count by dest');
    expect(r.streaming).toBe(true);
    expect(r.got).toEqual([
      { dest: 'h1', count: '1' },
      { dest: 'h2', count: '1' },
    ]);
    expect(r.got).toEqual(r.want);
  });
  it('a leading tstats takes pushed events through the data set rows (DataSet.rowsOf)', async () => {
    const r = await both('| tstats count from datamodel=Endpoint.Processes by Processes.process_name');
    expect(r.streaming).toBe(true);
    expect(r.got).toEqual([
      { 'Processes.process_name': 'calc.exe', count: '1' },
      { 'Processes.process_name': 'ngrok.exe', count: '2' },
    ]);
    expect(r.got).toEqual(r.want);
  });
  it('a search that reads its events twice (a subsearch over them) keeps them and runs at the end', async () => {
    const r = await both('search kind=proc [search process_name=calc.exe | fields dest] | stats count by process_name');
    expect(r.streaming).toBe(false);
    expect(r.got).toEqual([
      { process_name: 'calc.exe', count: '1' },
      { process_name: 'ngrok.exe', count: '1' },
    ]);
    expect(r.got).toEqual(r.want);
  });
  it('event-free subsearches (makeresults) run at open; the search still streams', async () => {
    const r = await both('search [| makeresults | eval dest="h2" | fields dest] | stats count by kind');
    expect(r.streaming).toBe(true);
    expect(r.got).toEqual([
      { kind: 'net', count: '1' },
      { kind: 'proc', count: '1' },
    ]);
    expect(r.got).toEqual(r.want);
  });
});

describe('pushFilter: the events a pushed run can skip', () => {
  // Pushing only the accepted events gives the rows of pushing them all; none accepted gives the
  // rows of a run over nothing (stats without by: count=0).
  async function filtered(spl: string) {
    const r = prepare(spl, { dataModels });
    if (!r.ok) throw new Error(r.notReplayable.reason);
    const accepts = pushFilter(r.plan);
    const run = await openSearch(r.plan);
    const kept = accepts ? events.filter(accepts) : events;
    for (const e of kept) run.push(e);
    const got = (await run.end()).rows.map(toSplunkRow);
    const want = (await collect(r.plan, events)).rows.map(toSplunkRow);
    return { accepts, kept: kept.length, got, want };
  }
  it('a base search accepts the events its expression matches', async () => {
    const r = await filtered('search process_name=ngrok.exe | stats count by dest');
    expect(r.kept).toBe(2);
    expect(r.got).toEqual(r.want);
  });
  it('a leading tstats accepts the events with a data-set row its where-clause matches', async () => {
    const r = await filtered(
      '| tstats count from datamodel=Endpoint.Processes where Processes.dest=h2 by Processes.process_name',
    );
    expect(r.kept).toBe(1);
    expect(r.got).toEqual([{ 'Processes.process_name': 'ngrok.exe', count: '1' }]);
    expect(r.got).toEqual(r.want);
  });
  it('no event accepted: the rows of a run over nothing', async () => {
    const r = await filtered('search process_name=none.exe | stats count');
    expect(r.kept).toBe(0);
    expect(r.got).toEqual([{ count: '0' }]);
    expect(r.got).toEqual(r.want);
  });
  it('a join over the events (two passes): an event either tstats accepts is kept', async () => {
    const r = await filtered(
      '| tstats count from datamodel=Endpoint.Processes where Processes.dest=h2 by Processes.process_name | join Processes.process_name [| tstats count as c2 from datamodel=Endpoint.Processes where Processes.process_name=calc.exe by Processes.process_name]',
    );
    expect(r.accepts).toBeDefined();
    expect(r.kept).toBe(2);
    expect(r.got).toEqual(r.want);
  });
  it('a join whose subsearch has a subsearch in its expression: no filter', async () => {
    const r = await filtered(
      'search kind=proc | join dest [search [| makeresults | eval dest="h2" | fields dest] | stats count by dest]',
    );
    expect(r.accepts).toBeUndefined();
    expect(r.got).toEqual(r.want);
  });
  it('a subsearch in the expression: no filter (every event may matter)', async () => {
    const r = await filtered('search [| makeresults | eval dest="h2" | fields dest] | stats count by kind');
    expect(r.accepts).toBeUndefined();
    expect(r.got).toEqual(r.want);
  });
});

describe('pushFilter over arbitrary events: pushing only the accepted ones gives the rows of pushing all', () => {
  const name = fc.constantFrom('ngrok.exe', 'calc.exe', 'cmd.exe', 'NGROK.EXE');
  const ev: fc.Arbitrary<Event> = fc.record(
    {
      _time: fc.integer({ min: 0, max: 7200 }),
      dest: fc.constantFrom('h1', 'h2', 'h3'),
      process_name: fc.oneof(name, fc.array(name, { minLength: 2, maxLength: 3 })),
      kind: fc.constantFrom('proc', 'net'),
    },
    { requiredKeys: ['_time', 'kind'] },
  );
  const searches = [
    '| tstats count from datamodel=Endpoint.Processes where Processes.process_name=ngrok.exe by Processes.dest',
    '| tstats count min(_time) as f from datamodel=Endpoint.Processes where Processes.dest IN (h1, h3) by _time span=1h Processes.process_name',
    '| tstats count from datamodel=Endpoint.Processes where Processes.dest=h2 by Processes.process_name | join Processes.process_name [| tstats count as c2 from datamodel=Endpoint.Processes where Processes.process_name=calc.exe by Processes.process_name]',
    'search kind=proc process_name=c* | stats count by dest | join dest [search kind=net | stats count as nets by dest]',
    'search dest=h1 | stats count',
  ];
  it.each(searches)('%s', async (spl) => {
    const r = prepare(spl, { dataModels });
    if (!r.ok) throw new Error(r.notReplayable.reason);
    const accepts = pushFilter(r.plan);
    expect(accepts).toBeDefined();
    await fc.assert(
      fc.asyncProperty(fc.array(ev, { maxLength: 12 }), async (evs) => {
        // Asked, then pushed, one event at a time (as dac scan does).
        const run = await openSearch(r.plan);
        for (const e of evs) if (accepts!(e)) run.push(e);
        const got = (await run.end()).rows.map(toSplunkRow);
        const all = await openSearch(r.plan);
        for (const e of evs) all.push(e);
        expect(got).toEqual((await all.end()).rows.map(toSplunkRow));
        expect(got).toEqual((await collect(r.plan, evs)).rows.map(toSplunkRow));
      }),
      { numRuns: 60 },
    );
  });
});
