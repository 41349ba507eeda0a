/**
 * Writes confined to a named output folder: files are written to a temporary sibling, fsync'ed and
 * renamed into place (a reader or a `kill -9` sees the old file or the new one, never half); no
 * path component under the output folder may be a symbolic link (a planted `dist/matchers/cim ->
 * /elsewhere` is refused, never written through); a link at the final name is replaced, not
 * followed. Folders are deleted only when they carry a marker dac sealed (./integrity.ts).
 */
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  readdirSync,
  constants,
  fsyncSync,
  lstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { isInside, realRoot } from './confined.js';
import { ensureDir } from './dirs.js';
import { seal, verifySeal } from './integrity.js';

/** An output path dac refuses (a link under the output folder, a target over the content root, …). */
export class OutputRefusal extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
    this.name = 'OutputRefusal';
  }
}

function fsyncDir(dir: string): void {
  try {
    const fd = openSync(dir, constants.O_RDONLY);
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Not every file system lets a directory be fsync'ed; the rename is still atomic.
  }
}

/**
 * How a file is written: `fsync: false` skips the data fsync (the rename is still atomic for a
 * crashed or killed process; only a power loss could then leave an empty file) — for caches and
 * regenerable outputs, where a torn file fails verification and is made again; `durable` also
 * fsyncs the folder so the rename itself survives a power loss.
 */
export interface WriteOptions {
  mode?: number;
  fsync?: boolean;
  durable?: boolean;
}

/**
 * A fresh name for a temporary sibling of `path`, `.<name>.<pid>.<8 hex>.tmp`: what writeFileAtomic
 * (and a download streaming into place) writes before the rename. The pid lets
 * removeAbandonedTemps tell a killed writer's leftover from a live writer's file.
 */
export function tempSibling(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}
/** The part of a tempSibling name after `.<name>.`, with the pid as group 1. */
const TEMP_SUFFIX = /^(\d+)\.[0-9a-f]{8}\.tmp$/;

/** Writes `path` atomically: temp sibling (O_EXCL, never a link), fsync, rename over the old name. */
export function writeFileAtomic(path: string, data: Uint8Array | string, opts: WriteOptions = {}) {
  const dir = dirname(path);
  try {
    if (lstatSync(path).isDirectory()) throw new OutputRefusal(path, `${path} is a directory; not replaced by a file`);
  } catch (e) {
    if (e instanceof OutputRefusal) throw e;
  }
  const tmp = tempSibling(path);
  const fd = openSync(
    tmp,
    constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
    opts.mode ?? 0o644,
  );
  try {
    const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    for (let off = 0; off < buf.length; ) off += writeSync(fd, buf, off, buf.length - off);
    if (opts.fsync !== false) fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    unlinkSync(tmp);
    throw e;
  }
  closeSync(fd);
  try {
    renameSync(tmp, path);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      // already gone
    }
    throw e;
  }
  if (opts.durable) fsyncDir(dir);
}

/** A content root an output must not be, contain, or lie inside the content folders of. */
export interface ProtectedRoot {
  root: string;
  /** Sub-folders holding content (detections/, macros/, …): no output goes into them. */
  contentFolders: readonly string[];
}

/** Refuses to replace or delete `target` when it is, holds or lies inside protected content (real paths). */
export function checkNotOverContent(target: string, protect: readonly ProtectedRoot[]): void {
  const real = realOrLexical(target);
  for (const p of protect) {
    const root = realRoot(p.root);
    const inFolder = p.contentFolders.some((f) => isInside(realOrLexical(join(p.root, f)), real));
    if (isInside(real, root) || inFolder)
      throw new OutputRefusal(
        target,
        `refusing to replace ${target}: it is, contains or lies inside the content at ${p.root} (compared by real path; choose another --out)`,
      );
  }
}

/** realpath of the longest existing prefix, plus the rest (a path that does not exist yet). */
function realOrLexical(path: string): string {
  const abs = resolve(path);
  const rest: string[] = [];
  for (let d = abs; ; ) {
    try {
      return join(realpathSync(d), ...rest.reverse());
    } catch {
      const parent = dirname(d);
      if (parent === d) return abs;
      rest.push(basename(d));
      d = parent;
    }
  }
}

