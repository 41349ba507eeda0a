import {
  filterMacroName,
  nodeAt,
  positionInScalar,
  type ContentItem,
  type ContentTree,
  type Diagnostic,
} from '@dac/content';
import {
  contentMacroTable,
  findTstats,
  parseSearch,
  type MacroTable,
  type ParsedSearch,
  type SearchCommand,
  type TstatsCommand,
} from '@dac/spl';
import { isScalar } from 'yaml';
import type { MatcherDiagnostic } from './types.js';

/**
 * Glue between a content tree and the matcher compiler: macro table, per-detection parse, the
 * leading tstats, and mapping matcher diagnostics (offsets in the expanded search) to YAML
 * file:line:col.
 */

export interface DetectionSearch {
  item: ContentItem<'detection'>;
  /** The detection's name (or its file when it has none): the matcher id. */
  id: string;
  parsed?: ParsedSearch;
  /** The leading `| tstats …` command, if any. */
  tstats?: TstatsCommand;
  /** The leading raw-event base search (`search` before the first pipe, with an expression), if any. */
  rawSearch?: SearchCommand;
}

/** Parses every detection's search (macros expanded, filter macro = `search *` when undefined). */
export function detectionSearches(
  tree: ContentTree,
  macros: MacroTable = contentMacroTable(tree.macros),
): DetectionSearch[] {
  return tree.detections.map((item) => {
    // A file whose YAML has errors is not compiled (it carries its own diagnostics).
    const d = item.data ? item.model : undefined;
    const id = d?.name.value ?? item.file.relPath;
    const search = d?.search.value;
    if (search === undefined) return { item, id };
    const parsed = parseSearch(search, macros, { filterMacro: filterMacroName(id) });
    const tstats = findTstats(parsed.pipeline);
    if (tstats) return { item, id, parsed, tstats };
    const first = parsed.pipeline.commands[0];
    return first?.kind === 'search' && first.expr ? { item, id, parsed, rawSearch: first } : { item, id, parsed };
  });
}

/** A matcher diagnostic at its YAML position: the character of the `search:` value it points at. */
export function toContentDiagnostic(ds: DetectionSearch, d: MatcherDiagnostic): Diagnostic {
  const file = ds.item.file;
  const { node } = nodeAt(file, ['search']);
  let line = 1;
  let column = 1;
  if (node && isScalar(node) && ds.parsed) {
    const p = positionInScalar(file, node, ds.parsed.toOriginal(d.start));
    line = p.line;
    column = p.column;
  } else if (node?.range) {
    const p = file.lineCounter.linePos(node.range[0]);
    line = p.line;
    column = p.col;
  }
  return { file: file.relPath, line, column, severity: d.severity, rule: d.rule, message: d.message };
}
