/**
 * Optional corpus test (skips when ../shared/corpus/escu is absent): every ESCU tstats-from-datamodel
 * where-clause within =, !=, IN, NOT, AND, OR, parentheses and wildcards compiles to a typed matcher
 * that type-checks (issue 3 coverage target), and on events built from each clause's own
 * literals the compiled matchers agree with @dac/spl's interpreter.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadContent } from '@dac/content';
import { eventKeyOf, loadDataModels } from '@dac/cim';
import { corpusFigures, compileMatchers, detectionSearches, type CimEvent } from '@dac/matchers';
import { evaluateSearch, type SearchExpr } from '@dac/spl';

const corpus = join(import.meta.dirname, '../../../shared/corpus/escu');

function leaves(
  e: SearchExpr | undefined,
  out: { field: string; values: string[] }[] = [],
): { field: string; values: string[] }[] {
  if (!e) return out;
  if (e.kind === 'and' || e.kind === 'or') e.args.forEach((a) => leaves(a, out));
  else if (e.kind === 'not') leaves(e.arg, out);
  else if (e.kind === 'compare') out.push({ field: e.field, values: [e.value.value] });
  else if (e.kind === 'in') out.push({ field: e.field, values: e.values.map((v) => v.value) });
  return out;
}

/** Values near a pattern: itself with `*` filled or dropped, case flipped, padded, or unrelated. */
function variants(p: string): string[] {
  const filled = p.replace(/\*/g, 'x');
  const bare = p.replace(/\*/g, '');
  return [filled, bare, filled.toUpperCase(), `pre ${filled} post`, bare.slice(1), 'unrelated'];
}

describe.skipIf(!existsSync(corpus))('ESCU corpus matchers', () => {
  it("compiles every in-subset where-clause, and matchers agree with the interpreter on the clauses' own values", async () => {
    const searches = detectionSearches(loadContent(corpus));
    const withDm = searches.filter((s) => s.tstats?.datamodel);
    const result = await compileMatchers(
      withDm.map((s) => ({ id: s.id, tstats: s.tstats! })),
      loadDataModels(),
    );
    const f = corpusFigures(searches, result);
    expect(f.inSubsetCompilerFailures).toEqual([]);
    expect(f.compiled / f.tstatsFromDatamodel).toBeGreaterThan(0.95);

    let checked = 0;
    for (const s of withDm) {
      const m = result.matchers.get(s.id);
      if (!m || !s.tstats!.where) continue;
      const where = s.tstats!.where;
      const ls = leaves(where);
      // nodename= selects a child dataset (compiled to its constraints); the interpreter has no
      // data-model knowledge and reads it as an event field, so the two differ by design.
      if (ls.some((l) => l.field === 'nodename')) continue;
      const byKey = new Map<string, string[]>();
      for (const l of ls)
        byKey.set(eventKeyOf(l.field), [...(byKey.get(eventKeyOf(l.field)) ?? []), ...l.values.flatMap(variants)]);
      const keys = [...byKey.keys()];
      const event = fc.record(
        Object.fromEntries(
          keys.map((k) => [
            k,
            fc.oneof(
              fc.constantFrom(...byKey.get(k)!),
              fc.constant(null),
              fc.array(fc.constantFrom(...byKey.get(k)!), { maxLength: 2 }),
            ),
          ]),
        ),
        { requiredKeys: [] },
      ) as fc.Arbitrary<CimEvent>;
      for (const e of fc.sample(event, { numRuns: 12, seed: checked })) {
        const expected = evaluateSearch(where, e as Parameters<typeof evaluateSearch>[1], eventKeyOf);
        expect(m.match(e), `${s.item.file.relPath} on ${JSON.stringify(e)}`).toBe(expected);
      }
      checked++;
    }
    expect(checked).toBeGreaterThan(500);
  });
});
