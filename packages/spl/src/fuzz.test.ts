/**
 * Property-based robustness (issue 3, item 6): arbitrary text and mutated real ESCU searches never
 * make the expander, parser or interpreter throw; every problem is a diagnostic with a valid
 * position, and every AST span lies inside the parsed text. Termination is bounded by design
 * (linear scanners, nesting limits), and exercised here with pathological inputs.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { MacroDefinition } from './macros.js';
import {
  builtinMacros,
  evaluateSearch,
  expandMacros,
  macroTableFrom,
  outputFields,
  parsePipeline,
  parseSearch,
  type ParsedSearch,
} from './index.js';
import sample from './fixtures/escu-sample.json' with { type: 'json' };

const RULES = new Set(['spl-syntax', 'spl-undefined-macro', 'spl-macro-cycle', 'spl-macro-args', 'spl-unsupported']);
const macros = new Map([...builtinMacros(), ...macroTableFrom(sample.macros as MacroDefinition[])]);
const filterOf = (name: string) => `${name.toLowerCase().replace(/[ \-./]/g, '_')}_filter`;

/** Collects every span that is not inside [0, limit] (plain JS: cheap on huge ASTs). */
function badSpans(node: unknown, limit: number, out: string[]): void {
  const stack: unknown[] = [node];
  while (stack.length && out.length < 5) {
    const n = stack.pop();
    if (n === null || typeof n !== 'object') continue;
    if (Array.isArray(n)) {
      for (const x of n) stack.push(x);
      continue;
    }
    for (const [k, v] of Object.entries(n as Record<string, unknown>)) {
      if (
        (k === 'span' || k === 'fieldSpan' || k === 'spanOfCommand' || k === 'textSpan') &&
        v &&
        typeof v === 'object' &&
        'start' in v
      ) {
        const s = v as { start: number; end: number };
        if (
          !(Number.isInteger(s.start) && Number.isInteger(s.end) && s.start >= 0 && s.start <= s.end && s.end <= limit)
        )
          out.push(`${k} ${s.start}-${s.end} of ${limit}`);
      } else stack.push(v);
    }
  }
}

function checkParsed(search: string, p: ParsedSearch): void {
  const problems: string[] = [];
  for (const d of p.diagnostics) {
    if (!RULES.has(d.rule) || !(d.severity === 'error' || d.severity === 'warning') || d.message.length === 0)
      problems.push(`bad diagnostic ${JSON.stringify(d)}`);
    if (!(d.start >= 0 && d.start <= d.end && d.end <= search.length))
      problems.push(`diagnostic ${d.start}-${d.end} of ${search.length}: ${d.message}`);
    if (problems.length > 5) break;
  }
  badSpans(p.pipeline, p.expanded.length, problems);
  for (let o = 0; o <= p.expanded.length; o += Math.max(1, p.expanded.length >> 4)) {
    const m = p.toOriginal(o);
    if (!(m >= 0 && m <= search.length)) problems.push(`toOriginal(${o}) = ${m}`);
  }
  outputFields(p.pipeline);
  for (const c of p.pipeline.commands) {
    const e = c.kind === 'search' ? c.expr : c.kind === 'tstats' ? c.where : undefined;
    if (e) evaluateSearch(e, { process_name: 'ngrok.exe', _raw: 'x', Processes: ['a'] });
  }
  expect(problems, JSON.stringify(search.slice(0, 300))).toEqual([]);
}

/** SPL-flavoured alphabet so that random strings reach deep into the grammar. */
const splToken = fc.constantFrom(
  '|',
  '[',
  ']',
  '(',
  ')',
  '"',
  '\\',
  '`',
  '```',
  ',',
  '=',
  '!=',
  '<',
  '>=',
  ' ',
  '\n',
  '*',
  '$',
  "'",
  'NOT',
  'OR',
  'AND',
  'IN',
  'by',
  'as',
  'where',
  'from',
  'datamodel=',
  'tstats',
  'search',
  'eval',
  'stats',
  'foreach',
  'count',
  'x',
  'Processes.process_name',
  '"*a*"',
  '`sysmon`',
  '`security_content_ctime(firstTime)`',
  '`drop_dm_object_name(Processes)`',
  '`comment("',
  'span=1h',
  'summariesonly=t',
  'if(',
  'like(',
  '1.5',
  'CASE(',
  'TERM(',
);
const splText = fc.array(splToken, { maxLength: 60 }).map((a) => a.join(''));

