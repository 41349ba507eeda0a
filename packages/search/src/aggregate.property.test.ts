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

/**
 * The flat group keys (one Map keyed by the by-value texts joined by KEY_SEPARATOR, "\0"), the
 * key sort, the keys shared between groupings of unchanged rows, and the class accumulators,
 * against a plain computation: groups keyed by JSON.stringify of their texts, multivalue
 * by-fields fanned out by hand, groups sorted field by field in code point order, every aggregate
 * computed from the group's rows. Texts with "\0", "\u0001" and surrogates reach the places
 * where the joined key could be ambiguous or sort differently.
 */
describe('Grouping: flat keys, shared keys and class accumulators against a plain computation', () => {
  const span = { start: 0, end: 0 };
  const agg = (written: string, name: string): AggSpec => {
    const p = parseAggregate({ value: written, quoted: false, span });
    if (!p.ok) throw new Error(p.message);
    return { ...p.spec, name };
  };
  const aggs = (): AggSpec[] => [
    agg('count', 'count'),
    agg('count(x)', 'cx'),
    agg('values(x)', 'vx'),
    agg('dc(x)', 'dx'),
    agg('min(x)', 'minx'),
    agg('max(x)', 'maxx'),
    agg('min(_time)', 'first'),
    agg('max(_time)', 'last'),
    agg('latest(x)', 'lx'),
    agg('earliest(x)', 'ex'),
    agg('first(x)', 'fx'),
    agg('last(x)', 'lastx'),
  ];
  const keyUnit = fc.constantFrom('a', 'B', '0', '\u0000', '\u0001', 'é', '\uE000', '\uD83D\uDE00', '\uD800');
  const keyText = fc.string({ unit: keyUnit, maxLength: 3 });
  const scalar: fc.Arbitrary<Scalar> = fc.oneof(keyText, fc.integer({ min: -2, max: 12 }), fc.constantFrom(0.5, 1e21));
  // By-values: absent, null, an empty list, one value, or a multivalue (with repeats).
  const byValue = fc.oneof(
    { weight: 6, arbitrary: scalar },
    { weight: 1, arbitrary: fc.constantFrom(null, [] as Scalar[]) },
    { weight: 2, arbitrary: fc.array(scalar, { minLength: 1, maxLength: 3 }) },
  );
  const row: fc.Arbitrary<Row> = fc.record(
    {
      a: byValue,
      b: byValue,
      c: byValue,
      x: fc.oneof(scalar, fc.array(scalar, { minLength: 2, maxLength: 3 })),
      _time: fc.integer({ min: 0, max: 20 }),
    },
    { requiredKeys: ['_time'] },
  ) as fc.Arbitrary<Row>;
  const byLists = fc.constantFrom(['a'], ['a', 'b'], ['b', 'a', 'c'], ['a', 'b', 'c']);

  const vals = (v: unknown): Scalar[] =>
    v === undefined || v === null ? [] : Array.isArray(v) ? (v as Scalar[]) : [v as Scalar];
  const num = (s: Scalar): number | undefined => {
    if (typeof s === 'number') return Number.isFinite(s) ? s : undefined;
    return /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/.test(s.trim()) ? Number(s.trim()) : undefined;
  };
  const extreme = (xs: Scalar[], max: boolean): Scalar | undefined => {
    const ns = xs.map(num).filter((n): n is number => n !== undefined);
    const ss = xs
      .filter((x) => num(x) === undefined)
      .map(text)
      .sort(compareCodePoints);
    if (max) return ss.length > 0 ? ss[ss.length - 1] : ns.length > 0 ? Math.max(...ns) : undefined;
    return ns.length > 0 ? Math.min(...ns) : ss[0];
  };

  /**
   * A row's by-value combinations, first field first; a multivalue field's values deduplicated by
   * text, each at its first position with its last value (`1` and `"1"` are one group).
   */
  function combinations(r: Row, by: readonly string[], fill?: string): Scalar[][] {
    let combos: Scalar[][] = [[]];
    for (const f of by) {
      const seen = new Map<string, Scalar>();
      for (const x of vals(r[f])) seen.set(text(x), x);
      const distinct = [...seen.values()];
      if (distinct.length === 0 && fill !== undefined) distinct.push(fill);
      combos = combos.flatMap((c) => distinct.map((x) => [...c, x]));
    }
    return combos;
  }

  function plain(rows: readonly Row[], by: readonly string[], fill?: string): Row[] {
    const groups = new Map<string, { by: Scalar[]; rows: Row[] }>();
    for (const r of rows) {
      for (const c of combinations(r, by, fill)) {
        const k = JSON.stringify(c.map(text));
        let g = groups.get(k);
        if (!g) groups.set(k, (g = { by: c, rows: [] }));
        g.rows.push(r);
      }
    }
    const sorted = [...groups.values()].sort((x, y) => {
      for (let i = 0; i < by.length; i++) {
        const c = compareCodePoints(text(x.by[i]!), text(y.by[i]!));
        if (c) return c;
      }
      return 0;
    });
    const list = (xs: Scalar[]) => (xs.length === 0 ? undefined : xs.length === 1 ? xs[0] : xs);
    return sorted.map((g) => {
      const out: Row = {};
      by.forEach((f, i) => {
        out[f] = g.by[i]!;
      });
      const withX = g.rows.filter((r) => vals(r.x).length > 0);
      const xs = withX.flatMap((r) => vals(r.x));
      const texts = [...new Set(xs.map(text))].sort(compareCodePoints);
      const set = (k: string, v: unknown) => {
        if (v !== undefined) out[k] = v as Row[string];
      };
      set('count', g.rows.length);
      set('cx', withX.length);
      set('vx', list(texts));
      set('dx', texts.length);
      set('minx', extreme(xs, false));
      set('maxx', extreme(xs, true));
      set('first', Math.min(...g.rows.map((r) => r._time as number)));
      set('last', Math.max(...g.rows.map((r) => r._time as number)));
      // latest/earliest: the value in the row with the highest/lowest _time (the first such row on ties).
      const byTime = (pick: (a: number, b: number) => boolean) =>
        withX.reduce<Row | undefined>(
          (best, r) => (!best || pick(r._time as number, best._time as number) ? r : best),
          undefined,
        );
      set('lx', byTime((a, b) => a > b)?.x);
      set('ex', byTime((a, b) => a < b)?.x);
      set('fx', withX[0]?.x);
      set('lastx', withX[withX.length - 1]?.x);
      return out;
    });
  }

  it('the groups, their order and their aggregates', () => {
    fc.assert(
      fc.property(
        fc.array(row, { maxLength: 20 }),
        byLists,
        fc.option(fc.constantFrom('null', '\u0000')),
        (rows, by, fill) => {
          const g = new Grouping(aggs(), { byNames: by, fillNull: fill ?? undefined });
          for (const r of rows) g.add(r);
          expect(g.rows()).toEqual(plain(rows, by, fill ?? undefined));
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('groupings of unchanged rows sharing their keys give the rows of groupings that do not', () => {
    // Several groupings take the same rows in turn (as the scan hands one data-set row to every
    // tstats detection), some with the same by-list: their shared last-row keys change nothing.
    // The same by-list array with and without a fillnull_value (the plans differ).
    const plan = fc.tuple(byLists, fc.constantFrom(undefined, 'null'));
    fc.assert(
      fc.property(fc.array(row, { maxLength: 12 }), fc.array(plan, { minLength: 1, maxLength: 4 }), (rows, plans) => {
        const shared = plans.map(
          ([by, fillNull]) => new Grouping(aggs(), { byNames: by, byKeys: by, fillNull, rowsUnchanged: true }),
        );
        const own = plans.map(([by, fillNull]) => new Grouping(aggs(), { byNames: by, fillNull }));
        for (const r of rows) {
          for (const g of shared) g.add(r);
          for (const g of own) g.add(r);
        }
        for (let i = 0; i < plans.length; i++) {
          expect(shared[i]!.rows()).toEqual(own[i]!.rows());
          expect(shared[i]!.rows()).toEqual(plain(rows, plans[i]![0], plans[i]![1]));
        }
      }),
      { numRuns: 500 },
    );
  });

  it('output rows made by the generated by-row literal equal rows made by stores, names of any text', () => {
    // Names as written in a by-list: quotes, backslashes, line separators, integer-like names,
    // repeats, `__proto__` (which keeps the stores) and names of Object.prototype members.
    const name = fc.oneof(
      fc.constantFrom('"', '\\', '`', '${x}', '\u2028', '0', '12', '__proto__', 'constructor', 'toString', 'P.dest'),
      fc.string({ maxLength: 4 }),
    );
    fc.assert(
      fc.property(fc.array(row, { maxLength: 8 }), fc.array(name, { minLength: 1, maxLength: 3 }), (rows, names) => {
        const keys = ['a', 'b', 'c'].slice(0, names.length);
        const g = new Grouping(aggs(), { byNames: [...names], byKeys: keys });
        for (const r of rows) g.add(r);
        const want = plain(rows, keys).map((p) => {
          const out: Row = {};
          keys.forEach((k, i) => {
            out[names[i]!] = p[k]!;
          });
          for (const k of Object.keys(p)) if (!keys.includes(k)) out[k] = p[k]!;
          return out;
        });
        const got = g.rows();
        expect(got).toEqual(want);
        expect(got.map((r) => Object.keys(r))).toEqual(want.map((r) => Object.keys(r)));
        expect(got.map((r) => Object.getPrototypeOf(r))).toEqual(want.map((r) => Object.getPrototypeOf(r)));
      }),
      { numRuns: 500 },
    );
  });

  it('eventstats: the results for a row are those of its (first) group', () => {
    fc.assert(
      fc.property(fc.array(row, { maxLength: 12 }), byLists, (rows, by) => {
        const g = new Grouping(aggs(), { byNames: by });
        for (const r of rows) g.add(r);
        const groups = plain(rows, by);
        for (const r of rows) {
          const first = combinations(r, by)[0];
          const want = first && groups.find((x) => by.every((f, i) => text(x[f] as Scalar) === text(first[i]!)));
          const got = g.resultsFor(r);
          if (!want) expect(got).toBeUndefined();
          else {
            const { ...aggsOnly } = want;
            for (const f of by) delete aggsOnly[f];
            expect(got).toEqual(aggsOnly);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
