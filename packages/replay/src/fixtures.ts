import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { confinedRegularFile, FsRefusal, userCacheDir } from '@dac/fs';
import { join, normalize, resolve, sep } from 'node:path';
import {
  commitDownload,
  DownloadError,
  DownloadManifest,
  discardDownload,
  downloadToTemp,
  LFS_POINTER_MAX_BYTES,
  type DownloadLimits,
} from './download.js';

/** Where local copies of attack_data files live, under the content root. */
export const FIXTURE_DIR = join('test', 'attack_data');

/**
 * Maps an attack_data URL to its local fixture: the path after `/master/` under
 * `<root>/test/attack_data/` (e.g. `…/attack_data/master/datasets/attack_techniques/T1572/ngrok/windows-sysmon.log`
 * → `test/attack_data/datasets/attack_techniques/T1572/ngrok/windows-sysmon.log`). There is never
 * a network fetch. Returns an error for URLs without `/master/` or with `..` segments.
 */
export function fixturePathFor(url: string, root: string): { path: string; rel: string } | { error: string } {
  const at = url.indexOf('/master/');
  if (at < 0)
    return { error: `cannot map "${url}" to a local fixture: expected an attack_data URL containing /master/` };
  const parts = safeSegments(url.slice(at + '/master/'.length), url);
  if ('error' in parts) return parts;
  const rel = normalize(join(FIXTURE_DIR, ...parts.segments));
  if (!rel.startsWith(FIXTURE_DIR + sep)) return { error: `refusing fixture path "${parts.segments.join('/')}"` };
  return { path: join(root, rel), rel: rel.split(sep).join('/') };
}

/** The URL path after the ref, decoded and checked: no empty, `.`, `..`, backslash or NUL segments. */
function safeSegments(rest: string, url: string): { segments: string[] } | { error: string } {
  let path = rest.split(/[?#]/)[0]!;
  try {
    path = decodeURIComponent(path);
  } catch {
    return { error: `bad URL encoding in "${url}"` };
  }
  // `//` occurs in real ESCU URLs (escu-corpus.md §6.3); it means one separator.
  const segments = path.split('/').filter((p) => p !== '');
  if (segments.length === 0 || segments.some((p) => p === '..' || p === '.' || p.includes('\\') || p.includes('\0')))
    return { error: `refusing fixture path "${path}" (empty, or has . / .. / backslash segments)` };
  return { segments };
}

/** The GitHub repository that holds ESCU's test data. */
export const ATTACK_DATA_REPO = 'splunk/attack_data';

/**
 * The path inside splunk/attack_data that an ESCU `attack_data.data` URL names, for the forms ESCU
 * uses (escu-corpus.md §6: 1,528 `media.githubusercontent.com/media/…` URLs, 4 `raw.githubusercontent.com`)
 * and GitHub's web form:
 * - `https://media.githubusercontent.com/media/splunk/attack_data/master/<path>` (Git LFS content)
 * - `https://raw.githubusercontent.com/splunk/attack_data/master/<path>` (also `refs/heads/master`)
 * - `https://github.com/splunk/attack_data/raw/master/<path>` and `/blob/master/<path>`
 * Only the `master` branch maps: a clone's working tree is that branch, and a URL pinned to
 * another ref may name other bytes.
 */
export function attackDataPath(url: string): { path: string } | { error: string } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return { error: `"${url}" is not a URL` };
  }
  const host = u.hostname.toLowerCase();
  const parts = u.pathname.split('/').filter((p) => p !== '');
  const lower = parts.map((p) => p.toLowerCase());
  let at: number | undefined;
  if (
    host === 'media.githubusercontent.com' &&
    lower[0] === 'media' &&
    lower[1] === 'splunk' &&
    lower[2] === 'attack_data'
  )
    at = 3;
  else if (host === 'raw.githubusercontent.com' && lower[0] === 'splunk' && lower[1] === 'attack_data') at = 2;
  else if (
    (host === 'github.com' || host === 'www.github.com') &&
    lower[0] === 'splunk' &&
    lower[1] === 'attack_data' &&
    (lower[2] === 'raw' || lower[2] === 'blob')
  )
    at = 3;
  if (at === undefined) return { error: `"${url}" is not a ${ATTACK_DATA_REPO} URL` };
  if (parts[at] === 'refs' && parts[at + 1] === 'heads') at += 2;
  const ref = parts[at];
  if (ref !== 'master')
    return { error: `"${url}" names ${ATTACK_DATA_REPO} at "${ref ?? ''}"; only master maps to a clone or the cache` };
  const safe = safeSegments(parts.slice(at + 1).join('/'), url);
  if ('error' in safe) return safe;
  return { path: safe.segments.join('/') };
}

/** A Git LFS pointer file's facts (git-lfs spec v1). */
export interface LfsPointer {
  oid: string;
  size: number;
}

const LFS_HEADER = 'version https://git-lfs.github.com/spec/v1\n';

