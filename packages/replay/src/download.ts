import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { dirname, join } from 'node:path';
import { ensureDir, removeAbandonedTemps, tempSibling, writeFileAtomic } from '@dac/fs';

/**
 * Downloads of attack_data fixtures: one HTTP(S) GET per file, streamed to a temporary file beside
 * the destination (named as @dac/fs names its temporary files, so the temporary file of a killed
 * download is removed by the next download of that file), hashed (SHA-256) while it streams, and
 * renamed into place only when complete and accepted, so a cache never holds a partial file. Bounded: no more than `maxBytes`, and no more than
 * `idleTimeoutMs` without progress (connecting, waiting for headers, or between chunks).
 */

/** attack_data's largest file is 455 MiB (escu-corpus.md §6.3); refuse anything over 1 GiB. */
export const DOWNLOAD_MAX_BYTES = 1024 * 1024 * 1024;
/** Time allowed without any progress before a download is abandoned. */
export const DOWNLOAD_IDLE_TIMEOUT_MS = 30_000;
/** Redirects followed per download (GitHub's raw and media hosts redirect at most once or twice). */
export const DOWNLOAD_MAX_REDIRECTS = 5;

export interface DownloadLimits {
  maxBytes?: number;
  idleTimeoutMs?: number;
}

export class DownloadError extends Error {}

export interface Downloaded {
  sha256: string;
  bytes: number;
  /** The first bytes of the file (up to LFS_POINTER_MAX_BYTES), to recognise a Git LFS pointer. */
  head: Buffer;
}

/** Git LFS pointer files are at most 1024 bytes (git-lfs spec, "pointer files must be < 1024 bytes"). */
export const LFS_POINTER_MAX_BYTES = 1024;

/**
 * GETs `url` into a temporary file in `dest`'s folder and returns it with its digest. The caller
 * decides whether to keep it (`commit`) or not (`discard`); on any failure the temporary file is
 * gone and a DownloadError says what happened in one line.
 */
export async function downloadToTemp(
  url: string,
  dest: string,
  limits: DownloadLimits = {},
): Promise<Downloaded & { temp: string }> {
  const maxBytes = limits.maxBytes ?? DOWNLOAD_MAX_BYTES;
  const idle = limits.idleTimeoutMs ?? DOWNLOAD_IDLE_TIMEOUT_MS;
  ensureDir(dirname(dest));
  removeAbandonedTemps(dest);
  const temp = tempSibling(dest);
  try {
    const res = await get(url, idle, DOWNLOAD_MAX_REDIRECTS);
    const declared = Number(res.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBytes) {
      res.destroy();
      throw new DownloadError(`${url} is ${declared} bytes, over the ${maxBytes}-byte download limit`);
    }
    const got = await streamToFile(res, temp, url, maxBytes, idle);
    return { ...got, temp };
  } catch (e) {
    rmSync(temp, { force: true });
    throw e instanceof DownloadError ? e : new DownloadError(`cannot download ${url}: ${(e as Error).message}`);
  }
}

/** Moves a finished temporary download into place (a rename: atomic on one file system). */
export function commitDownload(temp: string, dest: string): void {
  renameSync(temp, dest);
}

export function discardDownload(temp: string): void {
  rmSync(temp, { force: true });
}

function get(url: string, idleMs: number, redirectsLeft: number): Promise<IncomingMessage> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return Promise.reject(new DownloadError(`cannot download "${url}": not a URL`));
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
    return Promise.reject(new DownloadError(`cannot download ${url}: only http and https URLs are fetched`));
  const request = parsed.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(parsed, { method: 'GET', headers: { 'user-agent': 'dac-test', accept: '*/*' } }, (res) => {
      const status = res.statusCode ?? 0;
      const location = res.headers.location;
      if (status >= 300 && status < 400 && location) {
        res.resume();
        if (redirectsLeft <= 0) return reject(new DownloadError(`cannot download ${url}: too many redirects`));
        return resolve(get(new URL(location, parsed).toString(), idleMs, redirectsLeft - 1));
      }
      if (status !== 200) {
        res.resume();
        return reject(
          new DownloadError(
            `cannot download ${url}: HTTP ${status}${res.statusMessage ? ` ${res.statusMessage}` : ''}`,
          ),
        );
      }
      req.setTimeout(0);
      resolve(res);
    });
    // No bytes for idleMs while connecting or waiting for the headers.
    req.setTimeout(idleMs, () =>
      req.destroy(new DownloadError(`cannot download ${url}: no response for ${idleMs / 1000} s`)),
    );
    req.on('error', (e) =>
      reject(e instanceof DownloadError ? e : new DownloadError(`cannot download ${url}: ${describeNetError(e)}`)),
    );
    req.end();
  });
}

