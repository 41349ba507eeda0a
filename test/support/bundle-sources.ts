/**
 * Bundles workspace TypeScript entry points with esbuild as scripts/build.mjs bundles the CLI (the
 * same options: scripts/workspace-bundle.mjs), for tests that need real bundles: worker entry
 * points (which vitest runs in-thread from sources) and the CLI run as a child process.
 */
import { join } from 'node:path';
import { build } from 'esbuild';
import { workspaceBundleOptions } from '../../scripts/workspace-bundle.mjs';

/** The repository root. */
export const REPO_ROOT = join(import.meta.dirname, '..', '..');

/**
 * Bundles each entry (output name → source path) to `<outdir>/<name>.js`. `outdir` should lie
 * inside the repository (under node_modules) so that the bundle resolves third-party packages.
 */
export async function bundleSources(entryPoints: Record<string, string>, outdir: string): Promise<void> {
  await build({ ...workspaceBundleOptions(REPO_ROOT), entryPoints, outdir });
}
