import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadDataModels } from '@dac/cim';
import {
  clearMatcherCaches,
  compileMatchers,
  loadMatcherModule,
  transpileMatcher,
  typecheckMatchers,
} from './compile.js';
import { generateDatasetTypesSource, generateMatcherSource, tsString } from './generate.js';
import { planTstats } from '@dac/cim';
import { and, cmp, inList, ngrokWhere, not, or, term, tstats } from './test-support.js';

const models = loadDataModels();

describe('planTstats', () => {
  it('plans the ngrok detection: dataset, by-fields, aggregates, options, event keys', () => {
    const { plan, diagnostics } = planTstats(tstats({ where: ngrokWhere() }), models);
    expect(diagnostics).toEqual([]);
    expect(plan!.model).toBe('Endpoint');
    expect(plan!.dataset).toEqual(['Processes']);
    expect(plan!.by[0]).toBe('Processes.dest');
    expect(plan!.aggregates).toEqual([
      { fn: 'count' },
      { fn: 'min', field: '_time', as: 'firstTime' },
      { fn: 'max', field: '_time', as: 'lastTime' },
    ]);
    expect(plan!.options).toEqual({ allow_old_summaries: 'true', fillnull_value: 'null', summariesonly: 'false' });
    expect(plan!.eventKey('Processes.process_name')).toBe('process_name');
    expect(plan!.eventKey('_time')).toBe('_time');
    expect(plan!.eventKey('All_Changes.Account_Management.src_user')).toBe('src_user');
  });

  it('reports unknown where/by/aggregate fields at their spans, with a suggestion', () => {
    const typo = cmp('Processes.proces_name', '=', 'x');
    const cmd = tstats({
      where: and(typo, cmp('Processes.process', '=', '*')),
      by: ['Processes.dest', 'Processes.usr'],
      aggregates: [{ fn: 'values', field: 'Processes.proces' }],
    });
    const { plan, diagnostics } = planTstats(cmd, models);
    expect(plan).toBeDefined();
    expect(diagnostics.map((d) => d.rule)).toEqual(['datamodel-field', 'datamodel-field', 'datamodel-field']);
    const first = diagnostics[0]!;
    expect(first.severity).toBe('error');
    expect(first.start).toBe((typo as { fieldSpan: { start: number } }).fieldSpan.start);
    expect(first.message).toContain('Processes.proces_name');
    expect(first.message).toContain('did you mean Processes.process_name?');
    expect(diagnostics[1]!.start).toBe(cmd.by[1]!.span.start);
    expect(diagnostics[1]!.message).toMatch(/BY field Processes\.usr .*did you mean Processes\.user\?/);
  });

  it('field names are case-sensitive (§1.1): Processes.Process_Name is not a field', () => {
    const { diagnostics } = planTstats(tstats({ where: cmp('Processes.Process_Name', '=', 'x') }), models);
    expect(diagnostics).toHaveLength(1);
  });

  it('an unprefixed data-model field is reported with the spelling that works', () => {
    const { diagnostics } = planTstats(tstats({ where: cmp('process_name', '=', 'x') }), models);
    expect(diagnostics[0]!.message).toContain('Processes.process_name');
  });

  it('unknown data model / dataset: error at the datamodel span; ES models are a warning', () => {
    const a = planTstats(tstats({ model: 'Endpont', where: ngrokWhere() }), models);
    expect(a.plan).toBeUndefined();
    expect(a.diagnostics[0]).toMatchObject({ rule: 'datamodel-unknown', severity: 'error' });
    expect(a.diagnostics[0]!.message).toContain('did you mean Endpoint?');
    const b = planTstats(tstats({ dataset: ['Processs'] }), models);
    expect(b.diagnostics[0]!.message).toContain('did you mean Processes?');
    const c = planTstats(tstats({ model: 'Risk', dataset: ['All_Risk'], by: [] }), models);
    expect(c.diagnostics[0]).toMatchObject({ rule: 'datamodel-unknown', severity: 'warning' });
  });

  it('a model selected without dataset takes the root from the field prefix', () => {
    const { plan, diagnostics } = planTstats(
      tstats({
        model: 'Network_Traffic',
        dataset: [],
        where: cmp('All_Traffic.dest_port', '=', '3389'),
        by: ['All_Traffic.src'],
      }),
      models,
    );
    expect(diagnostics).toEqual([]);
    expect(plan!.dataset).toEqual(['All_Traffic']);
  });
});

