/**
 * Raw-event base-search matchers (issue 10 item 4): generated from the search before the first
 * pipe, typed by the add-on field tables of @dac/normalise, type-checked in one program, and
 * held equal — on real events and on random expressions × random events (fast-check) — to
 * @dac/search's interpreter (compileSearch) and @dac/spl's reference (evaluateSearch). The
 * compiled-predicate hook of @dac/search runs the matcher; results must not change.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadDataModels } from '@dac/cim';
import {
  compileMatchers,
  compiledPredicateHook,
  compileSearchMatchers,
  generateSearchMatcher,
  loadMatcherModule,
  transpileMatcher,
  type StreamFieldTable,
} from '@dac/matchers';
import { extractFields, streamFieldTables, type SplunkEvent } from '@dac/normalise';
import { formatFor, readFixture, type FixtureFormat } from '@dac/replay';
import { collect, compileSearch, type DataModelProvider, prepareSearch, type Row } from '@dac/search';
import {
  evaluateSearch,
  parseSearch,
  type CompareOp,
  type Literal,
  type SearchCommand,
  type SearchExpr,
} from '@dac/spl';
import { escuSearchMacros } from '../support/escu-macros.js';

const repo = join(import.meta.dirname, '..', '..');
const tables = streamFieldTables() as StreamFieldTable[];

/** ESCU base macros (shared/corpus/escu/macros at b13b314) over the CIM ones. */
const MACROS = escuSearchMacros();

async function realEvents(): Promise<SplunkEvent[]> {
  const out: SplunkEvent[] = [];
  for (const f of readdirSync(join(repo, 'test/evtx'))
    .filter((n) => n.endsWith('.log'))
    .sort()) {
    const fmt = formatFor('xmlwineventlog') as FixtureFormat;
    await readFixture(join(repo, 'test/evtx', f), fmt, (e) =>
      out.push(extractFields(e, { sourcetype: 'XmlWinEventLog', source: fmt.sourceOf(e.fields) })),
    );
  }
  return out;
}

function baseSearch(spl: string): { search: SearchCommand; pipeline: ReturnType<typeof parseSearch>['pipeline'] } {
  const p = parseSearch(spl, MACROS);
  const c = p.pipeline.commands[0];
  if (c?.kind !== 'search') throw new Error('no base search');
  return { search: c, pipeline: p.pipeline };
}

function load(source: string): (e: Readonly<Record<string, unknown>>) => boolean {
  return loadMatcherModule(transpileMatcher(source)).match as (e: Readonly<Record<string, unknown>>) => boolean;
}

/** ESCU-shaped base searches (macros expanded as in the corpus). */
const SEARCHES = [
  '`sysmon` EventCode=10 TargetImage=*lsass.exe GrantedAccess IN ("0x1010", "0x1410", "0x147a", "0x1fffff") | stats count by Computer',
  '`sysmon` EventCode=1 Image IN ("*\\\\psexec*.exe") OR OriginalFileName=psexec.c | stats count',
  '`wineventlog_security` EventCode=4769 ServiceName!="*$" TicketEncryptionType=0x17 | stats count by ServiceName',
  '`wineventlog_security` EventCode=4688 NOT (NewProcessName="*\\\\explorer.exe") | table _time',
  '`powershell` EventCode=4104 ScriptBlockText IN ("*Invoke-WebRequest*", "*DownloadString*") | stats count',
  '`sysmon` EventCode=13 TargetObject="*\\\\Image File Execution Options\\\\*" Details=*cmd.exe | stats count',
  'source=XmlWinEventLog:Security EventCode=4625 sekurlsa OR mimikatz | stats count',
  'sourcetype=XmlWinEventLog "Microsoft-Windows-Sysmon" *lsass* earliest=-24h | stats count',
  '`sysmon` EventCode=22 QueryName=CASE(*.ngrok.io) | stats count',
  'index=main EventCode>=4700 EventCode<4800 | stats count',
];

