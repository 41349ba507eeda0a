/**
 * Reads confined to a root folder (the content root): every path is resolved with realpath and
 * refused when it leaves the root; only regular files are read (a FIFO, a device, a socket would
 * block or never end); directory walks follow links only inside the root and never visit a
 * directory twice (dev:ino), so link loops end.
 */
import { closeSync, constants, fstatSync, lstatSync, openSync, readdirSync, readSync, realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { constants as bufferConstants } from 'node:buffer';

/**
 * realpath(3) in one call. Node's JavaScript `realpathSync` lstat's every component of every path
 * (five calls and five Stats objects for `<root>/detections/endpoint/x.yml`), which made confined
 * reads of a content tree twice as slow as plain ones; the answer and the errors (ENOENT, ELOOP)
 * are the same.
 */
const realpath = realpathSync.native;

/** Why a path was refused; `message` names the path relative to the root and the reason. */
export type RefusalReason = 'outside-root' | 'not-regular' | 'loop' | 'missing' | 'too-large' | 'unreadable';

export class FsRefusal extends Error {
  constructor(
    readonly reason: RefusalReason,
    readonly path: string,
    message: string,
  ) {
    super(message);
    this.name = 'FsRefusal';
  }
}

const realRoots = new Map<string, string>();

/** The real path of a root folder (memoised: roots do not move while dac runs). */
export function realRoot(root: string): string {
  const abs = resolve(root);
  let real = realRoots.get(abs);
  if (real === undefined) {
    try {
      real = realpath(abs);
    } catch {
      real = abs;
    }
    realRoots.set(abs, real);
  }
  return real;
}

/** Whether `real` is `root` or lies under it (both real paths). */
export function isInside(root: string, real: string): boolean {
  return real === root || real.startsWith(root.endsWith(sep) ? root : root + sep);
}

function show(root: string, path: string): string {
  const rel = relative(root, path);
  return (rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path).split(sep).join('/');
}

/** The real path of `path` (absolute, or relative to `root`), refused unless it is inside `root`. */
export function confinedRealPath(root: string, path: string): string {
  const abs = resolve(root, path);
  let real: string;
  try {
    real = realpath(abs);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') throw new FsRefusal('loop', abs, `${show(root, abs)}: symbolic-link loop`);
    throw new FsRefusal('missing', abs, `${show(root, abs)}: no such file (or a broken symbolic link)`);
  }
  if (!isInside(realRoot(root), real))
    throw new FsRefusal(
      'outside-root',
      abs,
      `${show(root, abs)} resolves outside the content root; dac reads nothing outside it`,
    );
  return real;
}

/**
 * Reads a whole regular file inside `root`. The real path is checked first, then opened with
 * O_NOFOLLOW | O_NONBLOCK (a link swapped in after the check is not followed; a FIFO does not
 * block the open) and fstat'ed: anything but a regular file is refused.
 */
export function readConfinedFile(root: string, path: string, opts: { maxBytes?: number } = {}): Buffer {
  const real = confinedRealPath(root, path);
  const abs = resolve(root, path);
  let fd: number;
  try {
    fd = openSync(real, OPEN_FLAGS);
  } catch (e) {
    throw new FsRefusal('unreadable', abs, `${show(root, abs)}: cannot open: ${(e as Error).message}`);
  }
  return readOpenedFile(fd, root, abs, opts);
}

const OPEN_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW;

/**
 * Reads many files inside one root with one confinement check per folder instead of one per
 * file (a realpath(3) call per file was most of a version-check's file-system time). A file is
 * opened as `<real path of its folder>/<name>` with O_NOFOLLOW: when that succeeds, that is its
 * real path (the name is not a link), inside the root because the folder is. Anything else — a
 * link as the last component, a missing file, a folder outside the root — goes through
 * readConfinedFile, so the answers and the refusals are the same. The folder check is as old as
 * this reader: make one per pass over a tree, not one for the life of the process.
 */
export class ConfinedReader {
  private readonly realDirs = new Map<string, string | null>();
  constructor(readonly root: string) {}

  read(path: string, opts: { maxBytes?: number } = {}): Buffer {
    const abs = resolve(this.root, path);
    const dir = dirname(abs);
    let realDir = this.realDirs.get(dir);
    if (realDir === undefined) {
      try {
        realDir = confinedRealPath(this.root, dir);
      } catch {
        realDir = null;
      }
      this.realDirs.set(dir, realDir);
    }
    if (realDir === null) return readConfinedFile(this.root, path, opts);
    let fd: number;
    try {
      fd = openSync(join(realDir, basename(abs)), OPEN_FLAGS);
    } catch {
      return readConfinedFile(this.root, path, opts);
    }
    return readOpenedFile(fd, this.root, abs, opts);
  }
}

/** The bytes of an opened file, refused unless it is a regular file within the size limit; closes `fd`. */
function readOpenedFile(fd: number, root: string, abs: string, opts: { maxBytes?: number }): Buffer {
  try {
    const st = fstatSync(fd);
    if (!st.isFile())
      throw new FsRefusal(
        'not-regular',
        abs,
        `${show(root, abs)} is not a regular file (${kindOf(st)}); dac reads regular files only`,
      );
    const max = opts.maxBytes ?? Number.POSITIVE_INFINITY;
    if (st.size > max)
      throw new FsRefusal('too-large', abs, `${show(root, abs)}: file is ${st.size} bytes; the limit is ${max} bytes`);
    const grew = () => new FsRefusal('too-large', abs, `${show(root, abs)}: file grew past the limit of ${max} bytes`);
    // One buffer of the size fstat reports plus one byte, to notice a file that grew since: the
    // usual file is read with one allocation and no copy.
    const first = Buffer.allocUnsafe(Math.min(st.size + 1, bufferConstants.MAX_LENGTH));
    let total = 0;
    while (total < first.length) {
      const n = readSync(fd, first, total, first.length - total, null);
      if (n === 0) break;
      total += n;
    }
    if (total > max) throw grew();
    if (total < first.length) return first.subarray(0, total);
    // It grew: read on in 1 MiB pieces up to the limit.
    const chunks: Buffer[] = [first];
    const buf = Buffer.allocUnsafe(1 << 20);
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      total += n;
      if (total > max) throw grew();
      chunks.push(Buffer.from(buf.subarray(0, n)));
    }
    return Buffer.concat(chunks, total);
  } finally {
    closeSync(fd);
  }
}

