import { describe, expect, it } from 'vitest';
import { parsePipeline } from '@dac/spl';
import { compilePostPipeline, strftimeUtc } from './post.js';
import { checkAggregationPlan, TstatsAggregator, type AggregationPlan, type Row } from './tstats.js';

const key = (w: string) => (w.includes('.') ? w.slice(w.lastIndexOf('.') + 1) : w);
const plan = (p: Partial<AggregationPlan>): AggregationPlan => ({
  by: [],
  aggregates: [{ fn: 'count' }],
  options: {},
  eventKey: key,
  ...p,
});

describe('TstatsAggregator (splunk-semantics.md §1.10)', () => {
  it('groups by BY fields, counts, and takes min/max(_time)', () => {
    const a = new TstatsAggregator(
      plan({
        by: ['Processes.dest'],
        aggregates: [
          { fn: 'count' },
          { fn: 'min', field: '_time', as: 'firstTime' },
          { fn: 'max', field: '_time', as: 'lastTime' },
        ],
      }),
    );
    a.add({ dest: 'b', _time: 10.5 });
    a.add({ dest: 'a', _time: 20 });
    a.add({ dest: 'b', _time: 5 });
    expect(a.rows()).toEqual([
      { 'Processes.dest': 'a', count: '1', firstTime: '20', lastTime: '20' },
      { 'Processes.dest': 'b', count: '2', firstTime: '5', lastTime: '10.5' },
    ]);
  });

  it('drops rows with a null BY field unless fillnull_value is set (ESCU sets "null", §2)', () => {
    const events = [{ dest: 'a', process_id: '1' }, { dest: 'a' }, { dest: 'a', process_id: '' }];
    const strict = new TstatsAggregator(plan({ by: ['Processes.dest', 'Processes.process_id'] }));
    events.forEach((e) => strict.add(e));
    expect(strict.rows()).toEqual([{ 'Processes.dest': 'a', 'Processes.process_id': '1', count: '1' }]);
    expect(strict.droppedNull).toBe(2);
    const filled = new TstatsAggregator(
      plan({ by: ['Processes.dest', 'Processes.process_id'], options: { fillnull_value: 'null' } }),
    );
    events.forEach((e) => filled.add(e));
    expect(filled.rows()).toEqual([
      { 'Processes.dest': 'a', 'Processes.process_id': '1', count: '1' },
      { 'Processes.dest': 'a', 'Processes.process_id': 'null', count: '2' },
    ]);
  });

  it('splits multivalue BY fields into one row per value (§1.8)', () => {
    const a = new TstatsAggregator(plan({ by: ['Processes.process_hash'] }));
    a.add({ process_hash: ['x', 'y'] });
    a.add({ process_hash: 'x' });
    expect(a.rows()).toEqual([
      { 'Processes.process_hash': 'x', count: '2' },
      { 'Processes.process_hash': 'y', count: '1' },
    ]);
  });

  it('evaluates values, dc, sum, avg, latest, earliest, count(field), and _time spans', () => {
    const a = new TstatsAggregator(
      plan({
        by: ['_time'],
        span: '1h',
        aggregates: [
          { fn: 'values', field: 'Processes.user' },
          { fn: 'dc', field: 'Processes.user', as: 'users' },
          { fn: 'sum', field: 'Processes.n' },
          { fn: 'avg', field: 'Processes.n' },
          { fn: 'latest', field: 'Processes.user' },
          { fn: 'earliest', field: 'Processes.user' },
          { fn: 'count', field: 'Processes.n' },
        ],
      }),
    );
    a.add({ _time: 3600 + 10, user: 'b', n: '1' });
    a.add({ _time: 3600 + 5, user: 'a', n: '2' });
    a.add({ _time: 3600 + 20, user: 'b' });
    expect(a.rows()).toEqual([
      {
        _time: '3600',
        'values(Processes.user)': ['a', 'b'],
        users: '2',
        'sum(Processes.n)': '3',
        'avg(Processes.n)': '1.5',
        'latest(Processes.user)': 'b',
        'earliest(Processes.user)': 'a',
        'count(Processes.n)': '2',
      },
    ]);
  });

  it('says which plans it cannot execute', () => {
    expect(checkAggregationPlan(plan({ aggregates: [{ fn: 'perc95', field: 'x' }] }))).toMatch(
      /perc95\(\) is not replayable/,
    );
    expect(checkAggregationPlan(plan({ by: ['_time'] }))).toMatch(/span/);
    expect(checkAggregationPlan(plan({ options: { prestats: 'true' } }))).toMatch(/prestats/);
  });

  it('returns one count=0 row without BY fields, none with', () => {
    expect(new TstatsAggregator(plan({})).rows()).toEqual([{ count: '0' }]);
    expect(new TstatsAggregator(plan({ by: ['Processes.dest'] })).rows()).toEqual([]);
  });
});

describe('post-pipeline', () => {
  const run = (spl: string, rows: Row[]) => {
    const p = compilePostPipeline(parsePipeline(`| ${spl}`).pipeline.commands);
    if ('error' in p) throw new Error(p.error);
    return p.run(rows);
  };

  it('runs the ngrok tail: drop_dm_object_name rename, security_content_ctime in UTC, search *', () => {
    const rows = run(
      'rename "Processes.*" as * | convert timeformat="%Y-%m-%dT%H:%M:%S" ctime(firstTime) | convert timeformat="%Y-%m-%dT%H:%M:%S" ctime(lastTime) | search *',
      [{ 'Processes.dest': 'dc', count: '1', firstTime: '1727705112.330205', lastTime: '1727705112.330205' }],
    );
    expect(rows).toEqual([
      { dest: 'dc', count: '1', firstTime: '2024-09-30T14:05:12', lastTime: '2024-09-30T14:05:12' },
    ]);
  });

  it('search filters rows with @dac/spl semantics; table, fields and fillnull shape them', () => {
    const rows: Row[] = [
      { a: 'X', b: '1' },
      { a: 'y', b: '2', c: 'z' },
    ];
    expect(run('search a=x', rows)).toEqual([{ a: 'X', b: '1' }]);
    expect(run('table c, a', rows)).toEqual([{ a: 'X' }, { c: 'z', a: 'y' }]);
    expect(run('fields - b', rows)).toEqual([{ a: 'X' }, { a: 'y', c: 'z' }]);
    expect(run('fillnull value=NA c', rows)).toEqual([
      { a: 'X', b: '1', c: 'NA' },
      { a: 'y', b: '2', c: 'z' },
    ]);
    expect(run('rename a as b', rows)).toEqual([{ b: 'X' }, { b: 'y', c: 'z' }]);
  });

  it('reports other commands as not replayable, naming them', () => {
    expect(compilePostPipeline(parsePipeline('| rename a as b | lookup foo x').pipeline.commands)).toEqual({
      error: expect.stringMatching(/command "lookup" is not replayable/),
    });
    expect(compilePostPipeline(parsePipeline('| convert mktime(x)').pipeline.commands)).toEqual({
      error: expect.stringMatching(/mktime/),
    });
  });

  it('strftimeUtc covers the common directives', () => {
    const t = Date.UTC(2021, 0, 4, 13, 5, 9) / 1000 + 0.123456;
    expect(strftimeUtc(t, '%Y-%m-%dT%H:%M:%S.%3N %b %a %j %I%p %z %%')).toBe(
      '2021-01-04T13:05:09.123 Jan Mon 004 01PM +0000 %',
    );
    expect(strftimeUtc(t, '%m/%d/%Y %H:%M:%S')).toBe('01/04/2021 13:05:09');
  });
});
