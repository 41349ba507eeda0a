// `npm run bench`: bundles every packages/*/bench/*.bench.ts with esbuild and runs each in its own
// node process, in name order. Benchmarks print their own figures (and ratios against a floor
// measured in the same run). Corpus-scale benchmarks skip cleanly when ../shared is absent.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { workspaceBundleOptions } from './workspace-bundle.mjs';

const root = new URL('..', import.meta.url).pathname.replace(/\/$/, '');
const only = process.argv.slice(2);
const files = [];
for (const pkg of readdirSync(join(root, 'packages')).sort()) {
  const dir = join(root, 'packages', pkg, 'bench');
  if (!existsSync(dir)) continue;
  for (const f of readdirSync(dir).sort()) {
    if (f.endsWith('.bench.ts') && (only.length === 0 || only.some((o) => f.includes(o) || pkg.includes(o))))
      files.push(join(dir, f));
  }
}
// Inside the repository so that bundled code resolves third-party packages from node_modules.
const out = mkdtempSync(join(root, 'node_modules', '.dac-bench-'));
let failed = 0;
try {
  for (const file of files) {
    const outfile = join(out, file.slice(root.length).replace(/[\\/]/g, '_').replace(/\.ts$/, '.mjs'));
    await build({ ...workspaceBundleOptions(root), entryPoints: [file], outfile });
    console.log(`\n=== ${file.slice(root.length + 1)} ===`);
    // DAC_BENCH_NODE_ARGS: extra node flags for profiling (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof").
    const extra = (process.env.DAC_BENCH_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
    const r = spawnSync(process.execPath, ['--expose-gc', ...extra, outfile], {
      stdio: 'inherit',
      cwd: root,
      // Benchmarks are bundled outside packages/cli/dist: their assets are the repository's own.
      env: { ...process.env, DAC_REPO_ROOT: root, DAC_ASSETS: root },
    });
    if (r.status !== 0) failed++;
  }
} finally {
  if (!process.env.DAC_BENCH_KEEP) rmSync(out, { recursive: true, force: true });
  else console.log(`bundles kept in ${out}`);
}
if (files.length === 0) console.log('no benchmarks found');
process.exit(failed ? 1 : 0);
