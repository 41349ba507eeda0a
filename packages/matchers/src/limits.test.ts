// Issue 12 case 6: long where-clauses. A 1,000-term AND (or OR) chain overflowed TypeScript's
// binder stack on main ("Maximum call stack size exceeded" out of bindLogicalLikeExpression) and
// took every other matcher of the run down with it. Now chains are grouped (MAX_CHAIN) so the
// nesting grows with log₃₂ of the terms, and beyond limits.where_terms generation stops with a
// positioned diagnostic naming the limit.
import { describe, expect, it } from 'vitest';
import { loadDataModels } from '@dac/cim';
import { compileMatchers, loadMatcherModule, transpileMatcher } from './compile.js';
import { countWhereTerms, generateMatcher, MAX_CHAIN } from './generate.js';
import { and, cmp, ngrokWhere, or, tstats } from './test-support.js';

const models = loadDataModels();
const names = (n: number) => Array.from({ length: n }, (_, i) => cmp('Processes.process_name', '=', `p${i}.exe`, true));

describe('issue 12 case 6: where-clause size', () => {
  it('1,000-term AND and OR chains generate, type-check and match, beside an ordinary matcher', async () => {
    const r = await compileMatchers(
      [
        { id: 'and1000', tstats: tstats({ where: and(...names(1000)) }) },
        { id: 'or1000', tstats: tstats({ where: or(...names(1000)) }) },
        { id: 'ngrok', tstats: tstats({ where: ngrokWhere() }) },
      ],
      models,
    );
    for (const id of ['and1000', 'or1000', 'ngrok']) expect(r.diagnostics.get(id) ?? []).toEqual([]);
    const orM = r.matchers.get('or1000')!;
    expect(orM.match({ process_name: 'p999.exe' })).toBe(true);
    expect(orM.match({ process_name: 'p1000.exe' })).toBe(false);
    // Every AND term must hold: one value cannot equal all 1,000 names.
    expect(r.matchers.get('and1000')!.match({ process_name: 'p0.exe' })).toBe(false);
    expect(r.matchers.has('ngrok')).toBe(true);
  }, 120_000);

  it('no chain in the generated code is longer than MAX_CHAIN operands, and grouping keeps the meaning', () => {
    // Over MAX_CHAIN² operands: groups of groups.
    const { source } = generateMatcher('or', tstats({ where: or(...names(MAX_CHAIN * MAX_CHAIN + 5)) }), models, {
      maxWhereTerms: 5000,
    });
    let run = 0;
    let longest = 0;
    for (const line of source!.split('\n')) {
      if (/\|\|( \/\/.*)?$/.test(line.trim())) run++;
      else {
        longest = Math.max(longest, run + 1);
        run = 0;
      }
    }
    expect(longest).toBeLessThanOrEqual(MAX_CHAIN);
    const m = loadMatcherModule(transpileMatcher(source!));
    expect(m.match({ process_name: `p${MAX_CHAIN * MAX_CHAIN + 4}.exe` })).toBe(true);
    expect(m.match({ process_name: 'p0.exe' })).toBe(true);
    expect(m.match({ process_name: 'nope' })).toBe(false);
  });

  it('a 100,000-term where-clause fails with a positioned limit message, fast, and other matchers still compile', async () => {
    const where = and(...names(100_000));
    expect(countWhereTerms(where)).toBe(100_000);
    const r = await compileMatchers(
      [
        { id: 'huge', tstats: tstats({ where }) },
        { id: 'ngrok', tstats: tstats({ where: ngrokWhere() }) },
      ],
      models,
    );
    expect(r.diagnostics.get('huge')).toMatchObject([
      {
        rule: 'matcher-limit',
        severity: 'error',
        message:
          'where-clause has 100000 terms; the limit is 1000 terms per matcher (raise it with limits.where_terms in dac.config.yaml, default 1000)',
      },
    ]);
    expect(r.matchers.has('huge')).toBe(false);
    expect(r.matchers.has('ngrok')).toBe(true);
  }, 120_000);

  it('the limit is configurable (maxWhereTerms, from limits.where_terms)', async () => {
    const r = await compileMatchers([{ id: 'w', tstats: tstats({ where: and(...names(11)) }) }], models, {
      maxWhereTerms: 10,
      typecheck: false,
    });
    expect(r.diagnostics.get('w')?.[0]?.message).toMatch(/has 11 terms; the limit is 10 terms/);
  });
});