function streamToFile(
  res: IncomingMessage,
  temp: string,
  url: string,
  maxBytes: number,
  idleMs: number,
): Promise<Downloaded> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    const out = createWriteStream(temp, { flags: 'wx' });
    let bytes = 0;
    const head: Buffer[] = [];
    let headBytes = 0;
    let failed: Error | undefined;
    // Settle only once the file is closed: the caller then deletes it, and an open still in
    // flight could otherwise create it again after that.
    const fail = (e: Error) => {
      if (failed) return;
      failed = e;
      clearTimeout(timer);
      res.destroy();
      if (out.closed) reject(e);
      else {
        out.once('close', () => reject(e));
        out.destroy();
      }
    };
    let timer = setTimeout(
      () => fail(new DownloadError(`cannot download ${url}: stalled for ${idleMs / 1000} s`)),
      idleMs,
    );
    res.on('data', (chunk: Buffer) => {
      clearTimeout(timer);
      timer = setTimeout(
        () => fail(new DownloadError(`cannot download ${url}: stalled for ${idleMs / 1000} s`)),
        idleMs,
      );
      bytes += chunk.length;
      if (bytes > maxBytes) return fail(new DownloadError(`${url} is over the ${maxBytes}-byte download limit`));
      if (headBytes < LFS_POINTER_MAX_BYTES) {
        head.push(chunk.subarray(0, LFS_POINTER_MAX_BYTES - headBytes));
        headBytes += Math.min(chunk.length, LFS_POINTER_MAX_BYTES - headBytes);
      }
      hash.update(chunk);
      if (!out.write(chunk)) {
        res.pause();
        out.once('drain', () => res.resume());
      }
    });
    res.on('aborted', () =>
      fail(new DownloadError(`cannot download ${url}: the connection was cut after ${bytes} bytes`)),
    );
    res.on('error', (e) => fail(new DownloadError(`cannot download ${url}: ${describeNetError(e)}`)));
    let ended = false;
    res.on('close', () => {
      if (!ended) fail(new DownloadError(`cannot download ${url}: the connection was cut after ${bytes} bytes`));
    });
    res.on('end', () => {
      ended = true;
      if (failed) return;
      clearTimeout(timer);
      const declared = Number(res.headers['content-length']);
      if (Number.isFinite(declared) && declared !== bytes)
        return fail(new DownloadError(`cannot download ${url}: got ${bytes} of ${declared} bytes`));
      out.end(() => resolve({ sha256: hash.digest('hex'), bytes, head: Buffer.concat(head) }));
    });
    out.on('error', (e) => fail(e));
  });
}

function describeNetError(e: Error): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'host not found (offline?)';
  if (code === 'ECONNRESET') return 'connection reset';
  return code ? `${e.message} (${code})` : e.message;
}

/** What the download cache knows about one file. */
export interface ManifestEntry {
  /** The URL it was fetched from. */
  url: string;
  sha256: string;
  bytes: number;
  /** ISO time of the download. */
  downloaded: string;
}

/**
 * `manifest.json` beside the cached files: path (relative to the cache folder) → entry. Written
 * whole with writeFileAtomic (temporary sibling, fsync, rename), so a crash leaves the previous
 * manifest. A damaged
 * manifest is reported by the caller and treated as empty (the files stay; nothing is trusted).
 */
export class DownloadManifest {
  readonly path: string;
  private entries: Record<string, ManifestEntry> = {};
  /** Why the manifest on disk could not be read, if it could not. */
  readonly problem: string | undefined;

  constructor(readonly dir: string) {
    this.path = join(dir, 'manifest.json');
    let problem: string | undefined;
    if (existsSync(this.path)) {
      try {
        const v = JSON.parse(readFileSync(this.path, 'utf8')) as { files?: Record<string, ManifestEntry> };
        if (!v || typeof v !== 'object' || typeof v.files !== 'object' || v.files === null)
          throw new Error('no "files"');
        this.entries = v.files;
      } catch (e) {
        problem = `${this.path} is damaged (${(e as Error).message}); it will be rewritten`;
      }
    }
    this.problem = problem;
  }

  get(rel: string): ManifestEntry | undefined {
    const e = this.entries[rel];
    return e && typeof e.sha256 === 'string' && typeof e.bytes === 'number' ? e : undefined;
  }

  set(rel: string, entry: ManifestEntry): void {
    this.entries[rel] = entry;
    ensureDir(this.dir);
    const sorted = Object.fromEntries(Object.entries(this.entries).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    removeAbandonedTemps(this.path);
    writeFileAtomic(this.path, `${JSON.stringify({ version: 1, files: sorted }, null, 2)}\n`);
  }
}
