import { filterMacroName, type ContentTree } from '@dac/content';
import { expandMacros, searchMacroTable, type MacroTable } from '@dac/spl';
import type { ContentChange, DetectionReport } from './check.js';

export interface AffectedDetection {
  /** Working-tree path relative to the content root. */
  file: string;
  name: string;
  /** Why it must be re-tested: `changed`, `new`, `macro <name>`, `data source <name>`, `lookup <name>`. */
  reasons: string[];
}

/** Macro names a search text calls: the text between backticks up to an argument list. */
export function macrosIn(search: string): string[] {
  const out = new Set<string>();
  for (const m of search.matchAll(/`([^`]*)`/g)) {
    const name = m[1]!.replace(/\(.*$/s, '').trim();
    if (name) out.add(name);
  }
  return [...out];
}

/** Lookup table names a search uses through `lookup`, `inputlookup` or `outputlookup`. */
export function lookupsIn(search: string): string[] {
  const out = new Set<string>();
  const re = /(?:^|[|\s[])(?:input|output)?lookup\s+((?:[A-Za-z_]+\s*=\s*(?:"[^"]*"|\S+)\s+)*)["']?([A-Za-z0-9_.-]+)/gi;
  for (const m of search.matchAll(re)) out.add(m[2]!);
  return [...out];
}

/**
 * Detections whose test results may differ from the base: changed or new detections, and those
 * that use (directly or through nested macros) a macro, data source or lookup that changed.
 */
export function affectedDetections(
  tree: ContentTree,
  change: { detections: DetectionReport[]; contentChanges: ContentChange[] },
): AffectedDetection[] {
  const macros = new Map<string, string>();
  const defs: { name: string; args: string[]; definition: string; source: string }[] = [];
  for (const m of tree.macros) {
    if (!m.data || typeof m.data.name !== 'string') continue;
    const definition = String(m.data.definition ?? '');
    macros.set(m.data.name, definition);
    const args = Array.isArray(m.data.arguments) ? m.data.arguments.map(String) : [];
    defs.push({ name: m.data.name, args, definition, source: m.file.relPath });
  }
  // Splunk's own expansion (@dac/spl): the CIM add-on's macros, overridden by the content's.
  const table: MacroTable = searchMacroTable(defs);
  const changedMacros = new Set<string>();
  const changedSources = new Set<string>();
  const changedLookups = new Set<string>();
  const changedLookupFiles = new Set<string>();
  for (const c of change.contentChanges) {
    if (c.kind === 'macro') changedMacros.add(c.name);
    else if (c.kind === 'data_source') changedSources.add(c.name);
    else if (c.kind === 'lookup') changedLookups.add(c.name);
    else if (c.kind === 'lookup_file') changedLookupFiles.add(c.name);
  }
  // A changed CSV changes the lookup whose `filename` names it.
  for (const l of tree.lookups) {
    const d = l.data as Record<string, unknown> | undefined;
    if (d && typeof d.name === 'string' && typeof d.filename === 'string' && changedLookupFiles.has(d.filename))
      changedLookups.add(d.name);
  }
  const byFile = new Map<string, AffectedDetection>();
  const add = (file: string, name: string, reason: string) => {
    const a = byFile.get(file) ?? { file, name, reasons: [] };
    if (!a.reasons.includes(reason)) a.reasons.push(reason);
    byFile.set(file, a);
  };
  for (const d of change.detections) if (d.change === 'new' || d.change === 'changed') add(d.file, d.name, d.change);

  for (const det of tree.detections) {
    const d = det.data as unknown as Record<string, unknown> | undefined;
    if (!d) continue;
    const name = typeof d.name === 'string' ? d.name : det.file.relPath;
    const search = typeof d.search === 'string' ? d.search : '';
    // Macros used at any depth, as Splunk expands them; plus every backtick name in the search and
    // in the definitions it reaches, so a call the expansion cannot resolve (a macro this change
    // removed or renamed) still counts. Over-approximating only means testing more.
    const expansion = expandMacros(search, table, { filterMacro: filterMacroName(name) });
    const seen = new Set<string>(expansion.usedMacros.map((k) => k.replace(/\(\d+\)$/, '')));
    const texts = [search, expansion.text];
    const queue = [...macrosIn(search), ...seen];
    seen.clear();
    while (queue.length > 0) {
      const m = queue.pop()!;
      if (seen.has(m)) continue;
      seen.add(m);
      const def = macros.get(m);
      if (def !== undefined) {
        texts.push(def);
        queue.push(...macrosIn(def));
      }
    }
    for (const m of seen) if (changedMacros.has(m)) add(det.file.relPath, name, `macro ${m}`);
    for (const t of texts)
      for (const l of lookupsIn(t)) if (changedLookups.has(l)) add(det.file.relPath, name, `lookup ${l}`);
    const sources = Array.isArray(d.data_source) ? d.data_source : [];
    for (const s of sources)
      if (typeof s === 'string' && changedSources.has(s)) add(det.file.relPath, name, `data source ${s}`);
  }
  // Removed detections have no file to test.
  const present = new Set(tree.detections.map((d) => d.file.relPath));
  return [...byFile.values()]
    .filter((a) => present.has(a.file))
    .sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
}
