/**
 * Optional corpus check (skips when ../shared is absent, as in CI): every detection search of the
 * ESCU endpoint corpus expands and parses without throwing, every diagnostic is positioned inside
 * the original string, and at least 99% parse without error diagnostics (issue 3 coverage target).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { builtinMacros, macroKey, parseSearch } from './index.js';

const corpus = new URL('../../../../shared/corpus/escu/', import.meta.url).pathname;

function readYaml<T>(f: string): T | undefined {
  try {
    return parseYaml(readFileSync(f, 'utf8')) as T;
  } catch {
    return undefined; // node `yaml` rejects a few files PyYAML accepts (escu-corpus.md §7)
  }
}

describe.skipIf(!existsSync(join(corpus, 'detections')))('ESCU corpus (../shared/corpus/escu)', () => {
  it('parses ≥ 99% of detection searches without errors; every failure is a positioned diagnostic', () => {
    const macros = builtinMacros();
    for (const f of readdirSync(join(corpus, 'macros')).sort()) {
      const d = readYaml<{ name: string; definition: string; arguments?: string[] }>(join(corpus, 'macros', f));
      if (d)
        macros.set(macroKey(d.name, d.arguments?.length ?? 0), {
          name: d.name,
          args: d.arguments ?? [],
          definition: String(d.definition),
          source: `macros/${f}`,
        });
    }
    const dir = join(corpus, 'detections', 'endpoint');
    let total = 0;
    let clean = 0;
    const rules = new Set<string>();
    for (const f of readdirSync(dir).sort()) {
      const d = readYaml<{ name: string; search: string }>(join(dir, f));
      if (!d) continue;
      total++;
      const filterMacro = `${d.name.toLowerCase().replace(/[ \-./]/g, '_')}_filter`;
      const p = parseSearch(d.search, macros, { filterMacro });
      const errors = p.diagnostics.filter((x) => x.severity === 'error');
      if (errors.length === 0) clean++;
      for (const e of p.diagnostics) {
        rules.add(e.rule);
        expect(e.start >= 0 && e.start <= e.end && e.end <= d.search.length, `${f}: ${e.message}`).toBe(true);
      }
    }
    expect(total).toBeGreaterThan(1000);
    expect(clean / total).toBeGreaterThanOrEqual(0.99);
    for (const r of rules)
      expect(['spl-syntax', 'spl-undefined-macro', 'spl-macro-cycle', 'spl-macro-args', 'spl-unsupported']).toContain(
        r,
      );
  });
});
