import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ASSET_PATHS, ASSETS_ENV, MissingAssetError, assetPath, assetsRoot, type AssetName } from './assets.js';

const repo = join(import.meta.dirname, '..', '..', '..');

describe('asset location', () => {
  afterEach(() => {
    delete process.env[ASSETS_ENV];
  });

  it('from sources, every asset is found in the repository', () => {
    for (const name of Object.keys(ASSET_PATHS) as AssetName[]) {
      expect(assetPath(name)).toBe(join(repo, ASSET_PATHS[name]));
      expect(existsSync(assetPath(name))).toBe(true);
    }
  });

  it('from a bundle, the root is the assets/ folder beside the bundle, wherever it is installed', () => {
    expect(assetsRoot('file:///opt/lib/node_modules/@dac/cli/dist/dac.js', {})).toBe(
      '/opt/lib/node_modules/@dac/cli/dist/assets/',
    );
    expect(assetsRoot('file:///x/dist/validate-check.worker.js', {})).toBe('/x/dist/assets/');
  });

  it('DAC_ASSETS overrides the root', () => {
    expect(assetsRoot('file:///x/dist/dac.js', { [ASSETS_ENV]: '/elsewhere' })).toBe('/elsewhere');
  });

  it('a missing asset is a plain installation error naming the path', () => {
    process.env[ASSETS_ENV] = '/nonexistent-dac-assets';
    expect(() => assetPath('templates')).toThrow(MissingAssetError);
    expect(() => assetPath('templates')).toThrow(/\/nonexistent-dac-assets\/templates/);
  });
});
