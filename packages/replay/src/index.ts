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
export type { Row } from './tstats.js';
export { compilePostCommand, compilePostPipeline, strftimeUtc, REPLAYABLE_COMMANDS, type RowOp } from './post.js';
export {
  defaultCacheDir,
  prepareDetections,
  replayDetection,
  type FileStats,
  type NotReplayable,
  type PreparedDetection,
  type PrepareOptions,
  type ReplayInput,
  type ReplayOptions,
  type ReplayResult,
  type ReplayStats,
} from './engine.js';
export {
  FIXTURE_DIR,
  fixturePathFor,
  defaultDownloadDir,
  attackDataPath,
  parseLfsPointer,
  type FixtureOptions,
} from './fixtures.js';
export { runTests, type RunTestsOptions, type TestCaseResult } from './runner.js';
export { toJUnit } from './junit.js';
