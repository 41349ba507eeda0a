/**
 * Properties of the pipeline (fast-check):
 * - the streaming path (events arriving in random chunks from an async source) and the batch path
 *   (each command over the whole output of the previous one) give the same rows;
 * - stats results do not depend on how the input is chunked or on async pauses;
 * - no input crashes a command: hostile field values through every command, arbitrary text
 *   through the preparer;
 * - the compiled search predicate agrees with @dac/spl's reference interpreter.
 */
import { builtinMacros, evaluateSearch, parsePipeline, parseSearch, type SearchExpr } from '@dac/spl';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { collect, prepareSearch, run, runBatch } from './prepare.js';
import { compileSearch } from './search-expr.js';
import { lookupProvider, lookupTableFromCsv } from './lookup.js';
import type { Event, LookupTable } from './types.js';
import { toSplunkRow } from './values.js';

const scalar = fc.oneof(
  fc.constantFrom('1', '2', '10', 'x', 'X', 'abc', 'a b', '', '0.5', '-3', '*', 'C:\\Win\\cmd.exe'),
  fc.string({ maxLength: 6 }),
  fc.integer({ min: -5, max: 20 }),
);
const value = fc.oneof(
  { weight: 4, arbitrary: scalar },
  {
    weight: 1,
    arbitrary: fc.array(fc.oneof(fc.constantFrom('1', 'x', 'y'), fc.string({ maxLength: 3 })), {
      minLength: 2,
      maxLength: 3,
    }),
  },
);
const event: fc.Arbitrary<Event> = fc
  .record(
    { a: value, b: value, c: value, _raw: fc.string({ maxLength: 20 }), host: fc.constantFrom('h1', 'h2', 'H1') },
    { requiredKeys: ['host'] },
  )
  .chain((r) => fc.integer({ min: 0, max: 100 }).map((t) => ({ ...r, _time: t })));
const events = fc.array(event, { maxLength: 25 });

const lt = lookupTableFromCsv(
  { name: 'lk', match_type: 'WILDCARD(k)', case_sensitive_match: 'false' },
  'k,v\n1,one\nx*,ex\n',
) as LookupTable;
const lookups = lookupProvider([lt]);

/** Commands over the fields a, b, c, host, _time (every module that works on rows). */
const COMMAND_TEXTS = [
  'where a > 2',
  'where like(b, "%x%") OR isnull(c)',
  'eval d=a . "-" . b, e=if(isnum(a), a*2, null())',
  'eval m=mvappend(a, c), n=mvcount(c)',
  'stats count dc(b) as db values(c) as vc min(_time) as f max(_time) as l by host',
  'stats count avg(a) as av stdev(a) as sd perc90(a) as p list(b) as lb',
  'stats count by a b',
  'eventstats count as ec by host',
  'streamstats count as sc by host',
  'streamstats window=2 sum(a) as s2',
  'dedup host',
  'dedup a keepempty=true',
  'sort a',
  'sort - _time, host',
  'head 3',
  'tail 2',
  'reverse',
  'bin _time span=10',
  'bucket a span=5 as ab',
  'rex field=b "(?<dg>\\d+)"',
  'rex max_match=0 field=_raw "(?<w>[a-z])"',
  'regex host="^h"',
  'fillnull value=NULL a b',
  'fillnull',
  'mvexpand c',
  'makemv delim=" " b',
  'rename a as z, host as hh',
  'rename * as f_*',
  'table host a',
  'fields - b',
  'search a=1* OR host=H1',
  'search NOT b=x',
  'transaction host maxpause=20s',
  'lookup lk k AS a OUTPUT v',
  'spath input=b',
  'xmlkv b',
  'convert ctime(_time) as t num(a)',
  'foreach a b [eval <<FIELD>>_s=\'<<FIELD>>\' . "!"]',
  'appendpipe [stats count as total]',
  'append [| makeresults count=2 | eval host="app"]',
  'join type=left host [search a=1 | stats count as jc by host]',
  'addinfo',
];
const pipelines = fc
  .array(fc.constantFrom(...COMMAND_TEXTS), { minLength: 1, maxLength: 4 })
  .map((cmds) => `* | ${cmds.join(' | ')}`);

function prepared(spl: string) {
  const p = parseSearch(spl, builtinMacros());
  const r = prepareSearch(p.pipeline, { now: 1000, lookups });
  if (!r.ok) throw new Error(`${spl}: ${r.notReplayable.reason}`);
  return r.plan;
}

/** An async source that hands the events over in chunks of the given sizes, pausing between chunks. */
function chunked(evs: readonly Event[], sizes: readonly number[]): () => AsyncIterable<Event> {
  return async function* () {
    let i = 0;
    let k = 0;
    while (i < evs.length) {
      const n = Math.max(1, sizes[k++ % Math.max(1, sizes.length)] ?? 1);
      for (const e of evs.slice(i, i + n)) yield e;
      i += n;
      await new Promise((r) => setTimeout(r, 0));
    }
  };
}

