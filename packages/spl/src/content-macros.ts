import type { ContentItem } from '@dac/content';
import { type MacroDefinition, type MacroTable, macroTableFrom } from './macros.js';
import { builtinMacros } from './builtin-macros.js';

/**
 * The definitions the content's macro documents provide: each document with a string `name` and
 * `definition`. Arguments are taken as written, each as text (YAML `arguments: [1]` is the argument
 * "1"): a document whose arguments the schema rejects keeps its arity, so its calls are not also
 * misreported as having the wrong number of arguments.
 */
export function macroDefinitions(items: readonly ContentItem<'macro'>[]): MacroDefinition[] {
  const out: MacroDefinition[] = [];
  for (const it of items) {
    const d = macroDefinitionOf(it.file.relPath, it.data, it.model);
    if (d) out.push(d);
  }
  return out;
}

/**
 * The definition one macro document provides (macroDefinitions), from its path, its `data` and
 * its document model: for readers that load the values without the document (`dac scan`).
 */
export function macroDefinitionOf(
  source: string,
  data: ContentItem<'macro'>['data'],
  model: ContentItem<'macro'>['model'],
): MacroDefinition | undefined {
  // A file whose YAML has errors defines nothing (it carries its own diagnostics).
  const m = data ? model : undefined;
  if (m?.name.value === undefined || m.definition.value === undefined) return undefined;
  const args = (m.arguments.value ?? []).map((a) => String(a.raw));
  return { name: m.name.value, args, definition: m.definition.value, source };
}

/**
 * The macros a detection's search can call: the CIM add-on's (builtinMacros), overridden by the
 * content's own definitions (a later definition of the same `name(N)` wins, as in Splunk, where
 * the app's macros.conf overrides Splunk_SA_CIM's).
 */
export function searchMacroTable(contentMacros: Iterable<MacroDefinition>): MacroTable {
  const table = builtinMacros();
  for (const [key, def] of macroTableFrom(contentMacros)) table.set(key, def);
  return table;
}

/** The macro table of a content tree's macro documents: searchMacroTable(macroDefinitions(macros)). */
export function contentMacroTable(macros: readonly ContentItem<'macro'>[]): MacroTable {
  return searchMacroTable(macroDefinitions(macros));
}
