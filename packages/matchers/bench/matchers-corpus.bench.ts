/**
 * Matcher generation over the ESCU corpus (../shared/corpus/escu): for every detection whose
 * search starts with `| tstats … from datamodel=…`, time generate + type-check (one program) +
 * load, cold and with the content-hash cache (warm in-process, and from the on-disk cache in a
 * fresh cache state), and print the corpus coverage figures with the reasons for failures.
 * Skips cleanly when the corpus is absent.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadDataModels } from '@dac/cim';
import { loadContent } from '@dac/content';
import { clearMatcherCaches, compileMatchers, detectionSearches, generateMatcherSource } from '@dac/matchers';
import { corpusFigures, formatFigures } from '../src/corpus.js';

const root = process.env.DAC_REPO_ROOT ?? process.cwd();
const corpus = resolve(root, '../shared/corpus/escu');
if (!existsSync(corpus)) {
  console.log(`matchers-corpus: corpus not found at ${corpus}; skipped`);
  process.exit(0);
}

const ms = (t: number) => `${(performance.now() - t).toFixed(0)} ms`;
let t = performance.now();
const tree = loadContent(corpus);
const searches = detectionSearches(tree);
const withDm = searches.filter((d) => d.tstats?.datamodel);
const inputs = withDm.map((d) => ({ id: d.id, tstats: d.tstats! }));
const models = loadDataModels();
console.log(`load + parse ${tree.detections.length} detections: ${ms(t)}; tstats-from-datamodel: ${inputs.length}`);

t = performance.now();
for (const i of inputs) generateMatcherSource(i.id, i.tstats, models);
console.log(`generate only (ts-morph, ${inputs.length} modules): ${ms(t)}`);

const cacheDir = mkdtempSync(join(tmpdir(), 'dac-matchers-bench-'));
try {
  clearMatcherCaches();
  t = performance.now();
  const cold = await compileMatchers(inputs, models, { cacheDir });
  console.log(`cold: generate + type-check (one program) + emit + load: ${ms(t)}  ${JSON.stringify(cold.stats)}`);

  t = performance.now();
  const warm = await compileMatchers(inputs, models, { cacheDir });
  console.log(`warm, in-process cache: ${ms(t)}  ${JSON.stringify(warm.stats)}`);

  clearMatcherCaches();
  t = performance.now();
  const disk = await compileMatchers(inputs, models, { cacheDir });
  console.log(`on-disk cache only (new process state): ${ms(t)}  ${JSON.stringify(disk.stats)}`);

  clearMatcherCaches();
  t = performance.now();
  const noCheck = await compileMatchers(inputs, models, { typecheck: false });
  console.log(`cold without type-check (transpileModule per module): ${ms(t)}  ${JSON.stringify(noCheck.stats)}`);

  console.log('');
  console.log(formatFigures(corpusFigures(searches, cold)));
} finally {
  rmSync(cacheDir, { recursive: true, force: true });
}
