export type { CimEvent, MatcherDiagnostic, MatcherRule } from './types.js';
export {
  generateMatcherSource,
  generateMatcher,
  generateDatasetTypesSource,
  datasetTypesModule,
  tsString,
  interfaceNameFor,
  GENERATOR_VERSION,
  RUNTIME_IMPORT,
  MAX_CHAIN,
  DEFAULT_MAX_WHERE_TERMS,
  countWhereTerms,
  type GenerateOptions,
  type GeneratedMatcher,
} from './generate.js';
export {
  compileMatchers,
  typecheckMatchers,
  supportModules,
  transpileMatcher,
  loadMatcherModule,
  runtimeSource,
  clearMatcherCaches,
  type CompiledMatcher,
  type CompileOptions,
  type CompileResult,
} from './compile.js';
export { detectionSearches, toContentDiagnostic, type DetectionSearch } from './content.js';
export { corpusFigures, formatFigures, inBasicSubset, type CorpusFigures } from './corpus.js';
export { matcherCacheDir } from './cache-dir.js';
export {
  generateSearchMatcher,
  generateStreamTypesSource,
  streamTypesModule,
  streamInterfaceName,
  streamMayMatch,
  flattenSearch,
  DEFAULT_SEARCH_FIELDS,
  SEARCH_GENERATOR_VERSION,
  type StreamField,
  type StreamFieldTable,
  type GeneratedSearchMatcher,
} from './generate-search.js';
export {
  compileSearchMatchers,
  clearSearchMatcherCaches,
  compiledPredicateHook,
  searchExprKey,
  streamSupportModules,
  type CompiledSearchMatcher,
  type CompileSearchResult,
  type PredicateRequest,
} from './compile-search.js';
