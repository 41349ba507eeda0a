import { compareCodePoints } from '@dac/spl';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type AggSpec, Grouping, parseAggregate } from './aggregate.js';
import type { Row, Scalar } from './types.js';
import { compareLex, sortLex, text } from './values.js';

// Characters on both sides of the places where UTF-16 code unit order and code point order part:
// surrogates (pairs and lone ones) against BMP characters at or above U+E000.
const unit = fc.constantFrom('a', 'B', '0', ' ', 'é', '\uE000', '\uFFFF', '\uD83D\uDE00', '\uD800', '\uDFFF', '\u00A0');
const str = fc.string({ unit, maxLength: 4 });

describe('sortLex: code point order (compareCodePoints) over any texts', () => {
  it('sorts as a comparison by code points does', () => {
    fc.assert(
      fc.property(fc.array(str, { maxLength: 12 }), (texts) => {
        expect(sortLex([...texts])).toEqual([...texts].sort(compareCodePoints));
      }),
      { numRuns: 500 },
    );
  });
});

describe('Grouping: the groups and aggregates of a plain per-group computation', () => {
  const span = { start: 0, end: 0 };
  const agg = (written: string, name: string): AggSpec => {
    const p = parseAggregate({ value: written, quoted: false, span });
    if (!p.ok) throw new Error(p.message);
    return { ...p.spec, name };
  };
  // Written names are data-set style (`P.x`): the rows' keys come from fieldKey.
  const aggs = (): AggSpec[] => [
    agg('count', 'count'),
    agg('count(P.x)', 'cx'),
    agg('values(P.x)', 'vx'),
    agg('max(P.n)', 'mn'),
    agg('values(eval(x . "!"))', 've'),
  ];
  const fieldKey = (f: string) => f.slice(f.lastIndexOf('.') + 1);
  const value: fc.Arbitrary<Scalar> = fc.oneof(str, fc.integer({ min: -3, max: 20 }));
  const row: fc.Arbitrary<Row> = fc.record(
    { a: value, b: value, x: value, n: fc.integer({ min: 0, max: 9 }) },
    { requiredKeys: [] },
  );

  /** The expected rows: groups by (a, b) texts in code point order; every aggregate computed over the group's rows. */
  function plain(rows: readonly Row[]): Row[] {
    const groups = new Map<string, { by: Scalar[]; rows: Row[] }>();
    for (const r of rows) {
      if (r.a === undefined || r.b === undefined) continue;
      const k = JSON.stringify([text(r.a as Scalar), text(r.b as Scalar)]);
      let g = groups.get(k);
      if (!g) groups.set(k, (g = { by: [r.a as Scalar, r.b as Scalar], rows: [] }));
      g.rows.push(r);
    }
    const sorted = [...groups.values()].sort(
      (x, y) => compareLex(x.by[0]!, y.by[0]!) || compareLex(x.by[1]!, y.by[1]!),
    );
    return sorted.map((g) => {
      const out: Row = { a: g.by[0]!, b: g.by[1]! };
      const xs = g.rows.filter((r) => r.x !== undefined).map((r) => text(r.x as Scalar));
      out.count = g.rows.length;
      out.cx = xs.length;
      const distinct = [...new Set(xs)].sort(compareCodePoints);
      if (distinct.length > 0) out.vx = distinct.length === 1 ? distinct[0]! : distinct;
      const ns = g.rows.filter((r) => r.n !== undefined).map((r) => r.n as number);
      if (ns.length > 0) out.mn = Math.max(...ns);
      const ve = [...new Set(xs.map((x) => `${x}!`))].sort(compareCodePoints);
      if (ve.length > 0) out.ve = ve.length === 1 ? ve[0]! : ve;
      return out;
    });
  }

  it('by two fields with fieldKey', () => {
    fc.assert(
      fc.property(fc.array(row, { maxLength: 16 }), (rows) => {
        const g = new Grouping(aggs(), { byNames: ['a', 'b'], fieldKey });
        for (const r of rows) g.add(r);
        expect(g.rows()).toEqual(plain(rows));
      }),
      { numRuns: 300 },
    );
  });
});