describe('raw base-search matchers on real events (test/evtx, rendered real EVTX captures)', () => {
  it('generate, type-check in one program, and agree with @dac/search and @dac/spl on every event', async () => {
    const events = await realEvents();
    expect(events.length).toBeGreaterThan(40);
    const gens = SEARCHES.map((s, i) => ({
      s,
      ...baseSearch(s),
      g: generateSearchMatcher(`d${i}`, baseSearch(s).search, tables),
    }));
    for (const g of gens) expect(g.g.diagnostics, g.s).toEqual([]);
    const r = await compileSearchMatchers(
      gens.map((g, i) => ({ id: `d${i}`, search: g.search })),
      tables,
    );
    for (const [id, d] of r.diagnostics) expect(d, id).toEqual([]);
    expect(r.matchers.size).toBe(SEARCHES.length);
    let hits = 0;
    gens.forEach((g, i) => {
      const m = r.matchers.get(`d${i}`)!;
      const interp = compileSearch(g.search.expr);
      for (const e of events) {
        const want = evaluateSearch(g.search.expr!, e);
        expect(m.match(e), `${g.s} on ${e.EventCode}`).toBe(want);
        expect(interp(e as Row)).toBe(want);
        if (want) hits++;
      }
    });
    expect(hits).toBeGreaterThan(0);
  });

  it('type the lsass search by the Sysmon field table (Splunk_TA_microsoft_sysmon on Splunk_TA_windows)', () => {
    const { search } = baseSearch(SEARCHES[0]!);
    const g = generateSearchMatcher('lsass', search, tables);
    // `sysmon` names the Windows Sysmon source and Sysmon for Linux's: both streams, nothing else.
    expect(g.streams).toContain('XmlWinEventLog_Microsoft_Windows_Sysmon_Operational');
    expect(g.streams.some((s) => s.startsWith('XmlWinEventLog_Security'))).toBe(false);
    expect(g.source).toMatch(/eq\(event\.EventCode, P\d+\)/);
    expect(g.source).toMatch(/inList\(event\.GrantedAccess, L0\) \/\/ @spl \d+:\d+/);
  });

  it('the compiled-predicate hook of @dac/search gives the same rows as its interpreter', async () => {
    const events = await realEvents();
    for (const s of SEARCHES) {
      const { search, pipeline } = baseSearch(s);
      const r = await compileSearchMatchers([{ id: 'x', search }], tables);
      const m = r.matchers.get('x')!;
      let asked = 0;
      const hook = compiledPredicateHook({ search: m });
      const withHook = prepareSearch(pipeline, {
        compiledPredicate: (req) => {
          const p = hook(req);
          if (p) asked++;
          return p;
        },
      });
      const without = prepareSearch(pipeline);
      expect(withHook.ok && without.ok, s).toBe(true);
      if (!withHook.ok || !without.ok) continue;
      const a = await collect(withHook.plan, events);
      const b = await collect(without.plan, events);
      expect(asked, s).toBe(1);
      expect(a.rows).toEqual(b.rows);
    }
  });
});

// ------------------------------------------------------------------ differential (fast-check)

const SPAN = { start: 0, end: 1 };
/** Field names of the Sysmon/Security tables, default fields, and one the tables do not list. */
const FIELDS = [
  'EventCode',
  'Image',
  'TargetImage',
  'GrantedAccess',
  'source',
  'sourcetype',
  'eventtype',
  'Unlisted_Field',
];
const valueChar = fc.constantFrom('a', 'A', 'b', '1', '0', '.', '\\', ' ', '-', 'é', 'É', ':');
const patternChar = fc.constantFrom('a', 'A', 'b', '1', '0', '.', '\\', ' ', '-', 'é', 'É', ':', '*', '*');
const value = fc.oneof(fc.string({ unit: valueChar, maxLength: 6 }), fc.integer({ min: -5, max: 50 }).map(String));
const patternText = fc.oneof(
  fc.string({ unit: patternChar, maxLength: 6 }),
  fc.integer({ min: -5, max: 50 }).map(String),
);
const literal: fc.Arbitrary<Literal> = fc
  .record({ value: patternText, quoted: fc.boolean(), cs: fc.boolean() })
  .map(({ value: v, quoted, cs }) =>
    cs ? { value: v, quoted, caseSensitive: true, span: SPAN } : { value: v, quoted, span: SPAN },
  );
