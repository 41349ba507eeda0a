/**
 * @dac/fs: the one file-system layer every command reads and writes through (docs/security.md):
 * reads confined to the content root, atomic writes confined to an output folder, dac's cache and
 * state folders, and sealed markers of what dac wrote.
 */
export { ensureDir, isFileSystemError, userCacheDir, userStateDir } from './dirs.js';
export {
  FsRefusal,
  ConfinedReader,
  confinedRealPath,
  confinedRegularFile,
  isInside,
  readConfinedFile,
  realRoot,
  walkConfined,
  type RefusalReason,
  type WalkEntry,
  type WalkProblem,
} from './confined.js';
export { integrityKey, seal, verifySeal } from './integrity.js';
export {
  MARKER_FILE,
  OutputDir,
  OutputRefusal,
  checkNotOverContent,
  markerText,
  readMarker,
  recoverSwap,
  removeAbandonedTemps,
  swapFolder,
  swapSibling,
  tempSibling,
  writeFileAtomic,
  type Marker,
  type ProtectedRoot,
  type WriteOptions,
} from './output.js';
