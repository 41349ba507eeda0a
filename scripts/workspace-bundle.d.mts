import type { BuildOptions } from 'esbuild';

/** See workspace-bundle.mjs. */
export function workspaceBundleOptions(root: string): BuildOptions;
