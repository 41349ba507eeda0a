/**
 * The content a scan prepares its detections from: the detection, macro and lookup documents of
 * a content tree, as plain values.
 */
import { resolve } from 'node:path';
import {
  discoverContent,
  documentModel,
  loadConfig,
  loadYamlValuesOf,
  YamlValueCache,
  type ContentKind,
  type ContentTree,
  type DetectionData,
  type MacroData,
  type YamlLimits,
  type YamlValues,
} from '@dac/content';
import { macroDefinitionOf, macroDefinitions, type MacroDefinition } from '@dac/spl';

/**
 * What preparing the detections reads of a content tree, as plain data: a worker thread is sent
 * it (structured clone, tens of milliseconds) instead of loading the tree's YAML again (the YAML
 * with positions is most of a cold preparation: ~3 of ~4.5 s CPU on the ESCU corpus).
 */
export interface ScanContent {
  /** The detection files in tree order: content-relative path, value (undefined: not a mapping). */
  detections: { file: string; data: DetectionData | undefined }[];
  /** The content's macro definitions (@dac/spl macroDefinitions). */
  macros: MacroDefinition[];
  /** The lookup definitions: absolute path of the YAML (its CSV file is beside it) and value. */
  lookups: { file: { path: string }; data: unknown }[];
}

/** The parts of a loaded tree that scanDetections reads. */
export function scanContentOf(tree: Pick<ContentTree, 'detections' | 'macros' | 'lookups'>): ScanContent {
  return {
    detections: tree.detections.map((d) => ({ file: d.file.relPath, data: d.data })),
    macros: macroDefinitions(tree.macros),
    lookups: tree.lookups.map((l) => ({ file: { path: l.file.path }, data: l.data })),
  };
}

/** The kinds of document a scan reads (stories and data sources are for reports and validation). */
const SCAN_KINDS: ReadonlySet<ContentKind> = new Set(['detection', 'macro', 'lookup']);

/** A tree's content entries (discoverContent), with the loading limits of its config. */
export interface ScanEntries {
  root: string;
  entries: { kind: ContentKind; path: string }[];
  limits: YamlLimits | undefined;
}

/** The entries of the kinds a scan reads, in tree order. */
export function scanEntries(rootDir: string): ScanEntries {
  const root = resolve(rootDir);
  const { config } = loadConfig(root);
  const entries = discoverContent(root).entries.filter((e) => SCAN_KINDS.has(e.kind));
  return { root, entries, limits: config.limits };
}

/** A content entry of a kind the scan reads. */
export type ScanEntry = ScanEntries['entries'][number];

/**
 * The scan content of entries from their values (loadYamlValues, in the same order): detections
 * and lookups are taken as `itemDataOf` takes a file's value (without their document model: the
 * scan never reads it, ~0.1–0.3 s of the ESCU corpus); macros through their model
 * (macroDefinitionOf reads it), as loadContent's items give them.
 */
export function scanContentOfValues(entries: readonly ScanEntry[], values: readonly YamlValues[]): ScanContent {
  const out: ScanContent = { detections: [], macros: [], lookups: [] };
  entries.forEach((entry, i) => {
    const v = values[i]!;
    const data: unknown = isMapping(v.value) ? v.value : undefined;
    if (entry.kind === 'macro') {
      const d = macroDefinitionOf(v.relPath, data as MacroData | undefined, documentModel('macro', v.docValue));
      if (d) out.macros.push(d);
    } else if (entry.kind === 'detection')
      out.detections.push({ file: v.relPath, data: data as DetectionData | undefined });
    else out.lookups.push({ file: { path: v.path }, data });
  });
  return out;
}

/** itemDataOf's test: a value that is a mapping. */
function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The values of some entries, each file read as loadContent reads it (confined, the config's
 * limits) — through `cache` when given (the values of files whose bytes were seen before).
 */
export function loadEntryValues(
  { root, limits }: Pick<ScanEntries, 'root' | 'limits'>,
  entries: readonly ScanEntry[],
  cache?: YamlValueCache,
): YamlValues[] {
  return loadYamlValuesOf(
    root,
    entries.map((e) => e.path),
    limits,
    cache,
  );
}

/** The scan content of some entries (loadEntryValues, no cache). */
export function loadScanEntries(all: Pick<ScanEntries, 'root' | 'limits'>, entries: readonly ScanEntry[]): ScanContent {
  return scanContentOfValues(entries, loadEntryValues(all, entries));
}

/**
 * The scan content of the tree at `root`: loadContent's items of the kinds a scan reads, the other
 * kinds not read (on the ESCU corpus stories and data sources are a fifth of the YAML). With
 * `cache` (the default: the user cache's pack of this root, YamlValueCache), files whose bytes
 * were parsed before are not parsed again; false: every file is parsed.
 */
export function loadScanContent(rootDir: string, opts: { cache?: boolean } = {}): ScanContent {
  const all = scanEntries(rootDir);
  const cache = opts.cache === false ? undefined : YamlValueCache.open(all.root, all.limits);
  const values = loadEntryValues(all, all.entries, cache);
  cache?.save();
  return scanContentOfValues(all.entries, values);
}
