/**
 * Differential property test (issue 3 item 5): random where-clauses × random events — the
 * generated, transpiled matcher and @dac/spl's reference interpreter `evaluateSearch` must agree.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadDataModels } from '@dac/cim';
import { evaluateSearch, type CompareOp, type Literal, type SearchExpr } from '@dac/spl';
import { loadMatcherModule, transpileMatcher, typecheckMatchers } from './compile.js';
import { generateMatcherSource } from './generate.js';
import { eventKeyOf } from '@dac/cim';
import type { CimEvent } from './types.js';
import { tstats } from './test-support.js';

const models = loadDataModels();
const SPAN = { start: 0, end: 1 };

/** A few Processes fields: strings, a number field, a multivalue field, a field often missing. */
const FIELDS = ['process_name', 'process', 'user', 'process_id', 'process_hash', 'action'] as const;

// Small alphabets so that random values and patterns actually collide: case variants, `*`,
// digits (numeric comparisons), a backslash, a dot and a space.
const valueChar = fc.constantFrom('a', 'A', 'b', 'B', '1', '2', '0', '.', '\\', ' ', '-', 'é', 'É');
const patternChar = fc.constantFrom('a', 'A', 'b', 'B', '1', '2', '0', '.', '\\', ' ', '-', 'é', 'É', '*', '*');
const value = fc.oneof(fc.string({ unit: valueChar, maxLength: 6 }), fc.integer({ min: -20, max: 200 }).map(String));
const patternText = fc.oneof(
  fc.string({ unit: patternChar, maxLength: 6 }),
  fc.integer({ min: -20, max: 200 }).map(String),
  fc.constant('*'),
);

const literal: fc.Arbitrary<Literal> = fc
  .record({ value: patternText, quoted: fc.boolean(), caseSensitive: fc.oneof(fc.constant(undefined), fc.boolean()) })
  .map(({ value: v, quoted, caseSensitive }) =>
    caseSensitive === undefined ? { value: v, quoted, span: SPAN } : { value: v, quoted, caseSensitive, span: SPAN },
  );

const fieldName = fc.constantFrom(...FIELDS).map((f) => `Processes.${f}`);
const op = fc.constantFrom<CompareOp>('=', '=', '!=', '<', '<=', '>', '>=');

const leaf: fc.Arbitrary<SearchExpr> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({ field: fieldName, op, value: literal }).map(({ field, op: o, value: v }) => ({
      kind: 'compare' as const,
      field,
      fieldSpan: SPAN,
      op: o,
      value: v,
      span: SPAN,
    })),
  },
  {
    weight: 2,
    arbitrary: fc
      .record({ field: fieldName, values: fc.array(literal, { minLength: 1, maxLength: 4 }) })
      .map(({ field, values }) => ({ kind: 'in' as const, field, fieldSpan: SPAN, values, span: SPAN })),
  },
  {
    weight: 1,
    arbitrary: fc.constant<SearchExpr>({ kind: 'term', value: { value: '*', quoted: false, span: SPAN }, span: SPAN }),
  },
);

const { expr } = fc.letrec<{ expr: SearchExpr }>((tie) => ({
  expr: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.array(tie('expr'), { minLength: 1, maxLength: 4 }).map((args) => ({ kind: 'and' as const, args, span: SPAN })),
    fc.array(tie('expr'), { minLength: 1, maxLength: 4 }).map((args) => ({ kind: 'or' as const, args, span: SPAN })),
    tie('expr').map((arg) => ({ kind: 'not' as const, arg, span: SPAN })),
  ),
}));

const fieldValue = fc.oneof(
  { weight: 4, arbitrary: value },
  { weight: 1, arbitrary: fc.integer({ min: -20, max: 200 }) },
  { weight: 2, arbitrary: fc.array(value, { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.constant(null) },
);
const event: fc.Arbitrary<CimEvent> = fc.dictionary(fc.constantFrom(...FIELDS), fieldValue, {
  maxKeys: FIELDS.length,
}) as fc.Arbitrary<CimEvent>;

function compile(where: SearchExpr): (e: CimEvent) => boolean {
  const { source, diagnostics } = generateMatcherSource('diff', tstats({ where }), models);
  expect(diagnostics).toEqual([]);
  return loadMatcherModule(transpileMatcher(source!)).match;
}

describe('generated matcher ≡ evaluateSearch (@dac/spl reference interpreter)', () => {
  it('agree on random where-clauses and random events', () => {
    fc.assert(
      fc.property(expr, fc.array(event, { minLength: 1, maxLength: 25 }), (where, events) => {
        const match = compile(where);
        for (const e of events) {
          const expected = evaluateSearch(
            where,
            e as Record<string, string | number | string[] | null | undefined>,
            eventKeyOf,
          );
          if (match(e) !== expected) {
            throw new Error(`disagree on ${JSON.stringify(e)}: matcher ${!expected}, interpreter ${expected}`);
          }
        }
      }),
      { numRuns: 400 },
    );
  });

  it('every random where-clause generates a module that type-checks (one program for all)', () => {
    const sources = fc
      .sample(expr, { numRuns: 120, seed: 42 })
      .map((where, i) => ({ id: `r${i}`, source: generateMatcherSource(`r${i}`, tstats({ where }), models).source! }));
    const diags = typecheckMatchers(sources);
    for (const [id, d] of diags) expect(d, id).toEqual([]);
  });
});
