export {
  SUPPORTED_SOURCETYPES,
  formatFor,
  readFixture,
  issuePosition,
  parseEventXml,
  readEvtx,
  readEvtxFile,
  evtxFileSource,
  FILE_READ_SIZE,
  sniffLogFile,
  type EvtxIssue,
  type EvtxReadOptions,
  type EvtxRecord,
  type FixtureFormat,
  type ReadResult,
} from './readers/index.js';
export {
  contentContext,
  contentLookups,
  extractEvent,
  prepareDetection,
  prepareDetections,
  searchDataModels,
  type ContentContext,
  type DetectionInput,
  type DetectionPlan,
  type DetectionRun,
  type NotReplayable,
  type PrepareDetectionOptions,
  type PreparedDetection,
  type Row,
} from './prepared.js';
export {
  replayFiles,
  type FileStats,
  type ReplayInput,
  type ReplayOptions,
  type ReplayResult,
  type ReplayStats,
} from './replay.js';
export {
  FIXTURE_DIR,
  fixturePathFor,
  defaultDownloadDir,
  attackDataPath,
  parseLfsPointer,
  type FixtureOptions,
} from './fixtures.js';
export { judge, runTests, type RunTestsOptions, type TestCaseResult } from './runner.js';
export { toJUnit } from './junit.js';
export { planDetections, topReasons, type PlanEntry, type PlanReport } from './plan.js';
