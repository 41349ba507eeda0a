export { ASSET_PATHS, ASSETS_ENV, MissingAssetError, assetPath, assetsRoot, type AssetName } from './assets.js';
