import { existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

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
