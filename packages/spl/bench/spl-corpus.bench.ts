// Corpus benchmark and coverage figures for @dac/spl: expands and parses every detection search of
// ../shared/corpus/escu with the corpus macros + the CIM builtins, and prints searches/s, the share
// parsed without error-severity diagnostics, and every failure's reason. Skips when the corpus is
// absent (CI). Run: npm run bench spl-corpus
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import {
  SUPPORTED_EVAL_FUNCTIONS,
  builtinMacros,
  expandMacros,
  findTstats,
  macroKey,
  parsePipeline,
  parseSearch,
  type EvalExpr,
  type MacroDefinition,
  type MacroTable,
  type Pipeline,
} from '@dac/spl';

const root = process.env.DAC_REPO_ROOT ?? process.cwd();
const corpus = join(root, '..', 'shared', 'corpus', 'escu');
if (!existsSync(join(corpus, 'detections'))) {
  console.log(`spl-corpus: skipped (no corpus at ${corpus})`);
  process.exit(0);
}

function yamlFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...yamlFiles(p));
    else if (e.name.endsWith('.yml') || e.name.endsWith('.yaml')) out.push(p);
  }
  return out.sort();
}

const macros: MacroTable = builtinMacros();
const unreadable: string[] = [];
function readYaml<T>(f: string): T | undefined {
  try {
    return parseYaml(readFileSync(f, 'utf8')) as T;
  } catch {
    unreadable.push(f.slice(corpus.length + 1)); // node `yaml` rejects a few files PyYAML accepts (escu-corpus.md §7)
    return undefined;
  }
}
for (const f of yamlFiles(join(corpus, 'macros'))) {
  const d = readYaml<{ name: string; definition: string; arguments?: string[] }>(f);
  if (!d) continue;
  const def: MacroDefinition = {
    name: d.name,
    args: d.arguments ?? [],
    definition: String(d.definition),
    source: f.slice(corpus.length + 1),
  };
  macros.set(macroKey(def.name, def.args.length), def);
}
const detections = yamlFiles(join(corpus, 'detections')).flatMap((f) => {
  const d = readYaml<{ name: string; search: string }>(f);
  return d ? [{ file: f.slice(corpus.length + 1), name: d.name, search: String(d.search) }] : [];
});
if (unreadable.length) console.log(`  YAML files node \`yaml\` cannot read (skipped): ${unreadable.join(', ')}`);
const filterOf = (name: string) => `${name.toLowerCase().replace(/[ \-./]/g, '_')}_filter`;

// Warm-up, then timed runs.
for (const d of detections) parseSearch(d.search, macros, { filterMacro: filterOf(d.name) });
const runs = 5;
const times: number[] = [];
// eval/where coverage of the local interpreter: expressions whose every function is supported.
let evalTotal = 0;
let evalSupported = 0;
const missingFns = new Map<string, number>();
const fnsOf = (e: EvalExpr, out: string[]): void => {
  if (e.kind === 'call') {
    out.push(e.fn);
    e.args.forEach((a) => fnsOf(a, out));
  } else if (e.kind === 'binary') {
    fnsOf(e.left, out);
    fnsOf(e.right, out);
  } else if (e.kind === 'unary') fnsOf(e.arg, out);
  else if (e.kind === 'in') {
    fnsOf(e.arg, out);
    e.values.forEach((v) => fnsOf(v, out));
  } else if (e.kind === 'subsearch') out.push('[subsearch]');
};
const visitEval = (p: Pipeline): void => {
  for (const c of p.commands) {
    if (c.kind !== 'command') continue;
    for (const a of c.args) if (a.kind === 'subsearch') visitEval(a.pipeline);
    const exprs =
      c.name === 'where' ? (c.expr ? [c.expr] : []) : c.name === 'eval' ? (c.assignments ?? []).map((x) => x.expr) : [];
    for (const e of exprs) {
      const fns: string[] = [];
      fnsOf(e, fns);
      evalTotal++;
      const missing = fns.filter((f) => !SUPPORTED_EVAL_FUNCTIONS.has(f));
      if (missing.length === 0) evalSupported++;
      for (const f of new Set(missing)) missingFns.set(f, (missingFns.get(f) ?? 0) + 1);
    }
  }
};
for (const d of detections) visitEval(parseSearch(d.search, macros, { filterMacro: filterOf(d.name) }).pipeline);

