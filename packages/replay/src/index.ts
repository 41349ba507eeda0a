export * from './readers/index.js';
export * from './tstats.js';
export { compilePostCommand, compilePostPipeline, strftimeUtc, REPLAYABLE_COMMANDS, type RowOp } from './post.js';
export * from './engine.js';
export * from './fixtures.js';
export * from './runner.js';
export * from './junit.js';
