/**
 * @dac/search: a streaming SPL pipeline executor driven by the @dac/spl AST — one module per
 * command (./commands), prepared into a typed plan at prepare time, run over events or rows.
 *
 * ```ts
 * const parsed = parseSearch(detection.search, macros);
 * const r = prepareSearch(parsed.pipeline, { lookups, dataModels, now });
 * if (!r.ok) console.log(r.notReplayable.reason);          // "not replayable: command iplocation …"
 * else for await (const row of run(r.plan, events)) print(toSplunkRow(row));
 * ```
 */
export { prepareSearch, run, collect, runBatch, IMPLEMENTED_COMMANDS } from './prepare.js';
export {
  openSearch,
  openSearchNow,
  pushFilter,
  readsEventsOnce,
  KEPT_EVENTS_MAX,
  type PushSearch,
  type OpenSearchOptions,
} from './push.js';
export { streamedPasses, type PassPlan } from './passes.js';
export type { SearchPlan, PrepareResult, NotReplayable } from './prepare.js';
export type {
  PrepareOptions,
  CommandModule,
  PrepareContext,
  CompiledPredicateHook,
  CompiledPredicateRequest,
} from './command.js';
export { SUBSEARCH_MAXOUT, JOIN_SUBSEARCH_MAXOUT, APPEND_MAXOUT } from './command.js';
export type { RunOptions, CommandPlan, PipelinePlan, SubPlan, Sink, Runtime } from './engine.js';
export { COMMANDS, LIVE_STATE_COMMANDS } from './registry.js';
export type {
  Scalar,
  Value,
  Row,
  Event,
  EventSource,
  LookupTable,
  LookupProvider,
  LookupMatchType,
  DataSet,
  DataSetRequest,
  DataModelProvider,
  SearchDiagnostic,
  SearchDiagnosticCode,
  RunWarning,
} from './types.js';
export { toSplunkRow, formatNumber, compareAuto, OUTPUT_SIGNIFICANT_DIGITS } from './values.js';
export { lookupTableFromCsv, lookupProvider, parseMatchType, LOOKUP_DEFAULTS, LookupMatcher } from './lookup.js';
export type { LookupDefinition } from './lookup.js';
export {
  compileSearch,
  formatResults,
  subsearchExpr,
  FORMAT_SKIPS_INTERNAL_FIELDS,
  SEARCH_TEXT_FIELDS,
} from './search-expr.js';
export { AGGREGATE_FUNCTIONS, LIST_MAXSIZE, GROUP_ORDER, PERCENTILE_RANK } from './aggregate.js';
export { parseTimeSpan, bucketStart } from './time-span.js';
export { defaultFieldKey, BUILTIN_DATASET_FIELDS } from './commands/tstats.js';
export { SORT_DEFAULT_LIMIT } from './commands/sort.js';
export { SPATH_EXTRACTION_CUTOFF, SPATH_ARRAY_INDEX_BASE } from './commands/spath.js';
export { LOOKUP_OUTPUT_CLEARS_UNMATCHED } from './commands/lookup.js';
export { TRANSACTION_MAXEVENTS } from './commands/transaction.js';
export { FILLNULL_DEFAULT } from './commands/fillnull.js';
export { CONVERT_DEFAULT_TIMEFORMAT } from './commands/convert.js';