const op = fc.constantFrom<CompareOp>('=', '=', '!=', '<', '>=');
const leaf: fc.Arbitrary<SearchExpr> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({ field: fc.constantFrom(...FIELDS), op, value: literal }).map((x) => ({
      kind: 'compare' as const,
      field: x.field,
      fieldSpan: SPAN,
      op: x.op,
      value: x.value,
      span: SPAN,
    })),
  },
  {
    weight: 2,
    arbitrary: fc
      .record({ field: fc.constantFrom(...FIELDS), values: fc.array(literal, { minLength: 1, maxLength: 3 }) })
      .map((x) => ({ kind: 'in' as const, field: x.field, fieldSpan: SPAN, values: x.values, span: SPAN })),
  },
  { weight: 2, arbitrary: literal.map((v) => ({ kind: 'term' as const, value: v, span: SPAN })) },
  {
    weight: 1,
    arbitrary: fc.constant<SearchExpr>({
      kind: 'compare',
      field: 'earliest',
      fieldSpan: SPAN,
      op: '=',
      value: { value: '-24h', quoted: false, span: SPAN },
      span: SPAN,
    }),
  },
);
const { expr } = fc.letrec<{ expr: SearchExpr }>((tie) => ({
  expr: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.array(tie('expr'), { minLength: 0, maxLength: 4 }).map((args) => ({ kind: 'and' as const, args, span: SPAN })),
    fc.array(tie('expr'), { minLength: 0, maxLength: 4 }).map((args) => ({ kind: 'or' as const, args, span: SPAN })),
    tie('expr').map((arg) => ({ kind: 'not' as const, arg, span: SPAN })),
  ),
}));
const rawText = fc
  .array(fc.oneof(value, fc.constantFrom(' ', '.', '=', 'lsass.exe', 'A-b', '"', 'é:1')), { maxLength: 6 })
  .map((a) => a.join(''));
const fieldValue = fc.oneof(
  { weight: 4, arbitrary: value },
  { weight: 2, arbitrary: fc.array(value, { minLength: 2, maxLength: 3 }) },
  { weight: 1, arbitrary: fc.integer({ min: -5, max: 50 }) },
);
const event = fc
  .record({
    fields: fc.dictionary(fc.constantFrom(...FIELDS), fieldValue, { maxKeys: FIELDS.length }),
    raw: fc.option(rawText),
  })
  .map(({ fields, raw }) => (raw === null ? fields : { ...fields, _raw: raw }) as SplunkEvent);
const search = (e: SearchExpr): SearchCommand => ({ kind: 'search', expr: e, spanOfCommand: SPAN });