/**
 * An output folder. Created when missing. When it lies (as written) inside the content root, its
 * real path must too: a committed `dist -> /home/user/.ssh` link is refused.
 */
export class OutputDir {
  readonly path: string;
  readonly real: string;

  constructor(dir: string, opts: { contentRoot?: string } = {}) {
    this.path = resolve(dir);
    ensureDir(this.path);
    this.real = realpathSync(this.path);
    if (opts.contentRoot) {
      const root = resolve(opts.contentRoot);
      if (isInside(root, this.path) && !isInside(realRoot(root), this.real))
        throw new OutputRefusal(
          this.path,
          `output folder ${this.path} lies in the content root but resolves to ${this.real}, outside it (a symbolic link); refusing to write there`,
        );
    }
  }

  /** The absolute path of `rel`, with its parent folders made (refused: `..`, absolute paths, links). */
  prepare(rel: string): string {
    const parts = rel.split('/');
    if (rel === '' || rel.startsWith('/') || parts.some((p) => p === '' || p === '.' || p === '..' || p.includes('\\')))
      throw new OutputRefusal(rel, `output path "${rel}" is not a plain relative path`);
    let dir = this.real;
    for (const p of parts.slice(0, -1)) {
      dir = join(dir, p);
      let st: import('node:fs').Stats | undefined;
      try {
        st = lstatSync(dir);
      } catch {
        mkdirSync(dir, 0o755);
        continue;
      }
      if (st.isSymbolicLink())
        throw new OutputRefusal(
          dir,
          `${dir} is a symbolic link; dac does not write through links in its output folder`,
        );
      if (!st.isDirectory()) throw new OutputRefusal(dir, `${dir} is not a directory`);
    }
    return join(dir, parts[parts.length - 1]!);
  }

  write(rel: string, data: Uint8Array | string, opts: WriteOptions = {}): string {
    const path = this.prepare(rel);
    writeFileAtomic(path, data, opts);
    return path;
  }

  /** Removes one file dac wrote (a link is removed itself, never its target). */
  remove(rel: string): void {
    const path = this.prepare(rel);
    try {
      if (lstatSync(path).isDirectory()) return;
      unlinkSync(path);
    } catch {
      // already gone
    }
  }

  exists(rel: string): boolean {
    try {
      lstatSync(join(this.real, ...rel.split('/')));
      return true;
    } catch {
      return false;
    }
  }

  relative(path: string): string {
    return relative(this.real, path).split(sep).join('/');
  }
}

// ---------------------------------------------------------------------------------------------
// Markers: a JSON file dac writes into a folder it made, sealed with the integrity key over the
// folder's (final) real path, its device and inode, and the listed files. A marker copied in,
// committed to a repository, or left after the folder was replaced does not verify.

export const MARKER_FILE = '.dac-output.json';

export interface Marker {
  purpose: string;
  files: string[];
}

function markerParts(purpose: string, finalPath: string, dir: string, files: readonly string[]): string[] {
  const st = lstatSync(dir);
  return ['dac-output', purpose, finalPath, `${st.dev}:${st.ino}`, JSON.stringify(files)];
}

/**
 * The marker body for folder `dir`, which will be (or is) at real path `finalPath` (a folder
 * filled under a temporary name and renamed keeps its inode).
 */
export function markerText(purpose: string, dir: string, files: readonly string[], finalPath?: string): string {
  const sorted = [...files].sort();
  const path = finalPath ?? realpathSync(dir);
  const body = { made_by: 'dac', purpose, path, files: sorted, seal: seal(markerParts(purpose, path, dir, sorted)) };
  return `${JSON.stringify(body, null, 2)}\n`;
}

/**
 * The verified marker in `dir` for `purpose` (sealed for `finalPath`, default dir's real path),
 * or undefined: absent, planted, damaged, or made for another folder.
 */
