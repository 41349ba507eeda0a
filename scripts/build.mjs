// Bundles the CLI (and its worker entry points) into packages/cli/dist with esbuild, and copies
// dac's data files (packages/assets/assets.json) into packages/cli/dist/assets, where @dac/assets
// finds them from the bundle. Workspace packages are TypeScript sources; third-party dependencies
// stay external (resolved from node_modules at run time) so the bundle stays small and fast to load.
import { build } from 'esbuild';
import { cpSync, existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { workspaceBundleOptions } from './workspace-bundle.mjs';

const root = new URL('..', import.meta.url).pathname;
// DAC_BUILD_OUT: another output folder (test/cli/install.test.ts packs a fresh build from one
// without touching packages/cli/dist, which other tests may be running).
const outDir = process.env.DAC_BUILD_OUT || join(root, 'packages/cli/dist');
const entryPoints = { dac: join(root, 'packages/cli/src/main.ts') };
// Any package may ship worker entry points as src/*.worker.ts; they are bundled beside the CLI.
for (const pkg of readdirSync(join(root, 'packages'))) {
  const src = join(root, 'packages', pkg, 'src');
  if (!existsSync(src)) continue;
  for (const f of readdirSync(src)) {
    if (f.endsWith('.worker.ts')) entryPoints[`${pkg}-${f.replace(/\.ts$/, '')}`] = join(src, f);
  }
}
await build({ ...workspaceBundleOptions(root), entryPoints, outdir: outDir, sourcemap: true });

// The assets, at the same relative paths as in the repository (see packages/assets/src/assets.ts).
const assetsDir = join(outDir, 'assets');
rmSync(assetsDir, { recursive: true, force: true });
for (const rel of Object.values(JSON.parse(readFileSync(join(root, 'packages/assets/assets.json'), 'utf8'))))
  cpSync(join(root, rel), join(assetsDir, rel), { recursive: true });
