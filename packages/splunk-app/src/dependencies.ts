/**
 * What a detection's search needs from the content: the content macros it expands (directly or
 * through other macros), the content lookups it names (`lookup`, `inputlookup`, `outputlookup`,
 * in macros and subsearches too) and its analytic stories. A build must never ship a search one
 * of whose needs it left out (issue 12 case 8): such a detection is left out too, with a warning
 * naming the missing piece.
 */
import { filterMacroName, type ContentItem, type ContentTree } from '@dac/content';
import { contentMacroTable, expandMacros, macroDefinitions, macroKey, parsePipeline, type Pipeline } from '@dac/spl';

const LOOKUP_COMMANDS = new Set(['lookup', 'inputlookup', 'outputlookup']);

/** Lookup names (or file names) a pipeline names, subsearches included. */
export function lookupsNamed(pipeline: Pipeline, out = new Set<string>()): Set<string> {
  for (const c of pipeline.commands) {
    forEachSubsearch(c, (p) => lookupsNamed(p, out));
    if (c.kind !== 'command') continue;
    if (!LOOKUP_COMMANDS.has(c.name.toLowerCase())) continue;
    const first = c.args.find((a) => a.kind === 'word');
    if (first && first.kind === 'word') out.add(String(first.value.value));
  }
  return out;
}

/**
 * Calls `visit` with each outermost subsearch inside an AST node: a command's arguments
 * (`join x [| inputlookup l]`), its search expression (`index=a [| inputlookup l]`, `tstats …
 * where [ … ]`) and its eval expressions all hold `{ kind: 'subsearch', pipeline }` nodes.
 */
function forEachSubsearch(node: unknown, visit: (pipeline: Pipeline) => void): void {
  if (Array.isArray(node)) {
    for (const x of node) forEachSubsearch(x, visit);
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  const o = node as { kind?: unknown; pipeline?: Pipeline };
  if (o.kind === 'subsearch' && o.pipeline) {
    visit(o.pipeline);
    return;
  }
  for (const v of Object.values(node)) forEachSubsearch(v, visit);
}

export interface ShippedContent {
  /** Macro stanzas (`name` / `name(N)`) the app defines. */
  macros: ReadonlySet<string>;
  /** Lookup names and file names the app ships. */
  lookups: ReadonlySet<string>;
  /** Story names the app ships. */
  stories: ReadonlySet<string>;
}

/**
 * For each detection file that must be left out, why (first missing piece). Only pieces the
 * content itself defines count: a macro or lookup of another app (Splunk_SA_CIM's) is not ours
 * to leave out, and an undefined one is validation's error.
 */
export function missingDependencies(
  tree: ContentTree,
  detections: readonly ContentItem<'detection'>[],
  shipped: ShippedContent,
): Map<string, string> {
  const table = contentMacroTable(tree.macros);
  const contentMacros = new Set(macroDefinitions(tree.macros).map((d) => macroKey(d.name, d.args.length)));
  const contentLookups = new Set<string>();
  for (const l of tree.lookups) {
    const m = l.model;
    if (m?.name.value) contentLookups.add(m.name.value);
    const f = (l.data as { filename?: unknown } | undefined)?.filename;
    if (typeof f === 'string') contentLookups.add(f);
  }
  // A macro file whose YAML does not parse still names a macro (its file name, as validation
  // assumes: it does not report calls to it as undefined); the build cannot ship it, and a call
  // that would now fall back to another app's macro of that name (CIM's) is not what was written.
  const unreadableMacros = new Set(
    tree.macros.filter((m) => !m.data).map((m) => m.file.relPath.replace(/^.*\//, '').replace(/\.ya?ml$/i, '')),
  );
  const contentStories = new Set<string>();
  for (const s of tree.stories) if (s.model?.name.value) contentStories.add(s.model.name.value);

  // Expanding and parsing every search is most of this function's cost; each step runs only when
  // it can find something. No content macro left out and none unreadable: no search can call a
  // missing one. No content lookup left out: no search can name a missing one, so the expanded
  // text need not be parsed (only the expansion knows which macros a search calls).
  const macrosCanBeMissing = unreadableMacros.size > 0 || [...contentMacros].some((k) => !shipped.macros.has(k));
  const lookupsLeftOut = new Set([...contentLookups].filter((l) => !shipped.lookups.has(l)));

  const out = new Map<string, string>();
  for (const item of detections) {
    const d = item.data ? item.model : undefined;
    const name = d?.name.value;
    const search = d?.search.value;
    if (name === undefined || search === undefined) continue;
    if (macrosCanBeMissing || lookupsLeftOut.size > 0) {
      const expansion = expandMacros(search, table, { filterMacro: filterMacroName(name) });
      const unreadable = expansion.diagnostics.find(
        (x) => x.code === 'undefined-macro' && unreadableMacros.has(x.macro),
      );
      const macro =
        expansion.usedMacros.find(
          (k) => (contentMacros.has(k) || unreadableMacros.has(k.replace(/\(\d+\)$/, ''))) && !shipped.macros.has(k),
        ) ?? (unreadable?.code === 'undefined-macro' ? unreadable.key : undefined);
      if (macro !== undefined) {
        out.set(item.file.relPath, `it calls the macro \`${macro}\`, which the build left out`);
        continue;
      }
      const lookup =
        lookupsLeftOut.size > 0
          ? [...lookupsNamed(parsePipeline(expansion.text).pipeline)].find((l) => lookupsLeftOut.has(l))
          : undefined;
      if (lookup !== undefined) {
        out.set(item.file.relPath, `it uses the lookup ${lookup}, which the build left out`);
        continue;
      }
    }
    const stories = d?.tags.value?.analytic_story.value ?? [];
    const story = stories
      .map((s) => s.value)
      .find((s): s is string => s !== undefined && contentStories.has(s) && !shipped.stories.has(s));
    if (story !== undefined) out.set(item.file.relPath, `its analytic story "${story}" was left out of the build`);
  }
  return out;
}
