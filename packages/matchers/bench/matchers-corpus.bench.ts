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
import {
  clearMatcherCaches,
  compileMatchers,
  detectionSearches,
  generateMatcherSource,
  transpileMatcher,
  typecheckMatchers,
} from '@dac/matchers';
import { corpusFigures, formatFigures } from '../src/corpus.js';

const root = process.env.DAC_REPO_ROOT ?? process.cwd();
const corpus = resolve(root, '../shared/corpus/escu');
if (!existsSync(corpus)) {
  console.log(`matchers-corpus: corpus not found at ${corpus}; skipped`);
  process.exit(0);
}

// Wall time and this process's CPU time (user+system): on a shared, loaded machine the CPU time
// is the steadier figure.
let cpu0 = process.cpuUsage();
const ms = (t: number) => {
  const c = process.cpuUsage(cpu0);
  cpu0 = process.cpuUsage();
  return `${(performance.now() - t).toFixed(0)} ms wall, ${((c.user + c.system) / 1000).toFixed(0)} ms cpu`;
};
const reset = () => {
  cpu0 = process.cpuUsage();
  return performance.now();
};
let t = reset();
const tree = loadContent(corpus);
const searches = detectionSearches(tree);
const withDm = searches.filter((d) => d.tstats?.datamodel);
const inputs = withDm.map((d) => ({ id: d.id, tstats: d.tstats! }));
const models = loadDataModels();
console.log(
  `load average at start: ${(await import('node:os'))
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')} (cores: ${(await import('node:os')).cpus().length})`,
);
console.log(`load + parse ${tree.detections.length} detections: ${ms(t)}; tstats-from-datamodel: ${inputs.length}`);

t = reset();
const sources: { id: string; source: string }[] = [];
for (const i of inputs) {
  const g = generateMatcherSource(i.id, i.tstats, models);
  if (g.source) sources.push({ id: i.id, source: g.source });
}
const bytes = sources.reduce((n, s) => n + s.source.length, 0);
console.log(`phase: generate (ts-morph, ${sources.length} modules, ${(bytes / 1024).toFixed(0)} KiB): ${ms(t)}`);
t = reset();
typecheckMatchers(sources, models);
console.log(`phase: type-check all in one program: ${ms(t)}`);
t = reset();
for (const s of sources) transpileMatcher(s.source);
console.log(`phase: transpileModule each: ${ms(t)}`);

const cacheDir = mkdtempSync(join(tmpdir(), 'dac-matchers-bench-'));
try {
  clearMatcherCaches();
  t = reset();
  const cold = await compileMatchers(inputs, models, { cacheDir });
  console.log(`cold: generate + type-check (one program) + emit + load: ${ms(t)}  ${JSON.stringify(cold.stats)}`);

  t = reset();
  const warm = await compileMatchers(inputs, models, { cacheDir });
  console.log(`warm, in-process cache: ${ms(t)}  ${JSON.stringify(warm.stats)}`);

  clearMatcherCaches();
  t = reset();
  const disk = await compileMatchers(inputs, models, { cacheDir });
  console.log(`on-disk cache only (new process state): ${ms(t)}  ${JSON.stringify(disk.stats)}`);

  clearMatcherCaches();
  t = reset();
  const noCheck = await compileMatchers(inputs, models, { typecheck: false });
  console.log(`cold without type-check (one-program emit only): ${ms(t)}  ${JSON.stringify(noCheck.stats)}`);

  // Matching throughput: every compiled matcher against a few realistic Processes events.
  const events = [
    {
      process_name: 'ngrok.exe',
      process: 'ngrok.exe tcp 3389 --authtoken x',
      parent_process_name: 'cmd.exe',
      user: 'ATTACKRANGE\\Administrator',
      dest: 'win-dc-1',
      process_path: 'C:\\Users\\a\\ngrok.exe',
      process_id: 4242,
      _time: 1_700_000_000,
    },
    {
      process_name: 'powershell.exe',
      process: 'powershell.exe -enc SQBFAFgA',
      parent_process_name: 'winword.exe',
      user: 'bob',
      dest: 'ws-7',
      original_file_name: 'PowerShell.EXE',
      process_id: '0x1b28',
    },
    {
      process_name: 'svchost.exe',
      process: 'C:\\Windows\\System32\\svchost.exe -k netsvcs',
      parent_process_name: 'services.exe',
      user: 'SYSTEM',
      dest: 'ws-7',
      process_hash: ['MD5=AA', 'SHA256=BB'],
    },
  ];
  const all = [...cold.matchers.values()];
  t = reset();
  let evaluations = 0;
  let hits = 0;
  for (let round = 0; round < 200; round++) {
    for (const m of all)
      for (const e of events) {
        if (m.match(e)) hits++;
        evaluations++;
      }
  }
  const secs = (performance.now() - t) / 1000;
  console.log(
    `match: ${evaluations} evaluations (${all.length} matchers × ${events.length} events × 200) in ${ms(t)}: ${(evaluations / secs / 1e6).toFixed(2)} M evaluations/s (${hits} hits)`,
  );

  console.log('');
  console.log(formatFigures(corpusFigures(searches, cold)));
} finally {
  rmSync(cacheDir, { recursive: true, force: true });
}
