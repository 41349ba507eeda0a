import { existsSync } from 'node:fs';
import { walkConfined } from '@dac/fs';
import { join, resolve } from 'node:path';
import { loadConfig, type DacConfig } from './config.js';
import type { Diagnostic } from './diagnostic.js';
import { documentModel, type ContentModels } from './document.js';
import { CONTENT_FOLDERS, type ContentData, type ContentKind } from './model.js';
import { documentValue, loadYamlFile, type YamlFile, type YamlLimits } from './yaml-file.js';

/** A content file found on disk, before it is read. */
export interface ContentEntry {
  kind: ContentKind;
  /** Absolute path. */
  path: string;
  relPath: string;
}

/** A loaded content file: the YAML with positions, its value, and its typed model. */
export interface ContentItem<K extends ContentKind = ContentKind> {
  kind: K;
  file: YamlFile;
  /**
   * The document's value when the YAML is free of errors and holds a mapping; its shape is only
   * guaranteed after schema validation.
   */
  data: ContentData[K] | undefined;
  /**
   * The typed model (./document.ts: every field with its path and, when well typed, its value):
   * present whenever the document holds a mapping, also when its only YAML errors are duplicate
   * keys (of the value YAML keeps, the last), so that every other check still sees the document.
   */
  model: ContentModels[K] | undefined;
}

export interface ContentTree {
  root: string;
  config: DacConfig;
  items: ContentItem[];
  detections: ContentItem<'detection'>[];
  macros: ContentItem<'macro'>[];
  stories: ContentItem<'story'>[];
  dataSources: ContentItem<'data_source'>[];
  lookups: ContentItem<'lookup'>[];
  /** Non-YAML files under `lookups/` (CSV, mlmodel), relative paths. */
  lookupFiles: string[];
  /** Problems reading the config or the files themselves (YAML syntax, encoding, …). */
  diagnostics: Diagnostic[];
}

const YAML_EXT = /\.ya?ml$/i;

/**
 * Lists the content files under a root, sorted by path (the order contentctl loads them in).
 * Folders that do not exist are simply empty. Read through @dac/fs: links that leave the root,
 * link loops and non-regular files (FIFOs, devices) are not listed but reported as positioned
 * `file-access` errors in `problems`.
 */
export function discoverContent(rootDir: string): {
  entries: ContentEntry[];
  lookupFiles: string[];
  problems: Diagnostic[];
} {
  const root = resolve(rootDir);
  const entries: ContentEntry[] = [];
  const lookupFiles: string[] = [];
  const problems: Diagnostic[] = [];
  for (const [kind, folder] of Object.entries(CONTENT_FOLDERS) as [ContentKind, string][]) {
    const dir = join(root, folder);
    if (!existsSync(dir)) continue;
    const { files, problems: found } = walkConfined(
      root,
      dir,
      (rel) => YAML_EXT.test(rel) || (kind === 'lookup' && !rel.endsWith('/')),
    );
    for (const f of files) {
      if (YAML_EXT.test(f.relPath)) entries.push({ kind, path: f.path, relPath: f.relPath });
      else lookupFiles.push(f.relPath);
    }
    for (const p of found)
      problems.push({
        file: p.relPath,
        line: 1,
        column: 1,
        severity: 'error',
        rule: 'file-access',
        message: p.message,
      });
  }
  return { entries, lookupFiles, problems };
}

export function loadItem<K extends ContentKind>(
  entry: { kind: K; path: string },
  root: string,
  limits?: YamlLimits,
): ContentItem<K> {
  return itemOf(entry.kind, loadYamlFile(entry.path, root, limits));
}

/** The content item of an already parsed file (e.g. one read from git). */
export function itemOf<K extends ContentKind>(kind: K, file: YamlFile): ContentItem<K> {
  return { kind, file, data: itemDataOf<K>(file), model: documentModel(kind, documentValue(file)) };
}

/**
 * A content item's `data` (itemOf): the file's value when it is a mapping, else undefined. Alone
 * for readers that need no document model (the scan reads detections' and lookups' values only).
 */
export function itemDataOf<K extends ContentKind>(file: YamlFile): ContentData[K] | undefined {
  const v = file.value;
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as ContentData[K]) : undefined;
}

/**
 * Loads a whole content tree: config, then every YAML file with positions. Never throws for bad
 * content; problems are returned as diagnostics (file-level ones also stay on each item's file).
 */
export function loadContent(rootDir: string): ContentTree {
  const root = resolve(rootDir);
  const { config, diagnostics } = loadConfig(root);
  const { entries, lookupFiles, problems } = discoverContent(root);
  diagnostics.push(...problems);
  const tree = emptyContentTree(root, config, lookupFiles, diagnostics);
  for (const entry of entries) addItem(tree, loadItem(entry, root, config.limits));
  return tree;
}

/** A tree with no items yet, for loaders that add them (addItem). */
export function emptyContentTree(
  root: string,
  config: ContentTree['config'],
  lookupFiles: ContentTree['lookupFiles'],
  diagnostics: ContentTree['diagnostics'],
): ContentTree {
  return {
    root,
    config,
    items: [],
    detections: [],
    macros: [],
    stories: [],
    dataSources: [],
    lookups: [],
    lookupFiles,
    diagnostics,
  };
}

/** Adds a loaded item to the tree's per-kind lists (used by loaders that read in parallel). */
export function addItem(tree: ContentTree, item: ContentItem): void {
  tree.items.push(item);
  tree.diagnostics.push(...item.file.diagnostics);
  switch (item.kind) {
    case 'detection':
      tree.detections.push(item as ContentItem<'detection'>);
      break;
    case 'macro':
      tree.macros.push(item as ContentItem<'macro'>);
      break;
    case 'story':
      tree.stories.push(item as ContentItem<'story'>);
      break;
    case 'data_source':
      tree.dataSources.push(item as ContentItem<'data_source'>);
      break;
    case 'lookup':
      tree.lookups.push(item as ContentItem<'lookup'>);
      break;
  }
}
