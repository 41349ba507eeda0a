/**
 * @dac/spl: the SPL front end — macro expansion with a source map, a lexer and parser producing
 * the AST of ./ast.ts with positions on every node, and the reference interpreter of Splunk's
 * search-language semantics.
 */
import type { Pipeline, Span } from './ast.js';
import type { SplDiagnostic } from './diagnostics.js';
import { type MacroTable, expandMacros } from './macros.js';
import { parsePipeline } from './parser.js';

export type {
  AggregateCall,
  Argument,
  Command,
  CompareOp,
  EvalAssignment,
  EvalBinaryOp,
  EvalExpr,
  GenericCommand,
  Literal,
  Pipeline,
  SearchCommand,
  SearchExpr,
  Span,
  TstatsCommand,
} from './ast.js';
export {
  SPL_RULE_OF,
  describeExpansion,
  describeSplIssue,
  renderSplMessage,
  type MacroFrame,
  type SplCode,
  type SplDiagnostic,
  type SplIssue,
  type SplRule,
} from './diagnostics.js';
export { macroKey, macroTableFrom, expandMacros, parseMacroCall, STRIP_QUOTES_FROM_MACRO_ARGUMENTS } from './macros.js';
export type { MacroDefinition, MacroTable, Expansion, ExpansionWithSpans, ExpandOptions } from './macros.js';
export { macrosFromConf } from './conf.js';
export { builtinMacros } from './builtin-macros.js';
export { contentMacroTable, macroDefinitionOf, macroDefinitions, searchMacroTable } from './content-macros.js';
export { parsePipeline, MAX_NESTING } from './parser.js';
export {
  evaluateSearch,
  matchesValue,
  compareValues,
  wildcardMatch,
  asNumber,
  compareCodePoints,
  holds,
  NUMERIC_EQUALITY,
  TIME_MODIFIERS,
  isTimeModifier,
  termMatches,
  lowerCased,
  detachedString,
} from './semantics.js';
export type { FieldValue } from './semantics.js';
export { findTstats, outputFields, aggregateOutputName } from './analysis.js';
export { unescapeSpl } from './text.js';
export { EXTERNAL_LOOKUPS, EXTERNAL_MACROS, externalLookupSource, externalMacroSource } from './external.js';
export { closestName, editDistance, maxSuggestionDistance } from './suggest.js';
export { formatSearchExpr, quoteSplValue } from './printer.js';
export {
  evaluateEval,
  evaluateWhere,
  applyEvalAssignments,
  likeMatch,
  cidrMatch,
  relativeTime,
  SUPPORTED_EVAL_FUNCTIONS,
} from './eval.js';
export type { EvalValue, EvalRow, EvalResult, EvalOptions } from './eval.js';
export { jsonPath, printf, TIME_UNITS, TIME_UNIT_SECONDS, type TimeUnit } from './eval.js';
export { strftime, strptime } from './time.js';
export { translatePcre, compilePcre } from './regex.js';
export type { PcreTranslation } from './regex.js';

export interface ParsedSearch {
  /** The macro-expanded search that was parsed (AST spans are offsets into it). */
  expanded: string;
  pipeline: Pipeline;
  usedMacros: string[];
  /** Expansion and parse diagnostics, with offsets into the ORIGINAL search string. */
  diagnostics: SplDiagnostic[];
  /** Maps an offset of `expanded` (e.g. an AST span) to the original search string. */
  toOriginal(offset: number): number;
  /**
   * Maps a span of `expanded` to the original: text copied from the original maps exactly; a span
   * inside a macro's expansion maps to the whole macro call.
   */
  toOriginalSpan(span: Span): Span;
}

/** Expands macros, parses the result, and maps every diagnostic back to the original string. */
export function parseSearch(
  search: string,
  macros: MacroTable,
  options: { filterMacro?: string; maxDepth?: number; maxLength?: number } = {},
): ParsedSearch {
  const exp = expandMacros(String(search ?? ''), macros, options);
  const parsed = parsePipeline(exp.text);
  const diagnostics: SplDiagnostic[] = [...exp.diagnostics];
  for (const d of parsed.diagnostics) {
    const start = exp.toOriginal(d.start);
    const end = d.end > d.start ? exp.toOriginalEnd(d.end - 1) : start;
    diagnostics.push({ ...d, start, end: Math.max(start, end) });
  }
  diagnostics.sort((a, b) => a.start - b.start || a.end - b.end);
  const toOriginalSpan = (s: Span): Span => {
    const start = exp.toOriginal(s.start);
    return { start, end: s.end > s.start ? Math.max(start, exp.toOriginalEnd(s.end - 1)) : start };
  };
  return {
    expanded: exp.text,
    pipeline: parsed.pipeline,
    usedMacros: exp.usedMacros,
    diagnostics,
    toOriginal: exp.toOriginal,
    toOriginalSpan,
  };
}
