/**
 * The content a scan prepares its detections from: the detection, macro and lookup documents of
 * a content tree, as plain values.
 */
import { resolve } from 'node:path';
import {
  discoverContent,
  itemDataOf,
  loadConfig,
  loadItem,
  loadYamlFile,
  type ContentItem,
  type ContentKind,
  type ContentTree,
  type DetectionData,
  type YamlLimits,
} from '@dac/content';
import { macroDefinitions, type MacroDefinition } from '@dac/spl';

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

/**
 * The scan content of some entries, each file loaded as loadContent loads it (loadYamlFile, the
 * config's limits). Detections and lookups are taken as `itemDataOf` (the item's `data`) without
 * building their document model (the scan never reads it: ~0.1–0.3 s of the ESCU corpus); macros
 * go through their model (macroDefinitions reads it).
 */
export function loadScanEntries(
  { root, limits }: Pick<ScanEntries, 'root' | 'limits'>,
  entries: readonly { kind: ContentKind; path: string }[],
): ScanContent {
  const out: ScanContent = { detections: [], macros: [], lookups: [] };
  const macros: ContentItem<'macro'>[] = [];
  for (const entry of entries) {
    if (entry.kind === 'macro') {
      macros.push(loadItem(entry as { kind: 'macro'; path: string }, root, limits));
      continue;
    }
    const file = loadYamlFile(entry.path, root, limits);
    if (entry.kind === 'detection') out.detections.push({ file: file.relPath, data: itemDataOf<'detection'>(file) });
    else out.lookups.push({ file: { path: file.path }, data: itemDataOf<'lookup'>(file) });
  }
  out.macros = macroDefinitions(macros);
  return out;
}

/**
 * The scan content of the tree at `root`: loadContent's items of the kinds a scan reads, the other
 * kinds not read (on the ESCU corpus stories and data sources are a fifth of the YAML).
 */
export function loadScanContent(rootDir: string): ScanContent {
  const entries = scanEntries(rootDir);
  return loadScanEntries(entries, entries.entries);
}
