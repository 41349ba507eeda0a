export { planTstats, eventKeyOf, suggest, NON_CIM_MODELS, type CimEvent, type TstatsPlan, type MatcherDiagnostic, type MatcherRule } from './plan.js';
export { generateMatcherSource, generateMatcher, tsString, interfaceNameFor, GENERATOR_VERSION, RUNTIME_IMPORT, setConstraintParser, type GeneratedMatcher } from './generate.js';
export {
  compileMatchers, typecheckMatchers, transpileMatcher, loadMatcherModule, runtimeSource, clearMatcherCaches,
  type CompiledMatcher, type CompileOptions, type CompileResult,
} from './compile.js';
