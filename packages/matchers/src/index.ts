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