describe('pipeline properties', () => {
  it('every command text used by the properties prepares', () => {
    for (const c of COMMAND_TEXTS) expect(() => prepared(`* | ${c}`)).not.toThrow();
  });

  it('streaming, collecting and batch paths agree', async () => {
    await fc.assert(
      fc.asyncProperty(
        pipelines,
        events,
        fc.array(fc.integer({ min: 1, max: 7 }), { maxLength: 5 }),
        async (spl, evs, sizes) => {
          const plan = prepared(spl);
          // collect drives the pipeline to its end in one go; run hands the rows out as they come.
          const collected = (await collect(plan, chunked(evs, sizes))).rows.map(toSplunkRow);
          const streamed: ReturnType<typeof toSplunkRow>[] = [];
          for await (const r of run(plan, chunked(evs, sizes))) streamed.push(toSplunkRow(r));
          const batch = (await runBatch(plan, evs)).map(toSplunkRow);
          expect(streamed).toEqual(batch);
          expect(collected).toEqual(batch);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('stats results are independent of input chunking', async () => {
    const plan = prepared('* | stats count dc(a) as da values(b) as vb sum(a) as s min(_time) as f by host');
    await fc.assert(
      fc.asyncProperty(
        events,
        fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 5 }),
        async (evs, sizes) => {
          const whole = (await collect(plan, evs)).rows.map(toSplunkRow);
          const chunks = (await collect(plan, chunked(evs, sizes))).rows.map(toSplunkRow);
          expect(chunks).toEqual(whole);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('no input crashes a command (hostile values through every command)', async () => {
    const hostile = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.constantFrom(
        '{"a":[1,{"b":null}]}',
        '<a x="1"><b>t</b></a>',
        '\u0000\uffff\ud800',
        '$1\\1&',
        '%s%d%%',
        '((((',
        'NaN',
        '1e308',
        '-0',
      ),
    );
    const hostileEvent = fc.record({
      a: hostile,
      b: hostile,
      c: fc.array(hostile, { maxLength: 3 }),
      _raw: hostile,
      host: hostile,
      _time: fc.oneof(fc.double(), fc.integer()),
    });
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...COMMAND_TEXTS), fc.array(hostileEvent, { maxLength: 8 }), async (c, evs) => {
        const plan = prepared(`* | ${c}`);
        const r = await collect(plan, evs as unknown as Event[]);
        expect(Array.isArray(r.rows)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('the preparer never throws on arbitrary SPL text', () => {
    const words = fc.constantFrom(
      '|',
      'stats',
      'count',
      'by',
      'eval',
      'x=',
      'rex',
      '"(?<a>',
      ')"',
      '[',
      ']',
      'where',
      'lookup',
      'AS',
      'OUTPUT',
      'join',
      'max=0',
      'foreach',
      'tstats',
      'from',
      'datamodel=A.B',
      'span=1h',
      'bin',
      'sort',
      '-',
      '0',
      'head',
      'transaction',
      'startswith=(',
      'spath',
      'input=',
      'mvexpand',
      'sed',
      'mode=sed',
      '"s/a/b/g"',
    );
    fc.assert(
      fc.property(fc.array(fc.oneof(words, fc.string({ maxLength: 5 })), { maxLength: 14 }), (ws) => {
        const p = parsePipeline(ws.join(' '));
        const r = prepareSearch(p.pipeline, { now: 0, lookups });
        expect(typeof r.ok).toBe('boolean');
        if (!r.ok) expect(r.notReplayable.reason.length).toBeGreaterThan(0);
      }),
      { numRuns: 500 },
    );
  });

  it('the compiled search predicate agrees with @dac/spl evaluateSearch', () => {
    const field = fc.constantFrom('a', 'b', 'c', 'host', 'nope');
    const lit = fc.constantFrom('1', 'x', 'X*', '*b*', '10', 'h1', '', 'a b', 'abc');
    const leaf: fc.Arbitrary<string> = fc.oneof(
      fc.tuple(field, fc.constantFrom('=', '!=', '<', '>=', '>'), lit).map(([f, op, v]) => `${f}${op}"${v}"`),
      fc
        .tuple(field, fc.array(lit, { minLength: 1, maxLength: 3 }))
        .map(([f, vs]) => `${f} IN (${vs.map((v) => `"${v}"`).join(', ')})`),
      fc.constantFrom('x', 'abc', '*'),
    );
    const expr = fc.letrec<{ e: string }>((tie) => ({
      e: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        leaf,
        fc.tuple(tie('e'), tie('e')).map(([x, y]) => `(${x} OR ${y})`),
        fc.tuple(tie('e'), tie('e')).map(([x, y]) => `${x} ${y}`),
        tie('e').map((x) => `NOT (${x})`),
      ),
    })).e;
    const stringEvent = fc.record(
      {
        a: fc.oneof(
          fc.constantFrom('1', '10', 'x', 'X1', 'abc'),
          fc.array(fc.constantFrom('1', 'x', 'b'), { minLength: 1, maxLength: 3 }),
        ),
        b: fc.constantFrom('a b', 'xbx', 'B', ''),
        host: fc.constantFrom('h1', 'H1', 'h2'),
        _raw: fc.constantFrom('x y', 'abc', 'zzz'),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(expr, stringEvent, (text, ev) => {
        const p = parsePipeline(`search ${text}`);
        const c = p.pipeline.commands[0];
        if (p.diagnostics.some((d) => d.severity === 'error') || c?.kind !== 'search' || !c.expr) return;
        const e: SearchExpr = c.expr;
        expect(compileSearch(e)(ev)).toBe(evaluateSearch(e, ev));
      }),
      { numRuns: 1000 },
    );
  });
});
