import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { collect, runBatch } from './prepare.js';
import { openSearch, openSearchNow, pushFilter } from './push.js';
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
  // One row per process_name value, as Endpoint.Ports' mvexpand makes them: an event's rows can
  // then match the where-clause in part (tstats keeps just the matching ones for the push).
  const expanded: DataModelProvider = {
    dataset: (req) => {
      const rowsOf = (e: Event): Row[] => {
        if (e.kind !== 'proc') return [];
        const v = e.process_name;
        return Array.isArray(v) ? v.map((x) => ({ ...e, process_name: x }) as Row) : [{ ...e } as Row];
      };
      return {
        name: `${req.model}.${req.path.join('.')}`,
        rowsOf,
        rows: function* (src) {
          for (const e of (typeof src === 'function' ? src() : src) as Iterable<Event>) yield* rowsOf(e);
        },
      };
    },
  };
  const cases = [
    ...searches.map((spl) => ({ spl, rows: 'one row per event', dataModels })),
    ...searches
      .filter((spl) => spl.includes('tstats'))
      .map((spl) => ({ spl, rows: 'one row per process_name value', dataModels: expanded })),
  ];
  it.each(cases)('$spl ($rows)', async ({ spl, dataModels }) => {
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
        // The batch path reads a leading tstats through `generate` (collect pushes into `consume`).
        expect(got).toEqual((await runBatch(r.plan, evs)).map(toSplunkRow));
      }),
      { numRuns: 60 },
    );
  });
});

describe('event-free subsearch results kept per plan and now (openSearchNow)', () => {
  async function pushedRun(run: Awaited<ReturnType<typeof openSearch>>) {
    for (const e of events) run.push(e);
    const { rows, warnings } = await run.end();
    return { rows: rows.map(toSplunkRow), warnings: warnings.map((w) => w.message) };
  }
  it('a plan without subsearches opens at once', () => {
    const r = prepare('search kind=proc | stats count by dest');
    if (!r.ok) throw new Error(r.notReplayable.reason);
    expect(openSearchNow(r.plan)?.streaming).toBe(true);
  });
  it('a search that keeps its events (a subsearch over them) opens at once', () => {
    const r = prepare('search kind=proc [search process_name=calc.exe | fields dest] | stats count by process_name');
    if (!r.ok) throw new Error(r.notReplayable.reason);
    expect(openSearchNow(r.plan)?.streaming).toBe(false);
  });
  it('the next open of a plan at the same now reuses its subsearch results and their warnings: the rows and warnings of a plain run', async () => {
    // The subsearch warns (a boolean eval result) when it runs.
    const spl = 'search [| makeresults | eval b=(1>0), dest="h2" | fields dest] | stats count by kind';
    const r = prepare(spl);
    if (!r.ok) throw new Error(r.notReplayable.reason);
    expect(openSearchNow(r.plan, { now: 1000 })).toBeUndefined();
    const first = await pushedRun(await openSearch(r.plan, { now: 1000 }));
    const again = openSearchNow(r.plan, { now: 1000 });
    expect(again).toBeDefined();
    const second = await pushedRun(again!);
    const want = await collect(r.plan, events, { now: 1000 });
    expect(first.rows).toEqual(want.rows.map(toSplunkRow));
    expect(second).toEqual(first);
    expect(second.warnings).toEqual(want.warnings.map((w) => w.message));
    expect(second.warnings.length).toBeGreaterThan(0);
  });
  it('another now runs the subsearch again (its rows depend on now)', async () => {
    const spl =
      'search [| makeresults | eval dest=if(now() > 100, "h2", "h1") | fields dest] | stats count by process_name';
    const r = prepare(spl);
    if (!r.ok) throw new Error(r.notReplayable.reason);
    const early = await pushedRun(await openSearch(r.plan, { now: 50 }));
    expect(openSearchNow(r.plan, { now: 200 })).toBeUndefined();
    const late = await pushedRun(await openSearch(r.plan, { now: 200 }));
    expect(early.rows).toEqual((await collect(r.plan, events, { now: 50 })).rows.map(toSplunkRow));
    expect(late.rows).toEqual((await collect(r.plan, events, { now: 200 })).rows.map(toSplunkRow));
    expect(late.rows).not.toEqual(early.rows);
  });
  it('plans do not share results: two plans of the same shape at the same now give their own rows', async () => {
    const spl = (dest: string) =>
      `search [| makeresults | eval dest="${dest}" | fields dest] | stats count by process_name`;
    const a = prepare(spl('h1'));
    const b = prepare(spl('h2'));
    if (!a.ok || !b.ok) throw new Error('not prepared');
    const ra = await pushedRun(await openSearch(a.plan, { now: 7 }));
    const rb = await pushedRun(await openSearch(b.plan, { now: 7 }));
    expect(ra.rows).toEqual((await collect(a.plan, events, { now: 7 })).rows.map(toSplunkRow));
    expect(rb.rows).toEqual((await collect(b.plan, events, { now: 7 })).rows.map(toSplunkRow));
    expect(ra.rows).not.toEqual(rb.rows);
  });
  it('a run that modifies the rows a subsearch gave (append, then eval) leaves them intact for the next run', async () => {
    const r = prepare('search kind=net | append [| makeresults | eval x=1 | fields x] | eval x=x+1 | table dest x');
    if (!r.ok) throw new Error(r.notReplayable.reason);
    const want = (await collect(r.plan, events, { now: 5 })).rows.map(toSplunkRow);
    for (let i = 0; i < 3; i++) {
      const run = openSearchNow(r.plan, { now: 5 }) ?? (await openSearch(r.plan, { now: 5 }));
      expect((await pushedRun(run)).rows).toEqual(want);
    }
  });
});
