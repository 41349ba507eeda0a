/**
 * Corpus measure (skips without ../shared): prepares the macro-expanded search of every ESCU
 * endpoint detection in ../shared/corpus/escu with the corpus's own lookups (lookups/*.yml + CSV;
 * KV store collections and ML models count as live state) and the CIM 4.20 data models, and
 * reports the share of pipelines whose every command the engine implements, and which commands
 * block the rest. Printed as a table; the assertion keeps the share from regressing.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadDataModels } from '@dac/cim';
import { builtinMacros, macroKey, parseSearch } from '@dac/spl';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { type LookupDefinition, lookupProvider, lookupTableFromCsv } from './lookup.js';
import { prepareSearch } from './prepare.js';
import type { DataModelProvider, LookupTable } from './types.js';

const corpus = new URL('../../../../shared/corpus/escu/', import.meta.url).pathname;

function readYaml<T>(f: string): T | undefined {
  try {
    return parseYaml(readFileSync(f, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/** Data sets of the CIM 4.20 models; rows are the events as given (already normalised). */
function cimCatalogue(): DataModelProvider {
  const models = loadDataModels();
  return {
    dataset(req) {
      const m = models.model(req.model);
      if (!m) return { error: `data model ${req.model} is not part of CIM 4.20` };
      const ds =
        req.path.length > 0
          ? models.dataset(req.model, req.path)
          : (m.roots.find((r) => r.name === req.fieldPrefixes[0]) ?? m.roots[0]);
      if (!ds) return { error: `data model ${req.model} has no data set ${req.path.join('.')}` };
      return {
        name: `${req.model}.${ds.path.join('.')}`,
        rows: (events) => (typeof events === 'function' ? events() : events) as Iterable<never>,
      };
    },
  };
}

describe.skipIf(!existsSync(join(corpus, 'detections')))('ESCU corpus: which commands block replay', () => {
  it('prepares every endpoint detection; ≥ 95% of pipelines use only implemented commands', () => {
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
    const tables: (LookupTable & { filename?: string })[] = [];
    const unavailable = new Map<string, string>();
    for (const f of readdirSync(join(corpus, 'lookups')).filter((x) => x.endsWith('.yml'))) {
      const d = readYaml<LookupDefinition & { collection?: string }>(join(corpus, 'lookups', f));
      if (!d?.name) continue;
      if (d.collection) unavailable.set(d.name, 'is a KV store collection of a Splunk instance');
      else if (d.filename?.endsWith('.csv') && existsSync(join(corpus, 'lookups', d.filename))) {
        const t = lookupTableFromCsv(d, readFileSync(join(corpus, 'lookups', d.filename), 'utf8'));
        if ('error' in t) unavailable.set(d.name, t.error);
        else tables.push({ ...t, filename: d.filename });
      } else if (d.filename) unavailable.set(d.name, `is ${d.filename}, not a CSV lookup`);
    }
    const lookups = lookupProvider(tables, unavailable);
    const dataModels = cimCatalogue();
    const dir = join(corpus, 'detections', 'endpoint');
    let total = 0;
    let replayable = 0;
    let parseErrors = 0;
    const blockers = new Map<string, number>();
    const reasons = new Map<string, number>();
    for (const f of readdirSync(dir).sort()) {
      const d = readYaml<{ name: string; search: string }>(join(dir, f));
      if (!d || typeof d.search !== 'string') continue;
      total++;
      const p = parseSearch(d.search, macros, {
        filterMacro: `${d.name.toLowerCase().replace(/[ \-./]/g, '_')}_filter`,
      });
      if (p.diagnostics.some((x) => x.severity === 'error')) {
        parseErrors++;
        continue;
      }
      const r = prepareSearch(p.pipeline, { lookups, dataModels, now: 0 });
      if (r.ok) {
        replayable++;
        continue;
      }
      // Every command that blocks this pipeline, counted once per detection.
      for (const c of new Set(r.diagnostics.filter((x) => x.severity === 'error').map((x) => x.command)))
        blockers.set(c, (blockers.get(c) ?? 0) + 1);
      const reason = r.notReplayable.reason.replace(/"[^"]*"/g, '"…"').slice(0, 110);
      reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
    }
    const share = replayable / total;
    const top = [...blockers].sort((a, b) => b[1] - a[1]).slice(0, 25);
    const topReasons = [...reasons].sort((a, b) => b[1] - a[1]).slice(0, 25);
    console.log(
      [
        `ESCU endpoint corpus: ${replayable}/${total} pipelines (${(share * 100).toFixed(1)}%) use only commands the engine implements; ${parseErrors} do not parse`,
        'blocking command — detections:',
        ...top.map(([c, n]) => `  ${c}: ${n}`),
        'first reason — detections:',
        ...topReasons.map(([c, n]) => `  ${n}  ${c}`),
      ].join('\n'),
    );
    expect(total).toBeGreaterThan(1000);
    expect(share).toBeGreaterThanOrEqual(0.95);
  });
});
