// The esbuild set-up every bundle of dac's TypeScript sources shares: the CLI (scripts/build.mjs),
// the benchmarks (scripts/bench.mjs), the EVTX comparison (scripts/evtx-compare.mjs), and the CLI
// and worker bundles tests make (test/support/bundle-sources.ts). Plain JavaScript so that node
// runs the scripts without a TypeScript loader; workspace-bundle.d.mts types it for the tests.
import { join } from 'node:path';

/**
 * esbuild options (without entry points or output) for an ESM bundle for Node 20 in which the
 * workspace packages (`@dac/<name>`) are bundled from their TypeScript sources under `root`
 * (packages/<name>/src/index.ts) and third-party packages stay external, resolved from
 * node_modules at run time, so a bundle stays small and fast to load.
 */
export function workspaceBundleOptions(root) {
  return {
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
    // Bundled CommonJS code calls require(), which an ES module does not have: give it one.
    banner: {
      js: "import { createRequire as __dacCreateRequire } from 'node:module'; const require = __dacCreateRequire(import.meta.url);",
    },
    plugins: [
      {
        name: 'workspace-sources',
        setup(b) {
          b.onResolve({ filter: /^@dac\// }, (args) => {
            const name = args.path.slice('@dac/'.length).split('/')[0];
            return { path: join(root, 'packages', name, 'src', 'index.ts') };
          });
        },
      },
    ],
  };
}
