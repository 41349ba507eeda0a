/**
 * The whole build: render the app in memory, write `<outDir>/<appid>/`, and pack
 * `<outDir>/<appid>-<version>.tar.gz` plus an identical `<outDir>/<appid>-latest.tar.gz`
 * (escu-app-format.md §4.10). Nothing is written when rendering reports an error.
 */
import { mkdirSync, realpathSync, rmSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { CONTENT_FOLDERS } from '@dac/content';
import {
  MARKER_FILE,
  OutputDir,
  OutputRefusal,
  checkNotOverContent,
  ensureDir,
  markerText,
  recoverSwap,
  removeAbandonedTemps,
  swapFolder,
  swapSibling,
  writeFileAtomic,
} from '@dac/fs';
import type { ContentTree, Diagnostic } from '@dac/content';
import { renderApp, type RenderOptions } from './render.js';
import { checkRelPath, packTarGz } from './tar.js';
import type { AppView } from './view-model.js';

export interface BuildOptions extends RenderOptions {
  /** Output folder (created if needed). */
  outDir: string;
  /** mtime of the tarball entries in epoch seconds (default 0; the CLI passes SOURCE_DATE_EPOCH). */
  mtime?: number;
  /** gzip level, default 9. */
  level?: number;
}

export interface BuildResult {
  ok: boolean;
  diagnostics: Diagnostic[];
  /** Absolute paths of what was written (undefined when the build stopped on errors). */
  appDir?: string;
  tarball?: string;
  latest?: string;
  files: Map<string, Buffer>;
  tarballBytes: number;
  view: AppView;
  durationMs: number;
  timings: { renderMs: number; writeMs: number; packMs: number };
}

/** The marker purpose of an app folder `dac build` made (@dac/fs markers). */
export const APP_MARKER_PURPOSE = 'dac-build-app';

/**
 * Replaces `dir` with exactly the given files (files 0644, directories 0755), atomically: the app
 * is written into a temporary sibling, sealed with dac's marker, and renamed over the old folder,
 * which is replaced only when its own marker shows dac made it. A `kill -9` leaves the old folder
 * or the new one (an interrupted swap is put right by the next build: recoverSwap).
 */
export function writeAppTree(files: ReadonlyMap<string, Buffer | string>, dir: string): void {
  const target = resolve(dir);
  ensureDir(dirname(target), 0o755);
  recoverSwap(target, APP_MARKER_PURPOSE);
  const fresh = swapSibling(target, 'new');
  const finalPath = join(realpathSync(dirname(target)), basename(target));
  mkdirSync(fresh, 0o755);
  try {
    const out = new OutputDir(fresh);
    for (const [rel, content] of files) {
      checkRelPath(rel);
      out.write(rel, content, { mode: 0o644 });
    }
    writeFileAtomic(join(fresh, MARKER_FILE), markerText(APP_MARKER_PURPOSE, fresh, [...files.keys()], finalPath));
    swapFolder(fresh, target, APP_MARKER_PURPOSE);
  } finally {
    rmSync(fresh, { recursive: true, force: true });
  }
}

export function buildApp(tree: ContentTree, options: BuildOptions): BuildResult {
  const t0 = performance.now();
  const { files, diagnostics, view } = renderApp(tree, options);
  const t1 = performance.now();
  const base = { files, diagnostics, view, tarballBytes: 0 };
  if (diagnostics.some((d) => d.severity === 'error')) {
    return { ...base, ok: false, durationMs: t1 - t0, timings: { renderMs: t1 - t0, writeMs: 0, packMs: 0 } };
  }
  const { appid, version } = tree.config.app;
  const outDir = resolve(options.outDir);
  const appDir = join(outDir, appid);
  // The app folder is replaced: it must not be, hold or lie inside the content, compared by REAL
  // path (`--content <link to the content> --out <its real parent>` names the content itself).
  let t2 = t1;
  let tgz: Uint8Array;
  const tarball = join(outDir, `${appid}-${version}.tar.gz`);
  const latest = join(outDir, `${appid}-latest.tar.gz`);
  try {
    checkNotOverContent(appDir, [{ root: tree.root, contentFolders: Object.values(CONTENT_FOLDERS) }]);
    new OutputDir(outDir, { contentRoot: tree.root });
    writeAppTree(files, appDir);
    t2 = performance.now();
    tgz = packTarGz(files, appid, { mtime: options.mtime, level: options.level });
    // Temp sibling + fsync + rename: never a 0-byte or half tarball, never written through a link.
    for (const t of [tarball, latest]) {
      removeAbandonedTemps(t);
      writeFileAtomic(t, tgz, { mode: 0o644, durable: true });
    }
  } catch (e) {
    if (!(e instanceof OutputRefusal)) throw e;
    diagnostics.push({
      file: tree.config.file?.relPath ?? tree.config.source,
      line: 1,
      column: 1,
      severity: 'error',
      rule: 'build-config',
      message: e.message,
    });
    return {
      ...base,
      ok: false,
      durationMs: performance.now() - t0,
      timings: { renderMs: t1 - t0, writeMs: 0, packMs: 0 },
    };
  }
  const t3 = performance.now();
  return {
    ...base,
    ok: true,
    appDir,
    tarball,
    latest,
    tarballBytes: tgz.length,
    durationMs: t3 - t0,
    timings: { renderMs: t1 - t0, writeMs: t2 - t1, packMs: t3 - t2 },
  };
}
