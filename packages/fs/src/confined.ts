/**
 * Reads confined to a root folder (the content root): every path is resolved with realpath and
 * refused when it leaves the root; only regular files are read (a FIFO, a device, a socket would
 * block or never end); directory walks follow links only inside the root and never visit a
 * directory twice (dev:ino), so link loops end.
 */
import { closeSync, constants, fstatSync, lstatSync, openSync, readdirSync, readSync, realpathSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';

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
      real = realpathSync(abs);
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
    real = realpathSync(abs);
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
    fd = openSync(real, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
  } catch (e) {
    throw new FsRefusal('unreadable', abs, `${show(root, abs)}: cannot open: ${(e as Error).message}`);
  }
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
    const chunks: Buffer[] = [];
    let total = 0;
    const buf = Buffer.allocUnsafe(Math.max(1, Math.min(st.size + 1, 1 << 20)));
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      total += n;
      if (total > max)
        throw new FsRefusal('too-large', abs, `${show(root, abs)}: file grew past the limit of ${max} bytes`);
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

function kindOf(st: import('node:fs').Stats): string {
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
    startReal = realpathSync(start);
  } catch {
    return { files, problems };
  }
  if (!isInside(rootReal, startReal)) {
    problems.push({ path: start, relPath: rel(start), message: `${rel(start)} resolves outside the content root` });
    return { files, problems };
  }
  const visit = (abs: string, real: string): void => {
    const st = lstatSync(real);
    const id = `${st.dev}:${st.ino}`;
    if (visited.has(id)) {
      problems.push({
        path: abs,
        relPath: rel(abs),
        message: `${rel(abs)} leads to a folder already read (a symbolic-link loop or a second link to it); not read again`,
      });
      return;
    }
    visited.add(id);
    let names: string[];
    try {
      names = readdirSync(real).sort();
    } catch (e) {
      problems.push({ path: abs, relPath: rel(abs), message: `${rel(abs)}: cannot list: ${(e as Error).message}` });
      return;
    }
    for (const name of names) {
      const child = join(abs, name);
      const childReal = join(real, name);
      let lst: import('node:fs').Stats;
      try {
        lst = lstatSync(childReal);
      } catch {
        continue;
      }
      let target = childReal;
      let st = lst;
      if (lst.isSymbolicLink()) {
        try {
          target = realpathSync(childReal);
          st = lstatSync(target);
        } catch {
          if (wanted(rel(child)))
            problems.push({ path: child, relPath: rel(child), message: `${rel(child)} is a broken symbolic link` });
          continue;
        }
        if (!isInside(rootReal, target)) {
          if (st.isDirectory() || wanted(rel(child)))
            problems.push({
              path: child,
              relPath: rel(child),
              message: `${rel(child)} is a symbolic link that leaves the content root; dac reads nothing outside it`,
            });
          continue;
        }
      }
      if (st.isDirectory()) visit(child, target);
      else if (wanted(rel(child))) {
        if (st.isFile()) files.push({ path: child, relPath: rel(child) });
        else
          problems.push({
            path: child,
            relPath: rel(child),
            message: `${rel(child)} is not a regular file (${kindOf(st)}); dac reads regular files only`,
          });
      }
    }
  };
  visit(start, startReal);
  files.sort((a, b) => (a.relPath < b.relPath ? -1 : a.relPath > b.relPath ? 1 : 0));
  return { files, problems };
}
