import type { ContentItem } from './tree.js';

/** A macro document as a definition for search expansion (the shape of @dac/spl MacroDefinition). */
export interface MacroSource {
  name: string;
  args: string[];
  definition: string;
  /** The macro's file, relative to the content root. */
  source?: string;
}

/**
 * The definitions the content's macro documents provide: each document with a string `name` and
 * `definition`. Arguments are taken as written, each as text (YAML `arguments: [1]` is the argument
 * "1"): a document whose arguments the schema rejects keeps its arity, so its calls are not also
 * misreported as having the wrong number of arguments.
 */
export function macroDefinitions(items: readonly ContentItem<'macro'>[]): MacroSource[] {
  const out: MacroSource[] = [];
  for (const it of items) {
    // A file whose YAML has errors defines nothing (it carries its own diagnostics).
    const m = it.data ? it.model : undefined;
    if (m?.name.value === undefined || m.definition.value === undefined) continue;
    const args = (m.arguments.value ?? []).map((a) => String(a.raw));
    out.push({ name: m.name.value, args, definition: m.definition.value, source: it.file.relPath });
  }
  return out;
}