describe('generated raw-search matcher ≡ @dac/search interpreter ≡ @dac/spl reference (fast-check)', () => {
  it('agree on random base searches (bare terms, wildcards, IN, NOT, !=, CASE, multivalue, missing fields)', () => {
    fc.assert(
      fc.property(expr, fc.array(event, { minLength: 1, maxLength: 20 }), (x, evs) => {
        const g = generateSearchMatcher('diff', search(x), tables);
        expect(g.diagnostics).toEqual([]);
        const match = load(g.source!);
        const interp = compileSearch(x);
        for (const e of evs) {
          const want = evaluateSearch(x, e);
          if (match(e) !== want || interp(e as Row) !== want)
            throw new Error(
              `disagree on ${JSON.stringify(e)}: matcher ${match(e)}, search ${interp(e as Row)}, spl ${want}`,
            );
        }
      }),
      { numRuns: 300 },
    );
  });

  it('every random base search generates a module that type-checks (one program)', async () => {
    const exprs = fc.sample(expr, { numRuns: 80, seed: 11 });
    const r = await compileSearchMatchers(
      exprs.map((x, i) => ({ id: `r${i}`, search: search(x) })),
      tables,
    );
    for (const [id, d] of r.diagnostics) expect(d, id).toEqual([]);
    expect(r.matchers.size).toBe(80);
  });

  it('no input crashes the generator or the matcher: hostile field names, values and events', () => {
    const nasty = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 10 }),
      fc.constantFrom(
        '*/',
        '${a}',
        '`',
        '</script>',
        '\u2028',
        '\\',
        '"',
        '\ud800',
        '__proto__',
        'constructor',
        'toString',
      ),
    );
    const hostile: fc.Arbitrary<SearchExpr> = fc
      .record({ f: nasty, v: nasty, t: nasty, l: fc.array(nasty, { minLength: 1, maxLength: 3 }) })
      .map(({ f, v, t, l }) => ({
        kind: 'and',
        span: SPAN,
        args: [
          {
            kind: 'compare',
            field: f,
            fieldSpan: SPAN,
            op: '=',
            value: { value: v, quoted: true, span: SPAN },
            span: SPAN,
          },
          { kind: 'term', value: { value: t, quoted: true, span: SPAN }, span: SPAN },
          {
            kind: 'not',
            span: SPAN,
            arg: {
              kind: 'in',
              field: f,
              fieldSpan: SPAN,
              values: l.map((x) => ({ value: x, quoted: true, span: SPAN })),
              span: SPAN,
            },
          },
        ],
      }));
    const cases = fc.sample(
      fc.record({ x: hostile, id: nasty, ev: fc.dictionary(nasty, fc.oneof(nasty, fc.array(nasty))) }),
      {
        numRuns: 60,
        seed: 5,
      },
    );
    return compileSearchMatchers(
      cases.map((c, i) => ({ id: `${i}:${c.id}`, search: search(c.x) })),
      tables,
    ).then((r) => {
      for (const [id, d] of r.diagnostics) expect(d, id).toEqual([]);
      cases.forEach((c, i) => {
        const m = r.matchers.get(`${i}:${c.id}`)!;
        // The literal texts come back out of the module intact (no break-out of a string).
        const cmp = (c.x as { args: SearchExpr[] }).args[0] as Extract<SearchExpr, { kind: 'compare' }>;
        expect(m.source).toContain(
          JSON.stringify(cmp.value.value)
            .slice(1, -1)
            .replace(/[\u2028\u2029<>]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`),
        );
        const ev = c.ev as SplunkEvent;
        expect(m.match(ev)).toBe(evaluateSearch(c.x, ev));
        // @dac/search's interpreter survives the same names (constructor, __proto__, …) too.
        expect(compileSearch(c.x)(ev as Row)).toBe(m.match(ev));
        expect(m.match({ [cmp.field]: cmp.value.value })).toBe(evaluateSearch(c.x, { [cmp.field]: cmp.value.value }));
      });
    });
  });

  it('a 1,000-term base search (and 1,000 nested parentheses) compiles without recursion', async () => {
    const terms = Array.from({ length: 1000 }, (_, i) => `f${i}=v${i}`);
    const flat = baseSearch(`${terms.join(' ')} | stats count`).search;
    const ors = baseSearch(`${terms.join(' OR ')} | stats count`).search;
    let nested: SearchExpr = {
      kind: 'compare',
      field: 'a',
      fieldSpan: SPAN,
      op: '=',
      value: { value: '1', quoted: false, span: SPAN },
      span: SPAN,
    };
    for (let i = 0; i < 1000; i++) nested = { kind: 'and', args: [nested], span: SPAN };
    const r = await compileSearchMatchers(
      [
        { id: 'flat', search: flat },
        { id: 'ors', search: ors },
        { id: 'nested', search: search(nested) },
      ],
      tables,
    );
    for (const [id, d] of r.diagnostics) expect(d, id).toEqual([]);
    const all = Object.fromEntries(terms.map((t) => t.split('=') as [string, string]));
    expect(r.matchers.get('flat')!.match(all)).toBe(true);
    expect(r.matchers.get('flat')!.match({ ...all, f999: 'x' })).toBe(false);
    expect(r.matchers.get('ors')!.match({ f500: 'V500' })).toBe(true);
    expect(r.matchers.get('nested')!.match({ a: '1' })).toBe(true);
  });
});

describe('the compiled-predicate hook for a tstats WHERE', () => {
  // Hand-written data-set rows (unqualified CIM names, as a normaliser gives them).
  const rows: Row[] = [
    { _time: 1, dest: 'h1', process_name: 'ngrok.exe', process: 'ngrok tcp 22' },
    { _time: 2, dest: 'h1', process_name: 'NGROK.EXE', process: 'ngrok http 80' },
    { _time: 3, dest: 'h2', process_name: 'calc.exe', process: 'calc' },
    { _time: 4, dest: 'h3', process_name: ['ngrok.exe', 'x'], process: 'ngrok start' },
  ];
  const dataModels: DataModelProvider = {
    dataset: (req) =>
      req.model === 'Endpoint' && req.path[0] === 'Processes'
        ? { name: 'Endpoint.Processes', rows: () => rows }
        : { error: 'none' },
  };
  /** The search parsed, its tstats command, and the compiled-predicate hook of its generated matcher. */
  async function tstatsHookFor(spl: string) {
    const parsed = parseSearch(spl, MACROS);
    const cmd = parsed.pipeline.commands[0]!;
    if (cmd.kind !== 'tstats') throw new Error('no tstats');
    const r = await compileMatchers([{ id: 't', tstats: cmd }], loadDataModels());
    return { parsed, cmd, hook: compiledPredicateHook({ tstats: r.matchers.get('t')!, tstatsWhere: cmd.where }) };
  }
  it("runs the generated tstats matcher and gives the interpreter's rows", async () => {
    const spl =
      '| tstats count from datamodel=Endpoint.Processes where Processes.process_name=ngrok.exe Processes.process IN ("*tcp*", "*http*", "*start*") by Processes.dest';
    const { parsed, hook } = await tstatsHookFor(spl);
    let used = 0;
    const a = prepareSearch(parsed.pipeline, {
      dataModels,
      compiledPredicate: (q) => {
        const p = hook(q);
        if (p) used++;
        return p;
      },
    });
    const b = prepareSearch(parsed.pipeline, { dataModels });
    if (!a.ok || !b.ok) throw new Error('not prepared');
    const ra = await collect(a.plan, []);
    const rb = await collect(b.plan, []);
    expect(used).toBe(1);
    expect(ra.rows).toEqual(rb.rows);
    expect(ra.rows).toHaveLength(2);
  });

  it('is not used for a data set whose row keys are not the unqualified CIM names the matcher reads', async () => {
    // The same rows keyed by the names as written (`Processes.process_name`): the matcher (which
    // reads `process_name`, eventKeyOf) would see no fields; the interpreter must run instead.
    const qualified: Row[] = rows.map((r) =>
      Object.fromEntries(Object.entries(r).map(([k, v]) => [k === '_time' ? k : `Processes.${k}`, v])),
    );
    const writtenKeys: DataModelProvider = {
      dataset: () => ({ name: 'Endpoint.Processes', fieldKey: (w) => w.trim(), rows: () => qualified }),
    };
    const spl =
      '| tstats count from datamodel=Endpoint.Processes where Processes.process_name=ngrok.exe by Processes.dest';
    const { parsed, cmd, hook } = await tstatsHookFor(spl);
    let asked = 0;
    const a = prepareSearch(parsed.pipeline, {
      dataModels: writtenKeys,
      compiledPredicate: (q) => {
        asked++;
        return hook(q);
      },
    });
    if (!a.ok) throw new Error('not prepared');
    expect(asked).toBe(1);
    expect(hook({ command: 'tstats', expr: cmd.where, span: cmd.spanOfCommand, fieldKey: (w) => w.trim() })).toBe(
      undefined,
    );
    const ra = await collect(a.plan, []);
    // ngrok.exe matches case-insensitively on h1 (twice) and on h3's multivalue field.
    expect(ra.rows.map((x) => [x['Processes.dest'], x.count])).toEqual([
      ['h1', 2],
      ['h3', 1],
    ]);
  });
});