describe('generateMatcherSource', () => {
  it('is deterministic and formatted: same input, same text; one leaf per line with its span', () => {
    const cmd = tstats({ where: ngrokWhere(), span: '1h' });
    const a = generateMatcherSource('ngrok', cmd, models);
    const b = generateMatcherSource('ngrok', cmd, models);
    expect(a.source).toBe(b.source);
    const src = a.source!;
    expect(src).toContain('import type { EndpointProcessesEvent } from "./cim/Endpoint.Processes.js";');
    expect(src).toContain('export type { EndpointProcessesEvent };');
    const types = generateDatasetTypesSource(models.dataset('Endpoint', ['Processes'])!);
    expect(types).toContain('export interface EndpointProcessesEvent {');
    expect(types).toContain('readonly process_name?: string | null;');
    expect(types).toContain('readonly process_hash?: string | readonly (string)[] | null;');
    expect(types).toContain('readonly _time?: number | null;');
    expect(src).toContain('export function match(event: EndpointProcessesEvent): boolean {');
    expect(src).toContain('export const fillnull: string | null = "null";');
    expect(src).toContain('export const span: string | null = "1h";');
    expect(src).toMatch(/eq\(event\.process_name, P0\) && \/\/ @spl \d+:\d+/);
    expect(src).toMatch(/inList\(event\.process, L0\) \/\/ @spl \d+:\d+/);
    expect(src).not.toMatch(/\t| +\n/);
  });

  it('the generated module type-checks (ngrok detection)', () => {
    const { source } = generateMatcherSource('ngrok', tstats({ where: ngrokWhere() }), models);
    const diags = typecheckMatchers([{ id: 'ngrok', source: source! }]);
    expect(diags.get('ngrok')).toEqual([]);
  });

  it('"typed": the type checker itself rejects a field the dataset does not have, at the SPL span', () => {
    const typo = cmp('Processes.proces_name', '=', 'ngrok.exe');
    const { source } = generateMatcherSource(
      'typo',
      tstats({ where: and(cmp('Processes.process', '=', '*x*'), typo) }),
      models,
    );
    expect(source).toContain('event.proces_name');
    const diags = typecheckMatchers([{ id: 'typo', source: source! }]).get('typo')!;
    expect(diags).toHaveLength(1);
    expect(diags[0]!.rule).toBe('matcher-typecheck');
    expect(diags[0]!.message).toContain("Property 'proces_name' does not exist on type 'EndpointProcessesEvent'");
    expect(diags[0]!.start).toBe(typo.span.start);
    expect(diags[0]!.end).toBe(typo.span.end);
  });

  it('odd field names are accessed with a quoted key, never pasted as code', () => {
    const { source } = generateMatcherSource('odd', tstats({ where: cmp('Processes.x;alert(1)//', '=', 'a') }), models);
    expect(source).toContain('event["x;alert(1)//"]');
    expect(source).not.toMatch(/^[^"]*alert/m);
  });
});

/** Values that would break out of a string, template, comment or script if pasted into code. */
const HOSTILE = [
  'a"b',
  "a'b",
  'back\\slash',
  'trailing\\',
  'new\nline',
  'cr\rlf',
  '*/ close comment',
  '/* open',
  '${injected}',
  '`tick`',
  '</script><script>alert(1)</script>',
  'line\u2028sep',
  'para\u2029sep',
  '"); process.exit(1); ("',
  '\\u0022',
  '\0nul',
];

describe('hostile literals cannot inject code', () => {
  it.each(HOSTILE)('value %j round-trips exactly through the generated module', async (value) => {
    const id = `hostile ${value}`;
    const where = and(
      cmp('Processes.process_name', '=', value, true),
      inList('Processes.process', [value, `*${value}*`]),
    );
    const cmd = tstats({ where, options: { fillnull_value: value }, span: value, by: ['Processes.dest'] });
    const { source } = generateMatcherSource(id, cmd, models);
    expect(typecheckMatchers([{ id, source: source! }]).get(id)).toEqual([]);
    // Load the module and read its exported constants back: they must be the exact strings.
    const js = transpileMatcher(source!);
    const exportsOf = new Function('exports', 'require', js);
    const exp: Record<string, unknown> = {};
    exportsOf(exp, () => ({ pattern: (s: string) => s, list: (l: string[]) => l }));
    expect(exp.id).toBe(id);
    expect(exp.fillnull).toBe(value);
    expect(exp.span).toBe(value);
    const { matchers, diagnostics } = await compileMatchers([{ id, tstats: cmd }], models, { typecheck: false });
    expect(diagnostics.get(id)).toEqual([]);
    const m = matchers.get(id)!;
    expect(m.match({ process_name: value, process: value })).toBe(true);
    expect(m.match({ process_name: 'no match', process: value })).toBe(false);
  });

  it('tsString escapes U+2028/2029 and angle brackets', () => {
    expect(tsString('a\u2028b</script>')).toBe('"a\\u2028b\\u003c/script\\u003e"');
  });
});

describe('compileMatchers', () => {
  it('compiles the ngrok detection to a working matcher (splunk-semantics.md §1.11 worked cases)', async () => {
    const { matchers, diagnostics } = await compileMatchers(
      [{ id: 'ngrok', tstats: tstats({ where: ngrokWhere() }) }],
      models,
    );
    expect(diagnostics.get('ngrok')).toEqual([]);
    const m = matchers.get('ngrok')!;
    expect(m.plan.dataset).toEqual(['Processes']);
    expect(m.match({ process_name: 'NGROK.EXE', process: 'ngrok.exe START --all' })).toBe(true);
    expect(m.match({ process_name: 'ngrok.exe', process: 'ngrok.exe https://x' })).toBe(true);
    expect(m.match({ process_name: 'C:\\x\\ngrok.exe', process: 'ngrok.exe start' })).toBe(false);
    expect(m.match({ process_name: 'ngrok.exe', process: 'unknown' })).toBe(false);
    expect(m.match({ process_name: 'ngrok.exe' })).toBe(false);
  });

  it('precedence comes from the AST; NOT vs != on missing fields; multivalue', async () => {
    // a (b OR c) NOT d  with  Processes.action!=blocked
    const where = and(
      cmp('Processes.process_name', '=', 'cmd.exe'),
      or(cmp('Processes.process', '=', '*/c*'), cmp('Processes.process', '=', '*/k*')),
      not(cmp('Processes.user', '=', 'SYSTEM')),
    );
    const ne = cmp('Processes.action', '!=', 'blocked');
    const { matchers } = await compileMatchers(
      [
        { id: 'p', tstats: tstats({ where }) },
        { id: 'ne', tstats: tstats({ where: ne }) },
        { id: 'mv', tstats: tstats({ where: cmp('Processes.process_hash', '=', 'MD5=ABC*') }) },
      ],
      models,
    );
    const p = matchers.get('p')!;
    expect(p.match({ process_name: 'CMD.exe', process: 'cmd /K x' })).toBe(true);
    expect(p.match({ process_name: 'cmd.exe', process: 'cmd /c x', user: 'system' })).toBe(false);
    expect(p.match({ process_name: 'cmd.exe', process: 'cmd x' })).toBe(false);
    const n = matchers.get('ne')!;
    expect(n.match({})).toBe(false);
    expect(n.match({ action: 'allowed' })).toBe(true);
    expect(n.match({ action: 'Blocked' })).toBe(false);
    const mv = matchers.get('mv')!;
    expect(mv.match({ process_hash: ['SHA1=00', 'md5=abcdef'] })).toBe(true);
    expect(mv.match({ process_hash: ['SHA1=00'] })).toBe(false);
  });

  it('an unsupported bare term or a field error gives diagnostics and no matcher; `*` alone matches all', async () => {
    const { matchers, diagnostics } = await compileMatchers(
      [
        { id: 'term', tstats: tstats({ where: and(term('powershell'), cmp('Processes.process', '=', 'x')) }) },
        { id: 'star', tstats: tstats({ where: and(term('*'), cmp('Processes.process', '=', 'x')) }) },
        { id: 'typo', tstats: tstats({ where: cmp('Processes.proces', '=', 'x') }) },
      ],
      models,
    );
    expect(matchers.has('term')).toBe(false);
    expect(diagnostics.get('term')![0]!.rule).toBe('matcher-unsupported');
    expect(matchers.get('star')!.match({ process: 'X' })).toBe(true);
    expect(matchers.has('typo')).toBe(false);
    // the friendly field error only, not the type checker's duplicate
    expect(diagnostics.get('typo')!.map((d) => d.rule)).toEqual(['datamodel-field']);
  });

  const cacheDir = mkdtempSync(join(tmpdir(), 'dac-matchers-cache-'));
  afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

  it('content-hash cache: unchanged detections are neither regenerated nor re-checked (memory and disk)', async () => {
    clearMatcherCaches();
    const inputs = [
      { id: 'a', tstats: tstats({ where: ngrokWhere() }) },
      { id: 'b', tstats: tstats({ where: cmp('Processes.process', '=', '*x*') }) },
    ];
    const first = await compileMatchers(inputs, models, { cacheDir });
    expect(first.stats).toMatchObject({ generated: 2, typechecked: 2 });
    expect(readdirSync(join(cacheDir, 'build'))).toHaveLength(2);
    const second = await compileMatchers(inputs, models, { cacheDir });
    expect(second.stats).toMatchObject({ generated: 0, generatedFromCache: 2, typechecked: 0, compiledFromCache: 2 });
    clearMatcherCaches();
    const fromDisk = await compileMatchers(
      [...inputs, { id: 'c', tstats: tstats({ where: cmp('Processes.process', '=', '*y*') }) }],
      models,
      { cacheDir },
    );
    expect(fromDisk.stats).toMatchObject({ generated: 1, generatedFromCache: 2, typechecked: 1, compiledFromCache: 2 });
    expect(fromDisk.matchers.get('c')!.match({ process: 'aYb' })).toBe(true);
    expect(fromDisk.matchers.get('a')!.source).toBe(first.matchers.get('a')!.source);
  });

  it('nodename=Root.Child compiles to the child dataset constraints (CIM: Failed_Authentication is action="failure")', async () => {
    const where = (node: string) => and(cmp('nodename', '=', node), cmp('Authentication.user', '=', '*'));
    const { matchers, diagnostics } = await compileMatchers(
      [
        {
          id: 'failed',
          tstats: tstats({
            model: 'Authentication',
            dataset: [],
            where: where('Authentication.Failed_Authentication'),
            by: ['Authentication.user'],
          }),
        },
        {
          id: 'self',
          tstats: tstats({
            model: 'Authentication',
            dataset: ['Authentication'],
            where: where('Authentication'),
            by: ['Authentication.user'],
          }),
        },
        {
          id: 'nested',
          tstats: tstats({
            model: 'Authentication',
            dataset: ['Authentication'],
            where: where('Authentication.Privileged_Authentication.Failed_Privileged_Authentication'),
            by: [],
          }),
        },
        {
          id: 'bad',
          tstats: tstats({ model: 'Authentication', dataset: [], where: where('Authentication.Nope'), by: [] }),
        },
      ],
      models,
    );
    expect(diagnostics.get('failed')).toEqual([]);
    const failed = matchers.get('failed')!;
    expect(failed.match({ action: 'failure', user: 'bob' })).toBe(true);
    expect(failed.match({ action: 'success', user: 'bob' })).toBe(false);
    expect(matchers.get('self')!.match({ action: 'success', user: 'bob' })).toBe(true);
    const nested = matchers.get('nested')!;
    expect(nested.match({ tag: ['authentication', 'privileged'], action: 'FAILURE', user: 'x' })).toBe(true);
    expect(nested.match({ tag: ['authentication'], action: 'failure', user: 'x' })).toBe(false);
    expect(matchers.has('bad')).toBe(false);
    expect(diagnostics.get('bad')![0]!.rule).toBe('datamodel-unknown');
  });

  it('loadMatcherModule exposes nothing but the runtime to generated code', () => {
    expect(() => loadMatcherModule('require("node:fs")')).toThrow(/only \.\/runtime\.js/);
  });
});
