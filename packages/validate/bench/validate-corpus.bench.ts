// `npm run bench validate`: cold full `dac validate` of the ESCU corpus and of a 2×-replicated copy,
// next to the floor of a bare `yaml` parse of the same files in a cold process, measured in the same run.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { validate } from '@dac/validate';

const repo = resolve(process.env.DAC_REPO_ROOT ?? process.cwd());
const corpus = resolve(repo, '../shared/corpus/escu');
const FOLDERS = ['detections', 'macros', 'stories', 'data_sources', 'lookups'];
const RUNS = Number(process.env.DAC_BENCH_RUNS ?? 3);

if (!existsSync(corpus)) {
  console.log(`skipped: ${corpus} is absent`);
  process.exit(0);
}

function yamlFiles(root: string): string[] {
  const out: string[] = [];
  for (const f of FOLDERS) {
    const dir = join(root, f);
    if (!existsSync(dir)) continue;
    for (const n of readdirSync(dir, { recursive: true }) as string[]) if (/\.ya?ml$/.test(n)) out.push(join(dir, n));
  }
  return out;
}

/**
 * A second copy of every content file with a new name and id (and, for detections, the matching
 * file name and filter macro), so the uniqueness and file-name rules behave as on real content.
 */
function replicate(src: string): string {
  const dst = mkdtempSync(join(tmpdir(), 'dac-bench-escu2x-'));
  cpSync(src, dst, { recursive: true });
  for (const file of yamlFiles(src)) {
    const text = readFileSync(file, 'utf8');
    const rel = file.slice(src.length + 1);
    const folder = rel.split('/')[0]!;
    const stem = rel.slice(rel.lastIndexOf('/') + 1).replace(/\.ya?ml$/, '');
    const snake = folder === 'macros' || folder === 'lookups';
    let out = text.replace(/^name: *(['"]?)(.*?)\1 *$/m, (_m, q: string, v: string) => `name: ${q}${v}${snake ? '_copy2' : ' Copy2'}${q}`);
    out = out.replace(/^id: *(['"]?)([0-9a-fA-F]{8})/m, (_m, q: string) => `id: ${q}c0ffee00`);
    out = out.split(`\`${stem}_filter\``).join(`\`${stem}_copy2_filter\``);
    const target = join(dst, dirname(rel), `${stem}_copy2.yml`);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, out);
  }
  return dst;
}

const FLOOR = `
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';
const t0 = performance.now();
const root = process.argv[1];
let n = 0;
for (const f of ${JSON.stringify(FOLDERS)}) {
  const dir = join(root, f);
  if (!existsSync(dir)) continue;
  for (const name of readdirSync(dir, { recursive: true })) {
    if (!/\\.ya?ml$/.test(name)) continue;
    const text = readFileSync(join(dir, name), 'utf8');
    try { YAML.parse(text); } catch {}
    n++;
  }
}
console.log(JSON.stringify({ files: n, ms: performance.now() - t0 }));
`;

function timeProcess(args: string[]): { wallMs: number; stdout: string; status: number | null } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { cwd: repo, encoding: 'utf8', maxBuffer: 1 << 28 });
  const wallMs = performance.now() - t0;
  if (r.status !== 0 && r.status !== 1) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return { wallMs, stdout: r.stdout, status: r.status };
}

const min = (xs: number[]) => Math.min(...xs);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const f1 = (x: number) => x.toFixed(0).padStart(6);

console.log('building the CLI bundle (scripts/build.mjs)…');
const b = spawnSync(process.execPath, [join(repo, 'scripts/build.mjs')], { cwd: repo, stdio: 'inherit' });
if (b.status !== 0) throw new Error('build failed');
const cli = join(repo, 'packages/cli/dist/dac.js');

const doubled = replicate(corpus);
try {
  for (const [label, root] of [['ESCU corpus', corpus], ['ESCU corpus ×2', doubled]] as const) {
    const files = yamlFiles(root).length;
    const floor: number[] = [], floorWall: number[] = [], dac: number[] = [], dac1: number[] = [], inproc: number[] = [];
    let summary = '';
    for (let i = 0; i < RUNS; i++) {
      const f = timeProcess(['--input-type=module', '-e', FLOOR, root]);
      floor.push(JSON.parse(f.stdout).ms);
      floorWall.push(f.wallMs);
      const d = timeProcess([cli, 'validate', '--content', root, '--format', 'json']);
      dac.push(d.wallMs);
      summary = JSON.stringify(JSON.parse(d.stdout).summary);
      dac1.push(timeProcess([cli, 'validate', '--content', root, '--format', 'json', '--workers', '0']).wallMs);
      const t0 = performance.now();
      await validate({ root, workers: 0 });
      inproc.push(performance.now() - t0);
    }
    console.log(`\n${label}: ${files} YAML files (${root}); ${RUNS} runs, ms min / median; result ${summary}`);
    console.log(`  floor: cold node process, bare YAML.parse   wall ${f1(min(floorWall))} / ${f1(median(floorWall))}   (parse loop ${f1(min(floor))} / ${f1(median(floor))})   ${(files / (min(floorWall) / 1000)).toFixed(0)} files/s`);
    console.log(`  dac validate (cold CLI, 2 workers)          wall ${f1(min(dac))} / ${f1(median(dac))}   ${(files / (min(dac) / 1000)).toFixed(0)} files/s   ${(min(dac) / min(floorWall)).toFixed(2)}× floor`);
    console.log(`  dac validate (cold CLI, --workers 0)        wall ${f1(min(dac1))} / ${f1(median(dac1))}   ${(files / (min(dac1) / 1000)).toFixed(0)} files/s   ${(min(dac1) / min(floorWall)).toFixed(2)}× floor`);
    console.log(`  validate() in-process, in-thread (warm-ish)      ${f1(min(inproc))} / ${f1(median(inproc))}   ${(files / (min(inproc) / 1000)).toFixed(0)} files/s   ${(min(inproc) / min(floor)).toFixed(2)}× parse loop`);
  }
  console.log('\nreference: contentctl 4.4.1 validate of 1,711 ESCU detections: 3.5–4.4 s (escu-app-format.md §9)');
} finally {
  rmSync(doubled, { recursive: true, force: true });
}
