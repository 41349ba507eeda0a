/**
 * The compiled search predicate (comparisons sorted into exact/prefix/suffix/contains tests, an
 * OR's terms on one field merged into one test, values folded through a per-key memo) against a
 * plain evaluation that lower-cases both sides at every comparison and matches every pattern
 * with @dac/spl's general `wildcardMatch`.
 */
import { type CompareOp, type Literal, type SearchExpr, wildcardMatch } from '@dac/spl';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileSearch, patternsTest, subsearchExpr } from './search-expr.js';
import type { Row, Scalar, Value } from './types.js';
import { text } from './values.js';

const span = { start: 0, end: 0 };

/** Characters whose folding matters: `K` (Kelvin sign) folds to `k`, `İ` to two code units. */
const char = fc.constantFrom('a', 'A', 'b', 'B', '.', 'k', 'K', '\u212A', 'İ', 'i', ' ');
const patternText = fc
  .array(fc.oneof({ weight: 3, arbitrary: char }, { weight: 1, arbitrary: fc.constant('*') }), { maxLength: 7 })
  .map((cs) => cs.join(''));
const literal: fc.Arbitrary<Literal> = fc
  .tuple(patternText, fc.boolean())
  .map(([value, caseSensitive]) => ({ value, quoted: true, span, ...(caseSensitive ? { caseSensitive } : {}) }));

const scalar: fc.Arbitrary<Scalar> = fc.oneof(
  { weight: 4, arbitrary: fc.array(char, { maxLength: 7 }).map((cs) => cs.join('')) },
  { weight: 1, arbitrary: fc.constantFrom(0, 1, 10, 0.5, -3, 1e21) },
);
const value: fc.Arbitrary<Value> = fc.oneof(
  { weight: 3, arbitrary: scalar },
  { weight: 1, arbitrary: fc.array(scalar, { minLength: 2, maxLength: 3 }) },
);
const row: fc.Arbitrary<Row> = fc.record({ f: value, g: value }, { requiredKeys: [] });

/** Written fields: `Processes.f` and `f` are one row key (as tstats maps data-set fields). */
const field = fc.constantFrom('f', 'Processes.f', 'g', 'missing', 'constructor');
const fieldKey = (f: string): string => f.replace(/^Processes\./, '');

const leaf: fc.Arbitrary<SearchExpr> = fc.oneof(
  fc
    .tuple(field, fc.constantFrom<CompareOp>('=', '=', '!='), literal)
    .map(([f, op, value]) => ({ kind: 'compare' as const, field: f, fieldSpan: span, op, value, span })),
  fc
    .tuple(field, fc.array(literal, { maxLength: 4 }))
    .map(([f, values]) => ({ kind: 'in' as const, field: f, fieldSpan: span, values, span })),
);
const expr: fc.Arbitrary<SearchExpr> = fc.letrec<{ e: SearchExpr }>((tie) => ({
  e: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 3, arbitrary: leaf },
    { weight: 2, arbitrary: fc.array(tie('e'), { maxLength: 8 }).map((args) => ({ kind: 'or' as const, args, span })) },
    {
      weight: 1,
      arbitrary: fc.array(tie('e'), { maxLength: 3 }).map((args) => ({ kind: 'and' as const, args, span })),
    },
    { weight: 1, arbitrary: tie('e').map((arg) => ({ kind: 'not' as const, arg, span })) },
  ),
})).e;