/**
 * Opens a regular file inside `root` for streaming (fixtures): same checks as readConfinedFile;
 * returns the real path (which the caller opens) after verifying it is a regular file.
 */
export function confinedRegularFile(root: string, path: string): string {
  const real = confinedRealPath(root, path);
  const abs = resolve(root, path);
  const st = lstatSync(real);
  if (!st.isFile())
    throw new FsRefusal(
      'not-regular',
      abs,
      `${show(root, abs)} is not a regular file (${kindOf(st)}); dac reads regular files only`,
    );
  return real;
}

/** A Stats or a Dirent: what the entry is. */
type EntryKind = Pick<
  import('node:fs').Stats,
  'isFile' | 'isDirectory' | 'isFIFO' | 'isCharacterDevice' | 'isBlockDevice' | 'isSocket'
>;

function kindOf(st: EntryKind): string {
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  if (st.isDirectory()) return 'a directory';
  return 'not a file';
}

export interface WalkEntry {
  /** Absolute path as found (through links), e.g. `<root>/detections/a.yml`. */
  path: string;
  /** Path under the walked folder's root, forward slashes. */
  relPath: string;
}

export interface WalkProblem {
  path: string;
  relPath: string;
  message: string;
}

/**
 * Lists the regular files under `dir` (inside `root`), sorted by path, for which `wanted(name)`
 * holds. Links are followed only when their target is inside the root; a directory reached twice
 * (a link loop, or two links to one folder) is read once and the repeat reported; wanted names
 * that are not regular files are reported.
 */
export function walkConfined(
  root: string,
  dir: string,
  wanted: (relPath: string) => boolean,
): { files: WalkEntry[]; problems: WalkProblem[] } {
  const files: WalkEntry[] = [];
  const problems: WalkProblem[] = [];
  const rootReal = realRoot(root);
  const rel = (p: string) => relative(root, p).split(sep).join('/');
  const visited = new Set<string>();
  const start = resolve(root, dir);
  let startReal: string;
  try {
    startReal = realpath(start);
  } catch {
    return { files, problems };
  }
  if (!isInside(rootReal, startReal)) {
    problems.push({ path: start, relPath: rel(start), message: `${rel(start)} resolves outside the content root` });
    return { files, problems };
  }
  // `relPath` of a child is its folder's plus `/name` (names hold no separator), so
  // path.relative runs once per walk, not once per entry.
  const visit = (abs: string, absRel: string, real: string): void => {
    const st = lstatSync(real);
    const id = `${st.dev}:${st.ino}`;
    if (visited.has(id)) {
      problems.push({
        path: abs,
        relPath: absRel,
        message: `${absRel} leads to a folder already read (a symbolic-link loop or a second link to it); not read again`,
      });
      return;
    }
    visited.add(id);
    let entries: import('node:fs').Dirent[];
    try {
      // The entry types come with the listing (d_type; Node lstat's entries whose type the file
      // system does not report), so only links and folders cost a system call of their own.
      entries = readdirSync(real, { withFileTypes: true });
    } catch (e) {
      problems.push({ path: abs, relPath: absRel, message: `${absRel}: cannot list: ${(e as Error).message}` });
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const name = entry.name;
      const child = join(abs, name);
      const childRel = absRel === '' ? name : `${absRel}/${name}`;
      const childReal = join(real, name);
      let target = childReal;
      let st: EntryKind = entry;
      if (entry.isSymbolicLink()) {
        try {
          target = realpath(childReal);
          st = lstatSync(target);
        } catch {
          if (wanted(childRel))
            problems.push({ path: child, relPath: childRel, message: `${childRel} is a broken symbolic link` });
          continue;
        }
        if (!isInside(rootReal, target)) {
          if (st.isDirectory() || wanted(childRel))
            problems.push({
              path: child,
              relPath: childRel,
              message: `${childRel} is a symbolic link that leaves the content root; dac reads nothing outside it`,
            });
          continue;
        }
      }
      if (st.isDirectory()) visit(child, childRel, target);
      else if (wanted(childRel)) {
        if (st.isFile()) files.push({ path: child, relPath: childRel });
        else
          problems.push({
            path: child,
            relPath: childRel,
            message: `${childRel} is not a regular file (${kindOf(st)}); dac reads regular files only`,
          });
      }
    }
  };
  visit(start, rel(start), startReal);
  files.sort((a, b) => (a.relPath < b.relPath ? -1 : a.relPath > b.relPath ? 1 : 0));
  return { files, problems };
}