describe('fuzz: the front end never throws and positions are valid', () => {
  it('arbitrary unicode strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme-composite', maxLength: 200 }), (s) => {
        checkParsed(s, parseSearch(s, macros));
      }),
      { numRuns: 1000 },
    );
  });

  it('SPL-flavoured token soup', () => {
    fc.assert(
      fc.property(splText, (s) => {
        checkParsed(s, parseSearch(s, macros, { filterMacro: 'x_filter' }));
      }),
      { numRuns: 1500 },
    );
  });

  it('mutated real ESCU searches (delete, insert, duplicate, truncate)', () => {
    const searches = sample.searches.map((s) => s.search);
    const mutation = fc.record({
      which: fc.nat({ max: searches.length - 1 }),
      kind: fc.constantFrom('delete', 'insert', 'duplicate', 'truncate'),
      at: fc.double({ min: 0, max: 1, noNaN: true }),
      len: fc.nat({ max: 40 }),
      insert: splText,
    });
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (ms) => {
        let s = searches[ms[0].which];
        for (const mu of ms) {
          const at = Math.floor(mu.at * s.length);
          if (mu.kind === 'delete') s = s.slice(0, at) + s.slice(at + mu.len);
          else if (mu.kind === 'insert') s = s.slice(0, at) + mu.insert + s.slice(at);
          else if (mu.kind === 'duplicate')
            s = s.slice(0, at + mu.len) + s.slice(at, at + mu.len) + s.slice(at + mu.len);
          else s = s.slice(0, at);
        }
        checkParsed(s, parseSearch(s, macros, { filterMacro: filterOf(sample.searches[ms[0].which].name) }));
      }),
      { numRuns: 600 },
    );
  });

  it('source map: copied characters map back to the same character; produced ones to a macro call', () => {
    const t = macroTableFrom([
      { name: 'm', args: [], definition: 'x=1 OR y=2' },
      { name: 'n', args: ['a'], definition: '($a$ `m`)' },
    ]);
    const piece = fc.constantFrom(
      '`m`',
      '`n(q)`',
      '`n("a, b")`',
      'abc ',
      '"`m`" ',
      '``` c ``` ',
      ' | ',
      '(',
      ')',
      'z=9 ',
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), (ps) => {
        const search = ps.join('');
        const e = expandMacros(search, t);
        for (let o = 0; o < e.text.length; o++) {
          const k = e.toOriginal(o);
          expect(k >= 0 && k <= search.length).toBe(true);
          if (search[k] !== e.text[o]) expect(search[k], `offset ${o} of ${JSON.stringify(e.text)}`).toBe('`');
        }
      }),
      { numRuns: 300 },
    );
  });

  it('pathological nesting and repetition stay bounded (no stack overflow, no hang)', () => {
    const n = 20_000;
    for (const s of [
      '('.repeat(n),
      `${'('.repeat(n)}a${')'.repeat(n)}`,
      `${'NOT '.repeat(n)}a`,
      '['.repeat(n),
      `${'[search '.repeat(2000)}a${']'.repeat(2000)}`,
      `${'| eval x=[| eval y='.repeat(3000)}1${']'.repeat(3000)}`,
      `${'| where x IN ['.repeat(3000)}${']'.repeat(3000)}`,
      `${'| where x=['.repeat(3000)}${']'.repeat(3000)}`,
      `${'| eval x=['.repeat(3000)}${']'.repeat(3000)}`,
      `${'| join k ['.repeat(3000)}${']'.repeat(3000)}`,
      `${'| foreach * [eval a=['.repeat(3000)}${']]'.repeat(3000)}`,
      `| eval x=${'('.repeat(n)}1`,
      `| eval x=${'-'.repeat(n)}1`,
      `| where ${'NOT '.repeat(n)}a`,
      '"'.repeat(n),
      '`'.repeat(n),
      '\\'.repeat(n),
      'a OR '.repeat(n),
      `x IN (${'a,'.repeat(n)})`,
      `| tstats count where ${'a=1 OR '.repeat(n)}b=2 by x`,
      '|'.repeat(n),
    ]) {
      const p = parseSearch(s, macros);
      checkParsed(s, p);
    }
  });
});

describe('the real ESCU sample (fixtures/escu-sample.json)', () => {
  it.each(sample.searches.map((s) => [s.file, s] as const))('%s parses without errors', (_file, s) => {
    const p = parseSearch(s.search, macros, { filterMacro: filterOf(s.name) });
    expect(p.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    checkParsed(s.search, p);
  });

  it('every sample parses identically twice (deterministic)', () => {
    for (const s of sample.searches) {
      const a = JSON.stringify(parsePipeline(s.search));
      expect(JSON.stringify(parsePipeline(s.search))).toBe(a);
    }
  });
});

describe('foreach template tokens (property)', () => {
  // Splunk substitutes <<FIELD>>, <<MATCHSTR>>, … in the foreach subcommand before it runs
  // (Search Reference, foreach), so the template parses exactly when a substituted copy does.
  const TOKENS = ['<<FIELD>>', '<<MATCHSTR>>', '<<MATCHSEG1>>', '<<ITEM>>', '<<ITER>>'];
  const part = fc.oneof(
    fc.constantFrom(...TOKENS),
    fc.constantFrom('x', 'avg_', '_count', '1', ' ', '+', '*', '(', ')', ',', '"s"', "'", '=', 'if(', 'isnull(', '.'),
  );
  const template = fc.array(part, { minLength: 1, maxLength: 12 }).map((xs) => xs.join(''));

  it('a template parses without syntax errors iff its copy with the tokens replaced by a field name does', () => {
    fc.assert(
      fc.property(template, template, (target, expr) => {
        const errors = (s: string) => parsePipeline(s).diagnostics.filter((d) => d.severity === 'error').length > 0;
        const withTokens = `index=x | foreach * [ eval ${target} = ${expr} ]`;
        let substituted = withTokens;
        for (const t of TOKENS) substituted = substituted.split(t).join('f');
        expect(errors(withTokens)).toBe(errors(substituted));
      }),
      { numRuns: 1000 },
    );
  });
});
