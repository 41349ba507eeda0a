import { describe, expect, it } from 'vitest';
import { notReplayable, runSpl } from '../testing.js';
import type { DataModelProvider, DataSetRequest, Row } from '../types.js';

// A hand-written provider: data-set rows keyed by unqualified CIM field names, as a normaliser would give.
const processes: Row[] = [
  {
    _time: 3600,
    dest: 'h1',
    user: 'bob',
    process_name: 'ngrok.exe',
    process: 'ngrok tcp 22',
    parent_process_name: 'cmd.exe',
  },
  { _time: 3700, dest: 'h1', user: 'bob', process_name: 'NGROK.EXE', process: 'ngrok http 80' },
  { _time: 7300, dest: 'h2', process_name: 'ngrok.exe', process: 'ngrok start', parent_process_name: 'explorer.exe' },
  { _time: 7400, dest: 'h2', process_name: 'calc.exe', process: 'calc', parent_process_name: 'explorer.exe' },
];
const dns: Row[] = [{ _time: 1, query: 'evil.example', src: '10.0.0.1', message_type: 'QUERY' }];
const requests: DataSetRequest[] = [];
const dataModels: DataModelProvider = {
  dataset(req) {
    requests.push(req);
    const key = `${req.model}.${req.path.join('.') || req.fieldPrefixes[0]}`;
    if (key === 'Endpoint.Processes') return { name: key, rows: () => processes };
    if (key === 'Network_Resolution.DNS')
      return {
        name: key,
        rows: async function* () {
          yield* dns;
        },
      };
    return { error: `no data set ${key}` };
  },
};
const run = (spl: string, events: Row[] = []) => runSpl(spl, events, { dataModels });

describe('tstats', () => {
  it('WHERE is the search language over the data set fields; columns keep the written names', async () => {
    const r = await run(
      '| tstats count min(_time) as firstTime from datamodel=Endpoint.Processes where Processes.process_name=ngrok.exe by Processes.dest Processes.user',
    );
    expect(r.rows).toEqual([{ 'Processes.dest': 'h1', 'Processes.user': 'bob', count: '2', firstTime: '3600' }]);
  });
  it('"tstats omits rows for events with a null by-field" unless fillnull_value stands in', async () => {
    const spl = (opt: string) =>
      `| tstats ${opt} count from datamodel=Endpoint.Processes where Processes.process_name=ngrok.exe by Processes.dest Processes.user`;
    expect((await run(spl(''))).rows).toHaveLength(1);
    expect((await run(spl('summariesonly=false allow_old_summaries=true fillnull_value=null'))).rows).toEqual([
      { 'Processes.dest': 'h1', 'Processes.user': 'bob', count: '2' },
      { 'Processes.dest': 'h2', 'Processes.user': 'null', count: '1' },
    ]);
  });
  it('by _time span= buckets the time; drop_dm_object_name and ctime follow', async () => {
    const r = await run(
      '| tstats count from datamodel=Endpoint.Processes where Processes.process_name=ngrok.exe by _time span=1h Processes.dest | `drop_dm_object_name(Processes)`',
    );
    expect(r.rows).toEqual([
      { _time: '3600', dest: 'h1', count: '2' },
      { _time: '7200', dest: 'h2', count: '1' },
    ]);
  });
  it('a root data set: from datamodel=Network_Resolution picks the root named by the fields; nodename= selects', async () => {
    expect((await run('| tstats count from datamodel=Network_Resolution by DNS.query')).rows).toEqual([
      { 'DNS.query': 'evil.example', count: '1' },
    ]);
    await run('| tstats count from datamodel=Network_Resolution where nodename=DNS by DNS.query');
    expect(requests.at(-1)).toEqual({ model: 'Network_Resolution', path: ['DNS'], fieldPrefixes: ['DNS'] });
  });
  it('with no tstats row over no events and no by-clause: one row count=0', async () => {
    expect(
      (await run('| tstats count from datamodel=Endpoint.Processes where Processes.process_name=nothing')).rows,
    ).toEqual([{ count: '0' }]);
  });
  it('tstats inside a join subsearch (the ESCU Filesystem/Processes pairing)', async () => {
    const r = await run(
      '| tstats count from datamodel=Endpoint.Processes where Processes.process_name=ngrok.exe by Processes.dest | rename Processes.dest as dest | join type=left dest [| tstats dc(Processes.process_name) as names from datamodel=Endpoint.Processes by Processes.dest | rename Processes.dest as dest]',
    );
    expect(r.rows).toEqual([
      { dest: 'h1', count: '2', names: '2' },
      { dest: 'h2', count: '1', names: '2' },
    ]);
  });
  it('without from datamodel: the events’ indexed fields', async () => {
    const ev = [
      { _time: 1, index: 'main', sourcetype: 'a' },
      { _time: 2, index: 'main', sourcetype: 'b' },
    ];
    expect((await run('| tstats count where index=main by sourcetype', ev)).rows).toEqual([
      { sourcetype: 'a', count: '1' },
      { sourcetype: 'b', count: '1' },
    ]);
  });
  it('a data set the provider lacks, or no provider, is not replayable (by name)', () => {
    expect(
      notReplayable('| tstats count from datamodel=Risk.All_Risk by All_Risk.risk_object', { dataModels }),
    ).toMatch(/no data set Risk.All_Risk/);
    expect(notReplayable('| tstats count from datamodel=Endpoint.Processes')).toMatch(/no data models were given/);
  });
});