/** The pointer a small text starting with the LFS header describes, else undefined. */
export function parseLfsPointer(head: Buffer | string): LfsPointer | undefined {
  const text = typeof head === 'string' ? head : head.toString('utf8');
  if (!text.startsWith(LFS_HEADER) || text.length >= LFS_POINTER_MAX_BYTES) return undefined;
  const oid = /^oid sha256:([0-9a-f]{64})$/m.exec(text)?.[1];
  const size = /^size (\d+)$/m.exec(text)?.[1];
  return oid && size ? { oid, size: Number(size) } : undefined;
}

/** Reads the start of a file to tell a Git LFS pointer from real data (never the whole file). */
export function lfsPointerAt(path: string): LfsPointer | undefined {
  const st = statSync(path);
  if (st.size >= LFS_POINTER_MAX_BYTES) return undefined;
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(st.size);
    const n = readSync(fd, buf, 0, st.size, 0);
    return parseLfsPointer(buf.subarray(0, n));
  } finally {
    closeSync(fd);
  }
}

// The user's cache folder (`$DAC_CACHE_DIR`, `$XDG_CACHE_HOME/dac`, `~/.cache/dac`) is @dac/fs's.
export { userCacheDir };

/** Where `dac test --download` keeps attack_data files: `<user cache>/attack_data/<path in the repository>`. */
export function defaultDownloadDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(userCacheDir(env), 'attack_data');
}

export interface FixtureOptions {
  /** A local clone of splunk/attack_data (its `datasets/` at the top); searched first. */
  attackDataDir?: string;
  /** Fetch files found nowhere else (or found only as LFS pointers) into `downloadDir`. */
  download?: boolean;
  /** The download cache (default: defaultDownloadDir()); read whenever a file is not found locally. */
  downloadDir?: string;
  /**
   * Fetch from this base URL + the path in the repository instead of the URL in the detection (a
   * mirror of attack_data; tests use a local server).
   */
  downloadFrom?: string;
  limits?: DownloadLimits;
  /** Told about each download as it finishes (the CLI prints a line). */
  onDownload?: (info: { url: string; path: string; bytes: number; sha256: string }) => void;
  /** Told once about a problem that is not one test's (a damaged download manifest). */
  onNote?: (message: string) => void;
}

export type ResolvedFixture =
  | { path: string; rel: string; source: 'clone' | 'content' | 'cache' | 'download' }
  | { error: string };

/**
 * Finds the local file for each `attack_data.data` URL, in this order:
 * 1. the attack_data clone (`--attack-data` / `test.attack_data`), when given — the real data wins;
 * 2. the content's own `test/attack_data/<path after /master/>`;
 * 3. the download cache;
 * 4. with `download`, a fetch into the cache (once per file, however many tests use it).
 * The first file found is used. A Git LFS pointer (a clone without `git lfs pull`, or a server that
 * serves pointers) is never read as a log: it is reported, or with `download` replaced by the
 * real file, which must then have the pointer's SHA-256. Downloads are checked against the
 * manifest of earlier downloads of the same path; a different digest is reported, not kept.
 */
export class FixtureResolver {
  private readonly pending = new Map<string, Promise<ResolvedFixture>>();
  private manifestCache: DownloadManifest | undefined;
  readonly downloadDir: string;

  constructor(
    private readonly root: string,
    private readonly opts: FixtureOptions = {},
  ) {
    this.downloadDir = opts.downloadDir ?? defaultDownloadDir();
  }

  /** The file for a URL; asked again for the same file (by any URL form), the same answer. */
  resolve(url: string): Promise<ResolvedFixture> {
    const mapped = attackDataPath(url);
    const key = 'path' in mapped ? `attack_data:${mapped.path}` : url;
    let p = this.pending.get(key);
    if (!p) {
      p = this.find(url);
      this.pending.set(key, p);
    }
    return p;
  }

  private get manifest(): DownloadManifest {
    if (!this.manifestCache) {
      this.manifestCache = new DownloadManifest(this.downloadDir);
      if (this.manifestCache.problem) this.opts.onNote?.(this.manifestCache.problem);
    }
    return this.manifestCache;
  }

