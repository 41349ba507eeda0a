export {
  checkVersions,
  changedDateRule,
  todayUtc,
  BUMP_ORDER,
  type VersionCheckOptions,
  type VersionCheckResult,
  type DetectionReport,
  type ContentChange,
  type BumpLevel,
  type DetectionStatusChange,
} from './check.js';
export { VersioningError, resolveBase, listTree, readBlobs, gitBlobId, type GitBase } from './git.js';
export { loadComparison, kindOfPath, type Comparison, type SideFile, type FileKind } from './compare.js';
export { canonicalJson, meaningHash } from './canonical.js';
export { applyFixes, type AppliedFix, type PlannedFix } from './fix.js';
export { checkChangesets, type ChangesetReport } from './changesets.js';
export { affectedDetections, macrosIn, lookupsIn, type AffectedDetection } from './affected.js';
export { changedFiles, materializeBase, type MaterializedBase } from './materialize.js';