export function readMarker(dir: string, purpose: string, file = MARKER_FILE, finalPath?: string): Marker | undefined {
  try {
    const st = lstatSync(dir);
    if (!st.isDirectory()) return undefined;
    const m = JSON.parse(readFileSync(join(dir, file), 'utf8')) as {
      purpose?: unknown;
      files?: unknown;
      seal?: unknown;
    };
    if (m.purpose !== purpose || !Array.isArray(m.files) || !m.files.every((f) => typeof f === 'string'))
      return undefined;
    const files = m.files as string[];
    const path = finalPath ?? realpathSync(dir);
    return verifySeal(markerParts(purpose, path, dir, files), m.seal) ? { purpose, files } : undefined;
  } catch {
    return undefined;
  }
}

/** Sibling names swapFolder uses for `target`: `.<name>.new-*` (being filled), `.<name>.old-*` (moved aside). */
export function swapSibling(target: string, kind: 'new' | 'old'): string {
  return join(dirname(target), `.${basename(target)}.${kind}-${process.pid}-${randomBytes(4).toString('hex')}`);
}

/**
 * Replaces folder `target` with `fresh` (a sibling dac just filled, its marker sealed for
 * `target`): `target` must be absent or carry dac's verified marker for `purpose`. Two renames
 * (Node has no RENAME_EXCHANGE): the old folder is first moved aside, so a kill between them
 * leaves it whole under `.<name>.old-*`, which recoverSwap puts back.
 */
export function swapFolder(fresh: string, target: string, purpose: string): void {
  let hadOld = false;
  try {
    lstatSync(target);
    hadOld = true;
  } catch {
    // nothing to replace
  }
  const old = swapSibling(target, 'old');
  if (hadOld) {
    if (!readMarker(target, purpose))
      throw new OutputRefusal(
        target,
        `${target} exists and dac cannot confirm it made it (no valid ${MARKER_FILE} marker); move it away or choose another --out`,
      );
    renameSync(target, old);
  }
  renameSync(fresh, target);
  fsyncDir(dirname(target));
  if (hadOld) rmSync(old, { recursive: true, force: true });
}

/**
 * After an interrupted build: puts back a folder swapFolder moved aside when `target` is missing,
 * and removes abandoned siblings. Only folders whose marker verifies for `target` are touched.
 */
export function recoverSwap(target: string, purpose: string): void {
  const parent = dirname(target);
  const name = basename(target);
  let names: string[];
  try {
    names = readdirSync(parent).sort();
  } catch {
    return;
  }
  const finalPath = join(realOrLexical(parent), name);
  let targetExists = true;
  try {
    lstatSync(target);
  } catch {
    targetExists = false;
  }
  for (const n of names) {
    const p = join(parent, n);
    if (n.startsWith(`.${name}.old-`)) {
      // A folder moved aside: only a verified one is put back or removed.
      if (!readMarker(p, purpose, MARKER_FILE, finalPath)) continue;
      if (!targetExists) {
        renameSync(p, target);
        targetExists = true;
      } else rmSync(p, { recursive: true, force: true });
    } else if (isAbandonedTemp(p, n, `.${name}.new-`)) rmSync(p, { recursive: true, force: true });
  }
}

/**
 * dac's own temporary names (`.<name>.new-<pid>-<hex>`, `.<file>.<pid>.<hex>.tmp`) whose process
 * is gone: what a killed dac left half-written. The one deletion without a marker — the folder
 * may have been killed before its marker was written — limited to real folders/files (never a
 * link, which would only be unlinked anyway) with dac's exact naming and a dead owner.
 */
function isAbandonedTemp(path: string, name: string, prefix: string): boolean {
  const m = name.startsWith(prefix) ? /^(\d+)-[0-9a-f]{8}$/.exec(name.slice(prefix.length)) : undefined;
  if (!m) return false;
  try {
    if (lstatSync(path).isSymbolicLink()) return false;
  } catch {
    return false;
  }
  return !processAlive(Number(m[1]));
}

function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes the temporary siblings of `path` (tempSibling names) whose writer was killed. */
export function removeAbandonedTemps(path: string): void {
  const dir = dirname(path);
  const prefix = `.${basename(path)}.`;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const n of names) {
    const m = n.startsWith(prefix) ? TEMP_SUFFIX.exec(n.slice(prefix.length)) : undefined;
    if (!m || processAlive(Number(m[1]))) continue;
    const p = join(dir, n);
    try {
      if (lstatSync(p).isFile()) unlinkSync(p);
    } catch {
      // gone
    }
  }
}
