import { evaluateSearch, parsePipeline, type FieldValue, type SearchExpr } from '@dac/spl';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compilePartial, compileSearchExpr, partiallyEvaluate } from './search-compile.js';
import { SPLUNK_ADDONS } from './tables/index.js';

function parse(search: string): SearchExpr {
  const p = parsePipeline(search);
  const c = p.pipeline.commands[0];
  if (c?.kind !== 'search' || !c.expr) throw new Error(`not a search: ${search}`);
  return c.expr;
}

const FIELDS = [
  'EventCode',
  'source',
  'sourcetype',
  'eventtype',
  'tag',
  'Image',
  'ta_windows_action',
  'action',
  '_raw',
];
const VALUES = [
  '4624',
  '4688',
  '1',
  '13',
  'XmlWinEventLog:Security',
  'xmlwineventlog:security',
  'XmlWinEventLog:Microsoft-Windows-Sysmon/Operational',
  'xmlwineventlog',
  'WinEventLog:Security',
  'wineventlog_security',
  'process',
  'report',
  'C:\\Windows\\System32\\cmd.exe',
  'error',
  'failure',
  'Windows Update Agent',
  '',
];
const fieldValue: fc.Arbitrary<FieldValue> = fc.oneof(
  fc.constant(undefined),
  fc.constantFrom(...VALUES),
  fc.array(fc.constantFrom(...VALUES), { minLength: 1, maxLength: 3 }),
  fc.integer({ min: 0, max: 5000 }),
);
const event = fc.record(Object.fromEntries(FIELDS.map((f) => [f, fieldValue])), { requiredKeys: [] });

const literal = fc.constantFrom('4624', '4688', '*Security', 'xmlwineventlog', 'process', '*cmd.exe', 'failure', '13');
const atom: fc.Arbitrary<string> = fc.oneof(
  fc
    .tuple(fc.constantFrom(...FIELDS.slice(0, 8)), fc.constantFrom('=', '!='), literal)
    .map(([f, o, v]) => `${f}${o}"${v}"`),
  fc
    .tuple(fc.constantFrom(...FIELDS.slice(0, 8)), fc.array(literal, { minLength: 1, maxLength: 3 }))
    .map(([f, vs]) => `${f} IN (${vs.map((v) => `"${v}"`).join(',')})`),
  fc.constantFrom('"Windows Update Agent"', 'cmd', '*', 'earliest=-24h'),
);
const expr: fc.Arbitrary<string> = fc.letrec((tie) => ({
  e: fc.oneof(
    { depthSize: 'small' },
    atom,
    fc.tuple(tie('e') as fc.Arbitrary<string>, tie('e') as fc.Arbitrary<string>).map(([a, b]) => `(${a} OR ${b})`),
    fc.tuple(tie('e') as fc.Arbitrary<string>, tie('e') as fc.Arbitrary<string>).map(([a, b]) => `(${a} ${b})`),
    (tie('e') as fc.Arbitrary<string>).map((a) => `NOT (${a})`),
  ),
})).e;

describe('compiled search closures (differential against evaluateSearch)', () => {
  it('agree on generated expressions and events', () => {
    fc.assert(
      fc.property(expr, event, (text, ev) => {
        const e = parse(text);
        expect(compileSearchExpr(e)(ev)).toBe(evaluateSearch(e, ev));
      }),
      { numRuns: 600 },
    );
  });

  it('agree on ORs of bare terms (one scan of _raw for all of them) and any _raw', () => {
    const term = fc.constantFrom(
      'error',
      'fail',
      'failed',
      'FATAL',
      '"not an error"',
      'err*',
      'a.b',
      '"Windows Update"',
    );
    const text = fc
      .array(
        fc.constantFrom('error', 'Failed', 'fail', 'failure', ' ', '.', ':', 'a.b', 'not an error', 'x', 'Windows'),
        {
          maxLength: 6,
        },
      )
      .map((a) => a.join(''));
    const raw = fc.oneof(text, fc.array(text, { minLength: 1, maxLength: 2 }), fc.constant(undefined));
    fc.assert(
      fc.property(fc.array(term, { minLength: 2, maxLength: 5 }), raw, (terms, r) => {
        const e = parse(terms.join(' OR '));
        const ev = r === undefined ? {} : { _raw: r };
        expect(compileSearchExpr(e)(ev)).toBe(evaluateSearch(e, ev));
      }),
      { numRuns: 600 },
    );
  });

  it('partial evaluation over source/sourcetype/index never changes the result', () => {
    fc.assert(
      fc.property(
        expr,
        event,
        fc.constantFrom(...VALUES),
        fc.constantFrom(...VALUES),
        (text, ev, source, sourcetype) => {
          const e = parse(text);
          const known = { source, sourcetype, index: 'main' };
          const full = { ...ev, ...known };
          const p = compilePartial(partiallyEvaluate(e, known));
          expect(typeof p === 'boolean' ? p : p(full)).toBe(evaluateSearch(e, full));
        },
      ),
      { numRuns: 600 },
    );
  });

  it('agree on every eventtype search of the add-on tables', () => {
    for (const et of SPLUNK_ADDONS.eventtypes) {
      const e = parse(et.search);
      fc.assert(
        fc.property(event, (ev) => {
          expect({ et: et.name, r: compileSearchExpr(e)(ev) }).toEqual({ et: et.name, r: evaluateSearch(e, ev) });
        }),
        { numRuns: 40 },
      );
    }
  });

  it('OR binds tighter than implicit AND (splunk-semantics.md §1.5): wineventlog_windows', () => {
    const et = SPLUNK_ADDONS.eventtypes.find((x) => x.name === 'wineventlog_windows')!;
    const f = compileSearchExpr(parse(et.search));
    expect(f({ eventtype: 'wineventlog_security', EventCode: '4688' })).toBe(true);
    expect(f({ eventtype: 'wineventlog_security', EventCode: '4726' })).toBe(false);
    expect(f({ eventtype: 'wineventlog_system', EventCode: '7045' })).toBe(true);
  });

  it('source and sourcetype values match case-insensitively; a search on another source is decided at compile time', () => {
    const e = parse('source=XmlWinEventLog:Security (EventCode=4624 OR EventCode=4625)');
    expect(compilePartial(partiallyEvaluate(e, { source: 'XmlWinEventLog:System' }))).toBe(false);
    const left = compilePartial(partiallyEvaluate(e, { source: 'xmlwineventlog:security' }));
    expect(typeof left).toBe('function');
    expect((left as (ev: Record<string, FieldValue>) => boolean)({ EventCode: '4625' })).toBe(true);
  });
});
