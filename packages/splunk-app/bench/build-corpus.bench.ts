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

const [tree, loadMs] = time(() => loadContent(corpus));
const t0 = performance.now();
const validation = await validate({ root: corpus, workers: 0 });
const validateMs = performance.now() - t0;
const exclude = new Set(validation.diagnostics.filter((d) => d.severity === 'error').map((d) => d.file));

renderApp(tree, { exclude }); // warm-up (template compile, JIT)
const renderTimes: number[] = [];
let rendered = renderApp(tree, { exclude });
for (let i = 0; i < 5; i++) {
  const [r, t] = time(() => renderApp(tree, { exclude }));
  rendered = r;
  renderTimes.push(t);
}
const out = mkdtempSync(join(tmpdir(), 'dac-build-bench-'));
const buildTimes: number[] = [];
let built = buildApp(tree, { outDir: out, exclude });
for (let i = 0; i < 3; i++) {
  built = buildApp(tree, { outDir: out, exclude });
  buildTimes.push(built.durationMs);
}
if (!built.ok) {
  console.log('build-corpus: the build failed:', built.diagnostics.filter((d) => d.severity === 'error').slice(0, 5));
  process.exit(1);
}

const size = (p: string) => (rendered.files.get(p)?.length ?? 0) / 1024 / 1024;
console.log(`corpus: ${tree.detections.length} detections, ${tree.items.length} content files (${(bytes / 1024 / 1024).toFixed(1)} MB); ` +
  `${exclude.size} files with validation errors left out; built ${rendered.view.detections.length} detections`);
console.log(`output: savedsearches.conf ${size('default/savedsearches.conf').toFixed(1)} MB, analyticstories.conf ${size('default/analyticstories.conf').toFixed(1)} MB, ` +
  `macros.conf ${size('default/macros.conf').toFixed(2)} MB, ${rendered.files.size} files, tar.gz ${(built.tarballBytes / 1024 / 1024).toFixed(2)} MB`);
console.log(`floor (read all content bytes)      ${ms(floorMs)}`);
console.log(`load (YAML with positions)           ${ms(loadMs)}`);
console.log(`validate (in-thread)                 ${ms(validateMs)}`);
console.log(`render app in memory (median of 5)   ${ms(median(renderTimes))}  (${(rendered.view.detections.length / (median(renderTimes) / 1000)).toFixed(0)} detections/s)`);
console.log(`render + write + pack (median of 3)  ${ms(median(buildTimes))}  (write ${ms(built.timings.writeMs)}, pack ${ms(built.timings.packMs)})`);
console.log(`library pipeline load+validate+build ${ms(loadMs + validateMs + median(buildTimes))}`);

const cli = join(repo, 'packages', 'cli', 'dist', 'dac.js');
if (existsSync(cli)) {
  const wall: number[] = [];
  for (let i = 0; i < 3; i++) {
    const s = performance.now();
    const r = spawnSync(process.execPath, [cli, 'build', '--content', corpus, '--out', join(out, 'cli'), '--skip-invalid'], { encoding: 'utf8' });
    wall.push(performance.now() - s);
    if (r.status !== 0) {
      console.log(`CLI build failed (exit ${r.status}): ${r.stderr.slice(-500)}`);
      break;
    }
  }
  const m = median(wall);
  console.log(`end-to-end \`dac build --skip-invalid\` (process wall time, median of ${wall.length}) ${ms(m)}`);
  console.log(`vs contentctl 4.4.1 build (5.4–6.4 s for 1,711 detections): ${(m / 5400).toFixed(2)}–${(m / 6400).toFixed(2)}× its time; ` +
    `per detection ${(m / rendered.view.detections.length).toFixed(2)} ms vs ${(5400 / 1711).toFixed(2)}–${(6400 / 1711).toFixed(2)} ms`);
} else {
  console.log('end-to-end CLI: skipped (run `npm run build` to bundle packages/cli/dist/dac.js)');
}
rmSync(out, { recursive: true, force: true });
