/**
 * Arbitrary text (any code unit, lone surrogates, quotes, backslashes, line terminators, `*\/`,
 * `${`, `</script>`) in every place SPL text reaches the generated module — values, IN lists,
 * option values, span, aggregate names and aliases, the id, unknown field names — never breaks out
 * of a literal: the modules type-check (apart from the expected unknown-field errors), load, and
 * give back exactly the input strings.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadDataModels } from '@dac/cim';
import { loadMatcherModule, transpileMatcher, typecheckMatchers } from './compile.js';
import { generateMatcherSource } from './generate.js';
import { and, cmp, inList, not, or, tstats } from './test-support.js';

const models = loadDataModels();
const nasty = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.constantFrom('*/', '/*', '${a}', '`', '</script>', '\u2028', '\u2029', '\\', '"', "'", '\r\n', '\ud800', '\udfff'),
  fc.string({
    unit: fc.constantFrom('*', '"', '\\', '\n', '$', '{', '}', '/', '<', '>', '`', 'a', '\u2028'),
    maxLength: 10,
  }),
);

describe('hostile text everywhere in the SPL', () => {
  it('round-trips through generated modules that type-check and load', () => {
    const cases = fc.sample(
      fc.record({
        id: nasty,
        value: nasty,
        list: fc.array(nasty, { minLength: 1, maxLength: 3 }),
        opt: nasty,
        fn: nasty,
        as: nasty,
        span: nasty,
      }),
      { numRuns: 80, seed: 7 },
    );
    const sources = cases.map((c, i) => {
      const where = and(
        cmp('Processes.process_name', '=', c.value, true),
        or(inList('Processes.process', c.list), not(cmp('Processes.user', '!=', c.value))),
      );
      const cmd = tstats({
        where,
        options: { fillnull_value: c.opt, [c.opt || 'k']: c.value },
        span: c.span,
        aggregates: [{ fn: c.fn, as: c.as }],
        by: ['Processes.dest'],
      });
      const { source, diagnostics } = generateMatcherSource(c.id, cmd, models);
      expect(diagnostics).toEqual([]);
      return { id: `c${i}`, source: source!, c };
    });
    const diags = typecheckMatchers(
      sources.map(({ id, source }) => ({ id, source })),
      models,
    );
    for (const { id, source, c } of sources) {
      expect(diags.get(id), source).toEqual([]);
      const js = transpileMatcher(source);
      const exp: Record<string, unknown> = {};
      new Function('exports', 'require', js)(exp, () => ({ pattern: (s: string) => s, list: (l: unknown) => l }));
      expect(exp.id).toBe(c.id);
      expect(exp.fillnull).toBe(c.opt);
      expect(exp.span).toBe(c.span);
      expect(exp.aggregates).toEqual([{ fn: c.fn, as: c.as }]);
      expect(exp.options).toEqual({ fillnull_value: c.opt, [c.opt || 'k']: c.value });
      const m = loadMatcherModule(js);
      expect(m.match({ process_name: c.value, process: c.list[0]!, user: c.value })).toBe(true);
    }
  });

  it('unknown field names with arbitrary text are quoted keys and only fail the type check', () => {
    const names = fc.sample(nasty, { numRuns: 40, seed: 11 }).filter((n) => n.length > 0 && !n.includes('.'));
    const sources = names.map((n, i) => ({
      id: `f${i}`,
      source: generateMatcherSource('x', tstats({ where: cmp(`Processes.${n}`, '=', 'v') }), models).source!,
    }));
    const diags = typecheckMatchers(sources, models);
    for (const { id, source } of sources) {
      for (const d of diags.get(id)!) expect(d.rule, source).toBe('matcher-typecheck');
      expect(() => loadMatcherModule(transpileMatcher(source))).not.toThrow();
    }
  });

  it('a where-clause nested deeper than the limit is a diagnostic, not a crash', () => {
    let e = cmp('Processes.process', '=', 'x');
    for (let i = 0; i < 400; i++) e = not(e);
    const { diagnostics } = generateMatcherSource('deep', tstats({ where: e }), models);
    expect(diagnostics.some((d) => d.rule === 'matcher-unsupported' && /nested deeper/.test(d.message))).toBe(true);
  });
});
