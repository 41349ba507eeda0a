/**
 * The one place that knows where dac's own data files are: the JSON Schemas, the CIM data models
 * and macros, the ATT&CK technique list, the Splunk app templates and the matcher runtime source.
 *
 * Every asset has one path relative to an asset root (../assets.json). The root is, in this order:
 * 1. `DAC_ASSETS` (an embedder's or benchmark's override): a folder laid out like the repository;
 * 2. running from TypeScript sources (vitest, tsc): the repository, three levels above this module;
 * 3. running from a bundle (packages/cli/dist/dac.js, its workers, an installed CLI): the `assets/`
 *    folder beside the bundle, which scripts/build.mjs fills with the same paths.
 * The root is derived from this module's own URL, never from the working directory or by walking up
 * the file system, so an installed CLI finds its assets wherever it is installed.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import table from '../assets.json';

/** Names of the bundled assets. */
export type AssetName = keyof typeof table;

/** Asset paths relative to the asset root (what scripts/build.mjs copies into packages/cli/dist/assets). */
export const ASSET_PATHS: Readonly<Record<AssetName, string>> = table;

/** The environment variable that overrides the asset root. */
export const ASSETS_ENV = 'DAC_ASSETS';

/** An asset that is not where it must be: an installation fault, not a user error. */
export class MissingAssetError extends Error {
  constructor(
    readonly asset: AssetName,
    readonly path: string,
  ) {
    super(
      `cannot find dac's ${asset} data at ${path}; the installation is incomplete (rebuild with npm run build, or set ${ASSETS_ENV} to a folder laid out like the dac repository)`,
    );
    this.name = 'MissingAssetError';
  }
}

/** The folder asset paths are relative to (see the module comment for the order). */
export function assetsRoot(moduleUrl: string = import.meta.url, env: NodeJS.ProcessEnv = process.env): string {
  const forced = env[ASSETS_ENV];
  if (forced) return forced;
  if (!moduleUrl.startsWith('file:'))
    throw new Error(`dac runs from a module that is not a file (${moduleUrl.slice(0, 40)}); set ${ASSETS_ENV}`);
  // Source layout: packages/assets/src/assets.ts → the repository root.
  if (/\.[cm]?ts$/.test(moduleUrl)) return fileURLToPath(new URL('../../../', moduleUrl));
  return fileURLToPath(new URL('./assets/', moduleUrl));
}

/** Absolute path of an asset; throws MissingAssetError when it is not there. */
export function assetPath(name: AssetName): string {
  const path = join(assetsRoot(), ASSET_PATHS[name]);
  if (!existsSync(path)) throw new MissingAssetError(name, path);
  return path;
}
