/**
 * @dac/scan: every replayable detection of a content tree over a corpus of logs in one pass —
 * the rule index, the driver (one worker per file), the text/JSON outputs and the ATT&CK report.
 */
export type {
  DetectionRun,
  IndexClause,
  IndexKeys,
  IndexTerm,
  LogReport,
  NotScanned,
  PassKeys,
  ScanDetection,
  ScanHit,
  ScanResult,
  ScanSummary,
} from './types.js';
export { RuleIndex, StreamRouting, type RuleIndexOptions } from './rule-index.js';
export { findLogs, sourcetypeOf, sourcetypeOfLine, LogArgumentError, LOG_EXTENSIONS, type LogFile } from './logs.js';
export { scanFile, scanIndex, type FileScan } from './scan.js';
export {
  LogQueue,
  loadScanContentIn,
  prepareScanIn,
  splitByBytes,
  prepareScan,
  runScan,
  scanJobs,
  scanWorkerEntry,
  startScanWorkers,
  WORKER_MIN_BYTES,
  type MachineLoad,
  type PreparedScan,
  type ScanOptions,
  type ScanWorkers,
} from './run.js';
export { scanDetections } from './detections.js';
export { lazyScanDetections, plainScan, type PlainDetection, type PlainScan } from './lazy.js';
export { detectionKeys, necessaryClauses } from './keys.js';
export {
  loadEntryValues,
  loadScanContent,
  loadScanEntries,
  scanContentOf,
  scanContentOfValues,
  scanEntries,
  type ScanContent,
  type ScanEntries,
  type ScanEntry,
} from './content.js';
export { scanJson, scanText } from './output.js';
export {
  coverage,
  escapeHtml,
  navigatorLayer,
  reportHtml,
  scriptJson,
  writeReport,
  LAYER_VERSIONS,
  TACTICS,
  COLOR_COVERED,
  COLOR_FIRED,
  type TechniqueCoverage,
} from './report.js';
