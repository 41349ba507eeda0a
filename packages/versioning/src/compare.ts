import { existsSync, realpathSync, statSync } from 'node:fs';
import { ConfinedReader } from '@dac/fs';
import { join, resolve } from 'node:path';
import { CONTENT_FOLDERS, discoverContent, parseYamlText, type ContentKind, type YamlFile } from '@dac/content';
import {
  gitBlobId,
  gitBlobIdOfFile,
  listTree,
  readBlobs,
  repoRelative,
  resolveBase,
  VersioningError,
  type GitBase,
} from './git.js';

/** A content file's kind; `lookup_file` is a non-YAML file under lookups/ (CSV, mlmodel). */
export type FileKind = ContentKind | 'lookup_file';

/** One content file on one side of the comparison (the base commit or the working tree). */
export interface SideFile {
  /** Path relative to the content root, forward slashes. */
  relPath: string;
  kind: FileKind;
  /** Git blob id of the bytes (computed for working-tree files). */
  oid: string;
  /** Bytes, when read (working-tree files always; base files only when they differ). */
  bytes?: Buffer;
  /** Absolute path (working tree) or `<ref>:<path>` (base). */
  path: string;
}

export interface Comparison {
  /** Absolute, real path of the content root. */
  root: string;
  base: GitBase;
  /** The content root relative to the repository root ('' when they are the same). */
  prefix: string;
  baseFiles: Map<string, SideFile>;
  workFiles: Map<string, SideFile>;
  /** Parses a side's YAML file once (cached). Base files that were not fetched reuse the working copy. */
  parse(side: SideFile): YamlFile;
}

const YAML_EXT = /\.ya?ml$/i;
const FOLDER_KIND = new Map<string, ContentKind>(
  Object.entries(CONTENT_FOLDERS).map(([k, f]) => [f, k as ContentKind]),
);

export function kindOfPath(relPath: string): FileKind | undefined {
  const slash = relPath.indexOf('/');
  if (slash < 0) return undefined;
  const kind = FOLDER_KIND.get(relPath.slice(0, slash));
  if (!kind) return undefined;
  if (YAML_EXT.test(relPath)) return kind;
  return kind === 'lookup' ? 'lookup_file' : undefined;
}

/**
 * Reads both sides of a comparison: the content files at the base (from git objects, never a
 * checkout) and in the working tree. Only base blobs that differ from the working tree at the
 * same path are read, all through one `git cat-file --batch`.
 */
export function loadComparison(contentRoot: string, ref: string): Comparison {
  const abs = resolve(contentRoot);
  if (!existsSync(abs) || !statSync(abs).isDirectory())
    throw new VersioningError(`content directory ${contentRoot} does not exist`);
  const root = realpathSync(abs);
  const base = resolveBase(root, ref);
  base.repoRoot = realpathSync(base.repoRoot);
  const prefix = repoRelative(base.repoRoot, root);
  if (prefix.startsWith('..'))
    throw new VersioningError(`content directory ${root} is outside the git repository ${base.repoRoot}`);

  const workFiles = new Map<string, SideFile>();
  const { entries, lookupFiles } = discoverContent(root);
  // One confinement check per content folder (this pass's), not one per file.
  const reader = new ConfinedReader(root);
  const addWork = (relPath: string, kind: FileKind) => {
    const path = join(root, relPath);
    let bytes: Buffer;
    try {
      bytes = reader.read(path);
    } catch (e) {
      throw new VersioningError(`cannot read ${relPath}: ${(e as Error).message}`);
    }
    workFiles.set(relPath, { relPath, kind, oid: gitBlobId(bytes), bytes, path });
  };
  for (const e of entries) addWork(e.relPath, e.kind);
  // Lookup CSVs are compared by blob id only: hashed by streaming, never held in memory.
  for (const f of lookupFiles) {
    const path = join(root, f);
    let oid: string;
    try {
      oid = gitBlobIdOfFile(path);
    } catch (e) {
      throw new VersioningError(`cannot read ${f}: ${(e as Error).message}`);
    }
    workFiles.set(f, { relPath: f, kind: 'lookup_file', oid, path });
  }

  const baseFiles = new Map<string, SideFile>();
  const shortRef = `${ref}`;
  for (const [relPath, entry] of listTree(base, base.commit, prefix)) {
    const kind = kindOfPath(relPath);
    if (!kind) continue;
    baseFiles.set(relPath, {
      relPath,
      kind,
      oid: entry.oid,
      path: `${shortRef}:${prefix ? `${prefix}/` : ''}${relPath}`,
    });
  }
  // YAML that differs from (or is missing in) the working tree must be read and parsed; the
  // others are identical bytes and reuse the working copy. Lookup CSVs are compared by blob id.
  const need = [...baseFiles.values()].filter(
    (b) => b.kind !== 'lookup_file' && workFiles.get(b.relPath)?.oid !== b.oid,
  );
  const blobs = readBlobs(
    base,
    need.map((b) => b.oid),
  );
  for (const b of need) b.bytes = blobs.get(b.oid);

  const cache = new Map<SideFile, YamlFile>();
  const parse = (side: SideFile): YamlFile => {
    let f = cache.get(side);
    if (f) return f;
    let bytes = side.bytes;
    if (!bytes) {
      const twin = workFiles.get(side.relPath);
      if (twin && twin.oid === side.oid) return parse(twin);
      bytes = readBlobs(base, [side.oid]).get(side.oid)!;
      side.bytes = bytes;
    }
    f = parseYamlText(bytes, side.path, side.relPath);
    cache.set(side, f);
    return f;
  };
  return { root, base, prefix, baseFiles, workFiles, parse };
}