  private async find(url: string): Promise<ResolvedFixture> {
    const repoPath = attackDataPath(url);
    const local = fixturePathFor(url, this.root);
    const looked: string[] = [];
    let pointer: { where: string; fix: string; lfs: LfsPointer } | undefined;

    const candidates: { path: string; rel: string; source: 'clone' | 'content'; fix: string; base: string }[] = [];
    if (this.opts.attackDataDir && 'path' in repoPath) {
      const dir = resolve(this.opts.attackDataDir);
      candidates.push({
        base: dir,
        path: join(dir, ...repoPath.path.split('/')),
        rel: join(dir, ...repoPath.path.split('/')),
        source: 'clone',
        fix: `run \`git -C ${dir} lfs pull --include="${repoPath.path}"\``,
      });
    }
    if ('path' in local)
      candidates.push({
        ...local,
        base: this.root,
        source: 'content',
        fix: `run \`git lfs pull --include="${local.rel}"\``,
      });
    for (const c of candidates) {
      looked.push(c.rel);
      if (!existsSync(c.path)) continue;
      // Through @dac/fs: a fixture must resolve inside its folder (the content root, the clone)
      // and be a regular file; a link to /etc/shadow, a FIFO or /dev/zero is refused, not read.
      let real: string;
      try {
        real = confinedRegularFile(c.base, c.path);
      } catch (e) {
        if (e instanceof FsRefusal) return { error: `fixture ${e.message}` };
        throw e;
      }
      const lfs = lfsPointerAt(real);
      if (!lfs) return { path: real, rel: c.rel, source: c.source };
      pointer = { where: c.rel, fix: c.fix, lfs };
      break;
    }
    const pointerMessage = (p: NonNullable<typeof pointer>) =>
      `${p.where} is a Git LFS pointer (a ${p.lfs.size}-byte file, sha256 ${p.lfs.oid.slice(0, 12)}…), not the log: LFS pointer, ${p.fix}, or pass --download`;

    if ('error' in repoPath) {
      if (pointer) return { error: pointerMessage(pointer) };
      if ('error' in local) return { error: local.error };
      return {
        error: `missing fixture ${local.rel} (for ${url}); add the file there (only ${ATTACK_DATA_REPO} URLs can come from a clone or a download)`,
      };
    }

    // The download cache: what an earlier --download fetched.
    const cached = join(this.downloadDir, ...repoPath.path.split('/'));
    const known = this.manifest.get(repoPath.path);
    if (existsSync(cached) && (!pointer || pointer.lfs.oid === known?.sha256)) {
      try {
        confinedRegularFile(this.downloadDir, cached);
      } catch (e) {
        if (e instanceof FsRefusal) return { error: `cached fixture ${e.message}` };
        throw e;
      }
      const size = statSync(cached).size;
      if (known && size !== known.bytes) {
        if (!this.opts.download)
          return {
            error: `cached ${cached} has ${size} bytes but was downloaded with ${known.bytes}; delete it and run with --download`,
          };
      } else if (!lfsPointerAt(cached)) return { path: cached, rel: cached, source: 'cache' };
    }

    if (!this.opts.download) {
      if (pointer) return { error: pointerMessage(pointer) };
      return {
        error: `missing fixture ${looked.join(' or ')} (for ${url}); add the file, pass --attack-data DIR (a ${ATTACK_DATA_REPO} clone), or --download to fetch it into ${this.downloadDir}`,
      };
    }
    return this.download(url, repoPath.path, cached, pointer?.lfs);
  }

  private async download(url: string, path: string, dest: string, expect?: LfsPointer): Promise<ResolvedFixture> {
    const from = this.opts.downloadFrom
      ? `${this.opts.downloadFrom.replace(/\/+$/, '')}/${path.split('/').map(encodeURIComponent).join('/')}`
      : url;
    let got: Awaited<ReturnType<typeof downloadToTemp>>;
    try {
      got = await downloadToTemp(from, dest, this.opts.limits);
    } catch (e) {
      if (e instanceof DownloadError) return { error: e.message };
      return { error: `cannot download ${from}: ${(e as Error).message}` };
    }
    const lfs = got.bytes < LFS_POINTER_MAX_BYTES ? parseLfsPointer(got.head) : undefined;
    if (lfs) {
      discardDownload(got.temp);
      return {
        error: `${from} returned a Git LFS pointer (a ${lfs.size}-byte file), not the log: LFS pointer, run git lfs pull in a clone and pass --attack-data, or use the https://media.githubusercontent.com/media/${ATTACK_DATA_REPO}/master/… form of the URL, which serves the file`,
      };
    }
    if (expect && got.sha256 !== expect.oid) {
      discardDownload(got.temp);
      return {
        error: `${from} has sha256 ${got.sha256.slice(0, 12)}… but the Git LFS pointer names ${expect.oid.slice(0, 12)}…; not kept`,
      };
    }
    const known = this.manifest.get(path);
    if (known && known.sha256 !== got.sha256) {
      discardDownload(got.temp);
      return {
        error: `checksum mismatch: ${from} now has sha256 ${got.sha256.slice(0, 12)}… (${got.bytes} bytes), but ${known.url} had ${known.sha256.slice(0, 12)}… (${known.bytes} bytes) when downloaded on ${known.downloaded.slice(0, 10)}; the file changed upstream or the download is corrupt. Not kept; to accept it, delete its entry from ${this.manifest.path}`,
      };
    }
    commitDownload(got.temp, dest);
    this.manifest.set(path, { url: from, sha256: got.sha256, bytes: got.bytes, downloaded: new Date().toISOString() });
    this.opts.onDownload?.({ url: from, path: dest, bytes: got.bytes, sha256: got.sha256 });
    return { path: dest, rel: dest, source: 'download' };
  }
}
