// `npm run bench validate`: cold full validation of the ESCU corpus and of a 2×-replicated copy, next
// to the floor of a bare `yaml` parse of the same files in a cold process, measured in the same run.
// Rows: validate() in a fresh process with 2 threads (this thread + 1 worker) and with 1; and the
// `dac validate` CLI, which also pays the CLI bundle's start-up (every command's imports).
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { validate } from '@dac/validate';

const repo = resolve(process.env.DAC_REPO_ROOT ?? process.cwd());
const corpus = resolve(repo, '../shared/corpus/escu');
const FOLDERS = ['detections', 'macros', 'stories', 'data_sources', 'lookups'];
const RUNS = Number(process.env.DAC_BENCH_RUNS ?? 3);

// Child mode: one cold validate() in this fresh process (no CLI around it), then exit.
if (process.argv[2] === '--child') {
  const t0 = performance.now();
  const r = await validate({ root: process.argv[3]!, workers: Number(process.argv[4]) });
  const cpu = process.cpuUsage();
  console.log(
    JSON.stringify({
      ms: performance.now() - t0,
      cpuMs: (cpu.user + cpu.system) / 1000,
      errors: r.errors,
      warnings: r.warnings,
      files: r.files,
    }),
  );
  process.exit(0);
}

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
 * A second copy of every content file, in a `copy2/` subfolder of its kind's folder, made unique
 * without changing any length: the name's letters swap case (`Windows …` → `wINDOWS …`, same
 * snake_case file name and stanza length) and every hex digit of the id is complemented (a valid,
 * distinct UUID). Uniqueness, file-name and stanza-length rules thus behave as on real content.
 */
function replicate(src: string): string {
  const dst = mkdtempSync(join(tmpdir(), 'dac-bench-escu2x-'));
  cpSync(src, dst, { recursive: true });
  const swap = (v: string) =>
    v.replace(/[A-Za-z]/g, (c) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase()));
  for (const file of yamlFiles(src)) {
    const rel = file.slice(src.length + 1);
    const slash = rel.indexOf('/');
    let out = readFileSync(file, 'utf8');
    out = out.replace(/^name: *(['"]?)(.*?)\1 *$/m, (_m, q: string, v: string) => `name: ${q}${swap(v)}${q}`);
    out = out.replace(
      /^id: *(['"]?)([0-9a-fA-F-]{36})/m,
      (_m, q: string, id: string) =>
        `id: ${q}${id.replace(/[0-9a-fA-F]/g, (h) => (15 - parseInt(h, 16)).toString(16))}`,
    );
    const target = join(dst, rel.slice(0, slash), 'copy2', rel.slice(slash + 1));
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
const cpu = process.cpuUsage();
console.log(JSON.stringify({ files: n, ms: performance.now() - t0, cpuMs: (cpu.user + cpu.system) / 1000 }));
`;

function timeProcess(
  args: string[],
  env: Record<string, string> = {},
): { wallMs: number; stdout: string; status: number | null } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, {
    cwd: repo,
    encoding: 'utf8',
    maxBuffer: 1 << 28,
    env: { ...process.env, ...env },
  });
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
const worker = join(repo, 'packages/cli/dist/validate-check.worker.js');
const self = process.argv[1]!;
const cliStart = timeProcess([cli, '--help']).wallMs;
console.log(
  `CLI bundle start-up alone (dac --help): ${cliStart.toFixed(0)} ms; machine load average ${loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')}`,
);

const doubled = replicate(corpus);
try {
  for (const [label, root] of [
    ['ESCU corpus', corpus],
    ['ESCU corpus ×2', doubled],
  ] as const) {
    const files = yamlFiles(root).length;
    const floor: number[] = [],
      floorWall: number[] = [],
      floorCpu: number[] = [];
    const v2: number[] = [],
      v2Cpu: number[] = [],
      v1: number[] = [],
      v1Cpu: number[] = [],
      cliWall: number[] = [];
    let summary = '';
    for (let i = 0; i < RUNS; i++) {
      const f = timeProcess(['--input-type=module', '-e', FLOOR, root]);
      const fj = JSON.parse(f.stdout) as { ms: number; cpuMs: number };
      floor.push(fj.ms);
      floorCpu.push(fj.cpuMs);
      floorWall.push(f.wallMs);
      const two = timeProcess([self, '--child', root, '2'], { DAC_VALIDATE_WORKER: worker });
      const tj = JSON.parse(two.stdout) as { cpuMs: number; errors: number; warnings: number; files: number };
      v2.push(two.wallMs);
      v2Cpu.push(tj.cpuMs);
      summary = `${tj.files} files checked, ${tj.errors} errors, ${tj.warnings} warnings`;
      const one = timeProcess([self, '--child', root, '0']);
      v1.push(one.wallMs);
      v1Cpu.push((JSON.parse(one.stdout) as { cpuMs: number }).cpuMs);
      cliWall.push(timeProcess([cli, 'validate', '--content', root, '--format', 'json']).wallMs);
    }
    const fw = min(floorWall);
    const fc = min(floorCpu);
    const row = (name: string, xs: number[], cpu?: number[]) =>
      console.log(
        `  ${name.padEnd(44)} wall ${f1(min(xs))} / ${f1(median(xs))} ms  ${(files / (min(xs) / 1000)).toFixed(0).padStart(5)} files/s  ${(min(xs) / fw).toFixed(2)}× floor` +
          (cpu ? `   cpu ${f1(min(cpu))} ms (${(min(cpu) / fc).toFixed(2)}× floor cpu)` : ''),
      );
    console.log(`\n${label}: ${files} YAML files; ${RUNS} runs each, min / median; ${summary}`);
    row('floor: cold node, read + bare YAML.parse', floorWall, floorCpu);
    console.log(`  ${''.padEnd(44)} (parse loop alone ${f1(min(floor))} / ${f1(median(floor))} ms)`);
    row('validate(), cold process, 2 threads', v2, v2Cpu);
    row('validate(), cold process, 1 thread', v1, v1Cpu);
    row('npx dac validate (CLI bundle, 2 threads)', cliWall);
  }
  console.log('\nreference: contentctl 4.4.1 validate of 1,711 ESCU detections: 3.5–4.4 s (escu-app-format.md §9)');
} finally {
  rmSync(doubled, { recursive: true, force: true });
}