let results: { file: string; diags: ReturnType<typeof parseSearch>['diagnostics']; tstats: boolean; search: string }[] =
  [];
for (let r = 0; r < runs; r++) {
  const t0 = performance.now();
  results = detections.map((d) => {
    const p = parseSearch(d.search, macros, { filterMacro: filterOf(d.name) });
    return { file: d.file, diags: p.diagnostics, tstats: findTstats(p.pipeline) !== undefined, search: d.search };
  });
  times.push(performance.now() - t0);
}
times.sort((a, b) => a - b);
// Breakdown and a floor: one charCodeAt pass over every search (the least any parser must do).
const bestOf = (f: () => void) => {
  let b = Infinity;
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    f();
    b = Math.min(b, performance.now() - t0);
  }
  return b;
};
const expanded = detections.map((d) => expandMacros(d.search, macros, { filterMacro: filterOf(d.name) }).text);
const expandOnly = bestOf(() => {
  for (const d of detections) expandMacros(d.search, macros, { filterMacro: filterOf(d.name) });
});
const parseOnly = bestOf(() => {
  for (const t of expanded) parsePipeline(t);
});
let sink = 0;
const floor = bestOf(() => {
  for (const t of expanded) for (let i = 0; i < t.length; i++) sink += t.charCodeAt(i) === 124 ? 1 : 0;
});
const best = times[0];
const median = times[Math.floor(runs / 2)];
const failing = results.filter((r) => r.diags.some((d) => d.severity === 'error'));
const warned = results.filter((r) => r.diags.some((d) => d.severity === 'warning'));
for (const r of warned)
  for (const d of r.diags.filter((x) => x.severity === 'warning'))
    console.log(`  WARN ${r.file} ${d.rule}: ${d.message}`);
const chars = detections.reduce((n, d) => n + d.search.length, 0);
console.log(`spl-corpus: ${detections.length} searches (${(chars / 1024).toFixed(0)} KiB), ${macros.size} macros`);
console.log(
  `  expand+parse all: best ${best.toFixed(1)} ms, median ${median.toFixed(1)} ms (${Math.round((detections.length / best) * 1000)} searches/s)`,
);
console.log(
  `  of which expansion ${expandOnly.toFixed(1)} ms, parsing ${parseOnly.toFixed(1)} ms; floor (one pass over the expanded text) ${floor.toFixed(2)} ms${sink < 0 ? '' : ''}, parse/floor ${(parseOnly / floor).toFixed(0)}x`,
);
console.log(
  `  parsed without error diagnostics: ${detections.length - failing.length}/${detections.length} (${(((detections.length - failing.length) / detections.length) * 100).toFixed(2)}%)`,
);
console.log(
  `  eval/where expressions the local interpreter supports: ${evalSupported}/${evalTotal} (${((evalSupported / Math.max(1, evalTotal)) * 100).toFixed(1)}%); missing: ${[
    ...missingFns,
  ]
    .sort((a, b) => b[1] - a[1])
    .map(([f, n]) => `${f} ${n}`)
    .join(', ')}`,
);
console.log(`  leading tstats: ${results.filter((r) => r.tstats).length}`);
const byRule = new Map<string, number>();
for (const r of failing)
  for (const d of r.diags) if (d.severity === 'error') byRule.set(d.rule, (byRule.get(d.rule) ?? 0) + 1);
console.log(`  error diagnostics by rule: ${[...byRule].map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}`);
for (const r of failing) {
  for (const d of r.diags.filter((x) => x.severity === 'error')) {
    console.log(
      `  FAIL ${r.file} [${d.start}-${d.end}] ${d.rule}: ${d.message} :: ${JSON.stringify(r.search.slice(Math.max(0, d.start - 30), d.end + 30))}`,
    );
  }
}
