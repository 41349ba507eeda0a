/**
 * `dac build` on the ESCU corpus (../shared/corpus/escu). Prints, for the detections that
 * validate (invalid files left out, like `dac build --skip-invalid`):
 *   - floor: reading every content file's bytes (I/O floor of any build);
 *   - load (YAML with positions), validate, render (app tree in memory), write + pack;
 *   - the end-to-end CLI (`node packages/cli/dist/dac.js build …`) when the bundle exists;
 * and compares with contentctl 4.4.1 building all 1,711 ESCU detections in 5.4–6.4 s on this
 * kind of machine (escu-app-format.md §9).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadContent } from '@dac/content';
import { buildApp, renderApp } from '@dac/splunk-app';
import { validate } from '@dac/validate';

const repo = process.env.DAC_REPO_ROOT ?? process.cwd();
const corpus = resolve(repo, '..', 'shared', 'corpus', 'escu');
if (!existsSync(corpus)) {
  console.log(`build-corpus: skipped (no corpus at ${corpus})`);
  process.exit(0);
}

const ms = (t: number) => `${t.toFixed(0)} ms`;
/** CPU time (user + system) of this process in ms: stable when other jobs load the machine. */
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const cpuOf: Record<string, number> = {};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
function time<T>(f: () => T): [T, number] {
  const t0 = performance.now();
  const r = f();
  return [r, performance.now() - t0];
}

// Floor: read every file under the content folders.
const [bytes, floorMs] = time(() => {
  let n = 0;
  for (const dir of ['detections', 'macros', 'stories', 'data_sources', 'lookups']) {
    const d = join(corpus, dir);
    for (const rel of readdirSync(d, { recursive: true }) as string[]) {
      const p = join(d, rel);
      if (statSync(p).isFile()) n += readFileSync(p).length;
    }
  }
  return n;
});

let c0 = cpu();
const [tree, loadMs] = time(() => loadContent(corpus));
cpuOf.load = cpu() - c0;
const t0 = performance.now();
c0 = cpu();
const validation = await validate({ root: corpus, workers: 0 }); // loads the YAML again, as the CLI does
cpuOf.validate = cpu() - c0;
const validateMs = performance.now() - t0;
const exclude = new Set(validation.diagnostics.filter((d) => d.severity === 'error').map((d) => d.file));

renderApp(tree, { exclude }); // warm-up (template compile, JIT)
const renderTimes: number[] = [];
const renderCpu: number[] = [];
let rendered = renderApp(tree, { exclude });
for (let i = 0; i < 5; i++) {
  const c = cpu();
  const [r, t] = time(() => renderApp(tree, { exclude }));
  renderCpu.push(cpu() - c);
  rendered = r;
  renderTimes.push(t);
}
const out = mkdtempSync(join(tmpdir(), 'dac-build-bench-'));
const buildTimes: number[] = [];
const buildCpu: number[] = [];
let built = buildApp(tree, { outDir: out, exclude });
for (let i = 0; i < 3; i++) {
  const c = cpu();
  built = buildApp(tree, { outDir: out, exclude });
  buildCpu.push(cpu() - c);
  buildTimes.push(built.durationMs);
}
if (!built.ok) {
  console.log('build-corpus: the build failed:', built.diagnostics.filter((d) => d.severity === 'error').slice(0, 5));
  process.exit(1);
}

const size = (p: string) => (rendered.files.get(p)?.length ?? 0) / 1024 / 1024;
console.log(
  `corpus: ${tree.detections.length} detections, ${tree.items.length} content files (${(bytes / 1024 / 1024).toFixed(1)} MB); ` +
    `${exclude.size} files with validation errors left out; built ${rendered.view.detections.length} detections`,
);
console.log(
  `output: savedsearches.conf ${size('default/savedsearches.conf').toFixed(1)} MB, analyticstories.conf ${size('default/analyticstories.conf').toFixed(1)} MB, ` +
    `macros.conf ${size('default/macros.conf').toFixed(2)} MB, ${rendered.files.size} files, tar.gz ${(built.tarballBytes / 1024 / 1024).toFixed(2)} MB`,
);
console.log(
  `load average ${(await import('node:os'))
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(
      ' ',
    )} on ${(await import('node:os')).availableParallelism()} CPUs (wall times inflate under load; CPU times do not)`,
);
console.log(`floor (read all content bytes)       wall ${ms(floorMs)}`);
console.log(`load (YAML with positions)           wall ${ms(loadMs)}, cpu ${ms(cpuOf.load!)}`);
console.log(`validate (in-thread)                 wall ${ms(validateMs)}, cpu ${ms(cpuOf.validate!)}`);
console.log(
  `render app in memory (median of 5)   wall ${ms(median(renderTimes))}, cpu ${ms(median(renderCpu))}  (${(rendered.view.detections.length / (median(renderCpu) / 1000)).toFixed(0)} detections per cpu-second)`,
);
console.log(
  `render + write + pack (median of 3)  wall ${ms(median(buildTimes))}, cpu ${ms(median(buildCpu))}  (write ${ms(built.timings.writeMs)}, pack ${ms(built.timings.packMs)} wall)`,
);
console.log(
  `pipeline as the CLI runs it: validate (incl. load) + build  wall ${ms(validateMs + median(buildTimes))}, cpu ${ms(cpuOf.validate! + median(buildCpu))}`,
);

const cli = join(repo, 'packages', 'cli', 'dist', 'dac.js');
if (existsSync(cli)) {
  const wall: number[] = [];
  const childCpu: number[] = [];
  // Linux: CPU time of waited-for children (cutime + cstime, clock ticks of 10 ms) from /proc/self/stat.
  const childTicks = () => {
    try {
      const f = readFileSync('/proc/self/stat', 'utf8')
        .slice(readFileSync('/proc/self/stat', 'utf8').lastIndexOf(')') + 2)
        .split(' ');
      return (Number(f[13]) + Number(f[14])) * 10;
    } catch {
      return NaN;
    }
  };
  for (let i = 0; i < 3; i++) {
    const s = performance.now();
    const c = childTicks();
    const r = spawnSync(
      process.execPath,
      [cli, 'build', '--content', corpus, '--out', join(out, 'cli'), '--skip-invalid'],
      { encoding: 'utf8' },
    );
    wall.push(performance.now() - s);
    childCpu.push(childTicks() - c);
    if (r.status !== 0) {
      console.log(`CLI build failed (exit ${r.status}): ${r.stderr.slice(-500)}`);
      break;
    }
  }
  const m = median(wall);
  const mc = median(childCpu);
  console.log(
    `end-to-end \`dac build --skip-invalid\` (median of ${wall.length}): wall ${ms(m)}, cpu ${Number.isNaN(mc) ? 'n/a' : ms(mc)}`,
  );
  for (const [what, t] of [
    ['wall', m],
    ['cpu', mc],
  ] as const) {
    if (Number.isNaN(t)) continue;
    console.log(
      `  ${what}: ${(t / 5400).toFixed(2)}–${(t / 6400).toFixed(2)}× contentctl 4.4.1's 5.4–6.4 s wall for 1,711 detections; ` +
        `${(t / rendered.view.detections.length).toFixed(2)} ms per detection vs its ${(5400 / 1711).toFixed(2)}–${(6400 / 1711).toFixed(2)} ms`,
    );
  }
} else {
  console.log('end-to-end CLI: skipped (run `npm run build` to bundle packages/cli/dist/dac.js)');
}
rmSync(out, { recursive: true, force: true });
