import { filterMacroName, type Position } from '@dac/content';
import { loadDataModels, type DataModels } from '@dac/cim';
import {
  findTstats,
  outputFields,
  parseSearch,
  searchMacroTable,
  type MacroTable,
  type ParsedSearch,
  type TstatsCommand,
} from '@dac/spl';
import type { FileContext, SharedSettings } from './types.js';

/**
 * A detection's search as the SPL-backed rules see it: macro-expanded and parsed ONCE per file
 * (lazily, on the first rule that asks) and shared by every rule.
 */
export interface SearchAnalysis {
  parsed: ParsedSearch;
  /** Position in the YAML file of a character of the ORIGINAL search string. */
  position(offset: number): Position;
  /** Position in the YAML file of a character of the EXPANDED search (AST spans). */
  positionOfExpanded(offset: number): Position;
  /** Fields the whole pipeline outputs; `complete` false when unknowable (computed on first use). */
  outputs(): { fields: Set<string>; complete: boolean };
  /** The leading `| tstats` command, if any. */
  tstats(): TstatsCommand | undefined;
  /** The CIM data models (read once per thread, on first use). */
  dataModels(): DataModels;
}

const macroTables = new WeakMap<SharedSettings, MacroTable>();

/** The CIM add-on's macros overlaid with the content's own (content wins), once per thread and run. */
export function macroTable(settings: SharedSettings): MacroTable {
  let t = macroTables.get(settings);
  if (!t) {
    t = searchMacroTable(settings.macros);
    macroTables.set(settings, t);
  }
  return t;
}

/** Builds the analysis of a detection's `search` (undefined when it is not a string). */
export function analyzeSearch(ctx: FileContext): SearchAnalysis | undefined {
  const detection = ctx.detection;
  const search = detection?.search;
  if (!search || search.value === undefined || ctx.schemaFailed(search)) return undefined;
  const name = detection.name.value;
  const parsed = parseSearch(
    search.value,
    macroTable(ctx.settings),
    name !== undefined ? { filterMacro: filterMacroName(name) } : {},
  );
  let outputs: { fields: Set<string>; complete: boolean } | undefined;
  let tstats: TstatsCommand | undefined | null = null;
  const position = (offset: number) => ctx.posInValue(search, offset);
  return {
    parsed,
    position,
    positionOfExpanded: (offset) => position(parsed.toOriginal(offset)),
    outputs: () => (outputs ??= outputFields(parsed.pipeline)),
    tstats: () => (tstats === null ? (tstats = findTstats(parsed.pipeline)) : tstats),
    dataModels: loadDataModels,
  };
}
