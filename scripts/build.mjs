// Bundles the CLI (and its worker entry points) into packages/cli/dist with esbuild, and copies
// dac's data files (packages/assets/assets.json) into packages/cli/dist/assets, where @dac/assets
// finds them from the bundle. Workspace packages are TypeScript sources.
//
// Third-party dependencies are bundled too, except the few in KEEP_EXTERNAL. Loaded from
// node_modules they cost every command, even `dac --help`, ~0.4 s of CPU before any work: yaml
// alone is 72 CommonJS files, and handlebars, js-yaml, source-map, fast-xml-parser... are read,
// compiled and run through Node's CommonJS export scanner one file at a time (166 files). In the
// bundle they are one already-scanned file (measured: `dac --help` 0.50 -> 0.30 s CPU). Their
// licence texts go to dist/THIRD-PARTY-LICENSES.txt (written below from the bundle's inputs).
import { build } from 'esbuild';
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
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
// typescript (9 MB) and ts-morph are only loaded, lazily, by `dac compile` / matchers
// (packages/matchers/src/lazy-deps.ts): bundling them would make every start-up parse them.
const KEEP_EXTERNAL = ['typescript', 'ts-morph'];
const { packages: _external, ...options } = workspaceBundleOptions(root);
const result = await build({
  ...options,
  external: KEEP_EXTERNAL,
  entryPoints,
  outdir: outDir,
  sourcemap: true,
  metafile: true,
});

// The licence of every third-party package now inside the bundle, sorted by name so the build
// stays deterministic. A package's folder is the nearest one above a bundled file with a
// package.json naming it (so nested node_modules copies count separately).
const bundled = new Map();
for (const input of Object.keys(result.metafile.inputs)) {
  const at = input.lastIndexOf('node_modules/');
  if (at < 0) continue;
  let dir = dirname(join(root, input));
  while (!existsSync(join(dir, 'package.json')) || !JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).name)
    dir = dirname(dir);
  bundled.set(dir, JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')));
}
// A package that ships no licence file of its own, and the package of the same repository whose
// licence file covers it (@changesets/parse: MIT, repository changesets/changesets).
const LICENCE_FROM = { '@changesets/parse': '@changesets/cli' };
const notices = [...bundled]
  .map(([dir, pkg]) => {
    const licenceOf = (d) =>
      readdirSync(d)
        .sort()
        .find((f) => /^(licen[cs]e|copying)(\.|$)/i.test(f));
    let file = licenceOf(dir);
    if (!file && LICENCE_FROM[pkg.name]) {
      dir = join(root, 'node_modules', LICENCE_FROM[pkg.name]);
      file = licenceOf(dir);
    }
    if (!file) throw new Error(`build: ${pkg.name} is bundled but ships no licence file (${dir})`);
    const text = readFileSync(join(dir, file), 'utf8').trim();
    return {
      id: `${pkg.name}@${pkg.version}`,
      text: `${pkg.name}@${pkg.version} (${pkg.license ?? 'see below'})\n\n${text}\n`,
    };
  })
  .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  .filter((n, i, all) => i === 0 || all[i - 1].id !== n.id);
writeFileSync(
  join(outDir, 'THIRD-PARTY-LICENSES.txt'),
  `Third-party code bundled into dac.js and the *.worker.js files, with its licence.\n\n${notices
    .map((n) => n.text)
    .join(`\n${'-'.repeat(78)}\n\n`)}`,
);

// The assets, at the same relative paths as in the repository (see packages/assets/src/assets.ts).
const assetsDir = join(outDir, 'assets');
rmSync(assetsDir, { recursive: true, force: true });
for (const rel of Object.values(JSON.parse(readFileSync(join(root, 'packages/assets/assets.json'), 'utf8'))))
  cpSync(join(root, rel), join(assetsDir, rel), { recursive: true });
