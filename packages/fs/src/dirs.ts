import { existsSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';

/**
 * Creates a directory and its missing parents. Used instead of `mkdirSync(…, {recursive: true})`
 * because Node's recursive mkdir never returns on some special file systems (under /proc it keeps
 * retrying on ENOENT); here every level is made once, so any failure is a plain, reportable error.
 */
export function ensureDir(dir: string, mode?: number): void {
  const missing: string[] = [];
  for (let d = resolve(dir); !existsSync(d); ) {
    missing.push(d);
    const parent = dirname(d);
    if (parent === d) break;
    d = parent;
  }
  for (const d of missing.reverse()) mkdirSync(d, mode === undefined ? undefined : { mode });
}

/** Node's error for a failed file-system call (it carries `code`, `syscall` and usually `path`). */
export function isFileSystemError(e: unknown): e is NodeJS.ErrnoException & { syscall: string } {
  return (
    e instanceof Error &&
    typeof (e as NodeJS.ErrnoException).code === 'string' &&
    typeof (e as NodeJS.ErrnoException).syscall === 'string'
  );
}

/**
 * The user's cache folder for dac: `$DAC_CACHE_DIR`, else `$XDG_CACHE_HOME/dac`, else
 * `~/.cache/dac`. A relative XDG_CACHE_HOME is ignored, as the XDG Base Directory spec requires.
 * Never inside a content tree by default, so a pull request cannot plant cache entries.
 */
export function userCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.DAC_CACHE_DIR) return resolve(env.DAC_CACHE_DIR);
  const xdg = env.XDG_CACHE_HOME;
  if (xdg && isAbsolute(xdg)) return join(xdg, 'dac');
  return join(homedir(), '.cache', 'dac');
}

/**
 * dac's state folder (the integrity key): `$DAC_STATE_DIR`, else `$XDG_STATE_HOME/dac`, else
 * `~/.local/state/dac`. Kept apart from the cache so that a cache restored from elsewhere (a CI
 * cache another branch saved) brings no key with it: its entries then fail verification.
 */
export function userStateDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.DAC_STATE_DIR) return resolve(env.DAC_STATE_DIR);
  const xdg = env.XDG_STATE_HOME;
  if (xdg && isAbsolute(xdg)) return join(xdg, 'dac');
  return join(homedir(), '.local', 'state', 'dac');
}
