/**
 * Optional corpus test (skips when ../shared/corpus/escu is absent): how many ESCU detections
 * that start with a raw-event base search get a type-checked generated matcher (issue 10 item 4),
 * the cold compile time of all of them in one program, and on events built from each search's own
 * literals the matchers agree with @dac/search's interpreter and @dac/spl's reference.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadContent } from '@dac/content';
import {
  clearSearchMatcherCaches,
  compileSearchMatchers,
  detectionSearches,
  type StreamFieldTable,
} from '@dac/matchers';
import { streamFieldTables } from '@dac/normalise';
import { compileSearch, type Row } from '@dac/search';
import { evaluateSearch, type SearchExpr } from '@dac/spl';

const corpus = join(import.meta.dirname, '../../../shared/corpus/escu');

/** The compared (field, value) pairs of an expression, without recursion. */
function leaves(expr: SearchExpr): { field: string; value: string }[] {
  const out: { field: string; value: string }[] = [];
  const stack = [expr];
  while (stack.length > 0) {
    const e = stack.pop()!;
    if (e.kind === 'and' || e.kind === 'or') stack.push(...e.args);
    else if (e.kind === 'not') stack.push(e.arg);
    else if (e.kind === 'compare') out.push({ field: e.field, value: e.value.value });
    else if (e.kind === 'in') for (const v of e.values) out.push({ field: e.field, value: v.value });
    else if (e.kind === 'term') out.push({ field: '_raw', value: e.value.value });
  }
  return out;
}

/** Minimum share of raw-base-search detections with a type-checked matcher (measured on the endpoint corpus: 418 of 418). */
const COVERAGE_TARGET = 0.97;

describe.skipIf(!existsSync(corpus))('ESCU corpus: raw base-search matchers', () => {
  it('compile to typed matchers that type-check, and agree with both interpreters', async () => {
    const searches = detectionSearches(loadContent(corpus));
    const raw = searches.filter(
      (s) => s.rawSearch && !(s.parsed?.diagnostics ?? []).some((d) => d.severity === 'error'),
    );
    const tables = streamFieldTables() as StreamFieldTable[];
    clearSearchMatcherCaches();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const r = await compileSearchMatchers(
      raw.map((s) => ({ id: s.id, search: s.rawSearch! })),
      tables,
    );
    const wall = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const failed = raw.filter((s) => !r.matchers.has(s.id));
    const reasons = new Map<string, number>();
    for (const s of failed)
      for (const d of r.diagnostics.get(s.id) ?? [])
        if (d.severity === 'error') reasons.set(d.message.slice(0, 90), (reasons.get(d.message.slice(0, 90)) ?? 0) + 1);
    const typed = [...r.matchers.values()];
    const withStreams = typed.filter((m) => m.streams.length > 0).length;
    console.log(
      `raw base searches: ${raw.length} of ${searches.length} detections; type-checked matchers: ${r.matchers.size} ` +
        `(${((100 * r.matchers.size) / raw.length).toFixed(1)}%); typed by ≥1 add-on stream table: ${withStreams}; ` +
        `cold generate + type-check + emit + load: ${(wall / 1000).toFixed(1)} s wall, ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s CPU\n` +
        [...reasons].map(([m, n]) => `  ${n} × ${m}`).join('\n'),
    );
    expect(raw.length).toBeGreaterThan(300);
    expect(r.matchers.size / raw.length).toBeGreaterThanOrEqual(COVERAGE_TARGET);

    let checked = 0;
    for (const s of raw) {
      const m = r.matchers.get(s.id);
      if (!m) continue;
      const expr = s.rawSearch!.expr!;
      const interp = compileSearch(expr);
      const ls = leaves(expr);
      const full: Row = {};
      for (const l of ls) full[l.field] = l.value.replace(/\*/g, 'x');
      const events: Row[] = [full, {}, ...ls.slice(0, 20).map((l) => ({ ...full, [l.field]: `${l.value}y` }))];
      for (const e of events) {
        const want = evaluateSearch(expr, e as Record<string, string>);
        expect(m.match(e), s.id).toBe(want);
        expect(interp(e), s.id).toBe(want);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(raw.length);
  });
});