function plainValues(r: Row, written: string): readonly Scalar[] {
  const k = fieldKey(written);
  const v = Object.hasOwn(r, k) ? r[k] : undefined;
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

function plainMatch(s: Scalar, l: Literal): boolean {
  const t = text(s);
  return l.caseSensitive ? wildcardMatch(t, l.value) : wildcardMatch(t.toLowerCase(), l.value.toLowerCase());
}

/** splunk-semantics.md §1: `=` any value matches, `!=` some value differs, a missing field neither. */
function plainEvaluate(e: SearchExpr, r: Row): boolean {
  switch (e.kind) {
    case 'and':
      return e.args.every((a) => plainEvaluate(a, r));
    case 'or':
      return e.args.some((a) => plainEvaluate(a, r));
    case 'not':
      return !plainEvaluate(e.arg, r);
    case 'compare': {
      const vs = plainValues(r, e.field);
      return e.op === '=' ? vs.some((s) => plainMatch(s, e.value)) : vs.some((s) => !plainMatch(s, e.value));
    }
    case 'in':
      return plainValues(r, e.field).some((s) => e.values.some((l) => plainMatch(s, l)));
    default:
      throw new Error(`not generated: ${e.kind}`);
  }
}

describe('compiled search predicate', () => {
  it('equals the plain general-glob evaluation on arbitrary patterns and values', () => {
    fc.assert(
      fc.property(
        fc.array(expr, { minLength: 1, maxLength: 3 }),
        fc.array(row, { minLength: 1, maxLength: 6 }),
        (es, rs) => {
          // Several predicates over a run of rows, interleaved as the scan runs them: the fold memo
          // is shared by all compiled searches and must follow each new value.
          const ps = es.map((e) => compileSearch(e, { fieldKey }));
          for (const r of rs) for (let i = 0; i < es.length; i++) expect(ps[i]!(r)).toBe(plainEvaluate(es[i]!, r));
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('sorts patterns by shape without changing what they match', () => {
    const text = fc.array(char, { maxLength: 8 }).map((cs) => cs.join(''));
    fc.assert(
      fc.property(fc.array(patternText, { maxLength: 12 }), fc.array(text, { maxLength: 8 }), (patterns, texts) => {
        const test = patternsTest(patterns);
        for (const t of texts) expect(test(t)).toBe(patterns.some((p) => wildcardMatch(t, p)));
      }),
      { numRuns: 3000 },
    );
  });

  it('an OR of suffix terms on one field matches a value ending in any of them, in any case', () => {
    const exts = ['exe', 'com', 'pif', 'bat', 'scr'];
    const e: SearchExpr = {
      kind: 'or',
      args: exts.map((x) => ({
        kind: 'compare',
        field: 'file_name',
        fieldSpan: span,
        op: '=',
        value: { value: `*.${x.toUpperCase()}`, quoted: false, span },
        span,
      })),
      span,
    };
    const p = compileSearch(e);
    expect(p({ file_name: 'Setup.Exe' })).toBe(true);
    expect(p({ file_name: ['a.txt', 'b.PIF'] })).toBe(true);
    expect(p({ file_name: 'a.exe.txt' })).toBe(false);
    expect(p({})).toBe(false);
  });

  it('with subsearches: the compile kept for the same results equals a fresh one, and asks each subsearch once', () => {
    // Leaves that are subsearches (numbered), each standing for one of the generated results.
    const sub = (n: number): SearchExpr =>
      ({ kind: 'subsearch', pipeline: { commands: [], span }, span, n }) as unknown as SearchExpr;
    const withSubs: fc.Arbitrary<SearchExpr> = fc
      .tuple(
        fc.array(fc.oneof(expr, fc.integer({ min: 0, max: 2 }).map(sub)), { minLength: 1, maxLength: 4 }),
        fc.boolean(),
      )
      .map(([args, and]) => ({ kind: and ? ('and' as const) : ('or' as const), args, span }));
    const substituted = (e: SearchExpr, results: readonly SearchExpr[]): SearchExpr => {
      if (e.kind === 'subsearch') return results[(e as unknown as { n: number }).n]!;
      if (e.kind === 'and' || e.kind === 'or') return { ...e, args: e.args.map((a) => substituted(a, results)) };
      if (e.kind === 'not') return { ...e, arg: substituted(e.arg, results) };
      return e;
    };
    fc.assert(
      fc.property(
        withSubs,
        fc.array(expr, { minLength: 3, maxLength: 3 }),
        fc.array(expr, { minLength: 3, maxLength: 3 }),
        fc.array(row, { minLength: 1, maxLength: 5 }),
        (e, first, second, rs) => {
          // Runs: the same results twice (the second reuses the compile), then other results.
          for (const results of [first, first, second, first]) {
            const asked: number[] = [];
            const p = compileSearch(e, {
              fieldKey,
              subsearch: (node) => {
                const n = (node as unknown as { n: number }).n;
                asked.push(n);
                return results[n]!;
              },
            });
            const plain = substituted(e, results);
            for (const r of rs) expect(p(r)).toBe(plainEvaluate(plain, r));
            const inText: number[] = [];
            const walk = (x: SearchExpr): void => {
              if (x.kind === 'subsearch') inText.push((x as unknown as { n: number }).n);
              else if (x.kind === 'and' || x.kind === 'or') x.args.forEach(walk);
              else if (x.kind === 'not') walk(x.arg);
            };
            walk(e);
            expect(asked).toEqual(inText);
          }
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('subsearchExpr: the same result rows give the same expression object, equal to a fresh parse', () => {
    const rows: Row[] = [{ a: '1', b: ['x', 'y'] }, { a: '2' }];
    const once = subsearchExpr(rows);
    expect(subsearchExpr(rows)).toBe(once);
    expect(subsearchExpr(rows.map((r) => ({ ...r })))).toEqual(once);
  });
});
