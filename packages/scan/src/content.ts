/**
 * The content a scan prepares its detections from: the detection, macro and lookup documents of
 * a content tree, as plain values.
 */
import { resolve } from 'node:path';
import {
  discoverContent,
  loadConfig,
  loadItem,
  type ContentKind,
  type ContentTree,
  type DetectionData,
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

/**
 * The scan content of the tree at `root`: loadContent's items of the kinds a scan reads, each
 * loaded as loadContent loads it (loadItem, the config's limits), the other kinds not read (on
 * the ESCU corpus stories and data sources are a fifth of the YAML).
 */
export function loadScanContent(rootDir: string): ScanContent {
  const root = resolve(rootDir);
  const { config } = loadConfig(root);
  const items = { detections: [], macros: [], lookups: [] } as Pick<ContentTree, 'detections' | 'macros' | 'lookups'>;
  for (const entry of discoverContent(root).entries) {
    if (!SCAN_KINDS.has(entry.kind)) continue;
    const item = loadItem(entry, root, config.limits);
    if (item.kind === 'detection') items.detections.push(item as ContentTree['detections'][number]);
    else if (item.kind === 'macro') items.macros.push(item as ContentTree['macros'][number]);
    else items.lookups.push(item as ContentTree['lookups'][number]);
  }
  return scanContentOf(items);
}
