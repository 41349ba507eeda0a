/**
 * Property tests of the search language: random expressions printed with minimal parentheses
 * (relying on Splunk's NOT > OR > AND precedence, splunk-semantics.md §1.5) parse back to the same
 * structure and evaluate identically on random events; the glob matcher agrees with a RegExp
 * model of `*` (§1.2).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Literal, SearchExpr } from './ast.js';
import { parsePipeline } from './parser.js';
import { formatSearchExpr } from './printer.js';
import { evaluateSearch, type FieldValue, wildcardMatch } from './semantics.js';

const S = { start: 0, end: 0 };
const FIELDS = ['a', 'B', 'Processes.process_name', 'odd field', 'IN'];
const valueText = fc.stringMatching(/^[aAb*\\" .-]{0,6}$/);
const lit = valueText.map((value): Literal => ({ value, quoted: true, span: S }));

const exprArb: fc.Arbitrary<SearchExpr> = fc.letrec<{ e: SearchExpr }>((tie) => ({
  e: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc
      .record({ field: fc.constantFrom(...FIELDS), op: fc.constantFrom('=', '!=', '<', '>=' as const), value: lit })
      .map(
        (r): SearchExpr => ({
          kind: 'compare',
          field: r.field,
          fieldSpan: S,
          op: r.op as '=',
          value: r.value,
          span: S,
        }),
      ),
    fc
      .record({ field: fc.constantFrom(...FIELDS), values: fc.array(lit, { minLength: 1, maxLength: 3 }) })
      .map((r): SearchExpr => ({ kind: 'in', field: r.field, fieldSpan: S, values: r.values, span: S })),
    lit.map((value): SearchExpr => ({ kind: 'term', value, span: S })),
    tie('e').map((arg): SearchExpr => ({ kind: 'not', arg, span: S })),
    fc.array(tie('e'), { minLength: 2, maxLength: 3 }).map((args): SearchExpr => ({ kind: 'and', args, span: S })),
    fc.array(tie('e'), { minLength: 2, maxLength: 3 }).map((args): SearchExpr => ({ kind: 'or', args, span: S })),
  ),
})).e;

/** Flattens nested and/or, strips spans and the `quoted` flag: the shape that must survive. */
function norm(e: SearchExpr): unknown {
  switch (e.kind) {
    case 'and':
    case 'or': {
      const args: unknown[] = [];
      for (const a of e.args) {
        const n = norm(a) as { kind?: string; args?: unknown[] };
        if (n.kind === e.kind) args.push(...(n.args ?? []));
        else args.push(n);
      }
      return { kind: e.kind, args };
    }
    case 'not':
      return { kind: 'not', arg: norm(e.arg) };
    case 'compare':
      return { kind: 'compare', field: e.field, op: e.op, value: e.value.value };
    case 'in':
      return { kind: 'in', field: e.field, values: e.values.map((v) => v.value) };
    case 'term':
      return { kind: 'term', value: e.value.value };
    default:
      return { kind: e.kind };
  }
}

const fieldValue: fc.Arbitrary<FieldValue> = fc.oneof(
  valueText,
  fc.constant(undefined),
  fc.array(valueText, { maxLength: 3 }),
  fc.integer({ min: -5, max: 20 }),
);
const eventArb = fc.record(
  Object.fromEntries([...FIELDS, '_raw'].map((f) => [f, fieldValue])) as Record<string, fc.Arbitrary<FieldValue>>,
);

describe('search language round trip (§1.5 precedence)', () => {
  it('print → parse gives the same expression, and the same verdict on random events', () => {
    fc.assert(
      fc.property(exprArb, fc.array(eventArb, { minLength: 1, maxLength: 4 }), (e, events) => {
        const text = formatSearchExpr(e);
        const { pipeline, diagnostics } = parsePipeline(text);
        expect(diagnostics).toEqual([]);
        const c = pipeline.commands[0];
        if (c.kind !== 'search' || !c.expr) throw new Error(`no expression for ${text}`);
        expect(norm(c.expr)).toEqual(norm(e));
        for (const ev of events) expect(evaluateSearch(c.expr, ev)).toBe(evaluateSearch(e, ev));
      }),
      { numRuns: 700 },
    );
  });

  it('OR-before-AND is what makes minimal parentheses correct: `x y OR z` groups y with z', () => {
    const y: SearchExpr = {
      kind: 'compare',
      field: 'y',
      fieldSpan: S,
      op: '=',
      value: { value: '1', quoted: true, span: S },
      span: S,
    };
    const z: SearchExpr = { ...y, field: 'z' };
    const x: SearchExpr = { ...y, field: 'x' };
    expect(formatSearchExpr({ kind: 'and', args: [x, { kind: 'or', args: [y, z], span: S }], span: S })).toBe(
      'x="1" y="1" OR z="1"',
    );
    expect(formatSearchExpr({ kind: 'or', args: [x, { kind: 'and', args: [y, z], span: S }], span: S })).toBe(
      'x="1" OR (y="1" z="1")',
    );
  });
});

describe('glob matching (§1.2) agrees with a RegExp model', () => {
  it('wildcardMatch(v, p) ⇔ /^p$/ with * → any run', () => {
    const s = fc.stringMatching(/^[ab*]{0,8}$/);
    fc.assert(
      fc.property(
        s.map((x) => x.replace(/\*/g, '')),
        s,
        (v, p) => {
          const re = new RegExp(
            `^${p
              .split('*')
              .map((x) => x.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
              .join('[\\s\\S]*')}$`,
          );
          expect(wildcardMatch(v, p)).toBe(re.test(v));
        },
      ),
      { numRuns: 2000 },
    );
  });
});
