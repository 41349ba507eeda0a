/**
 * The whole build: render the app in memory, write `<outDir>/<appid>/`, and pack
 * `<outDir>/<appid>-<version>.tar.gz` plus an identical `<outDir>/<appid>-latest.tar.gz`
 * (escu-app-format.md §4.10). Nothing is written when rendering reports an error.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { CONTENT_FOLDERS, ensureDir } from '@dac/content';
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

/** Replaces `dir` with exactly the given files (files 0644, directories 0755). */
export function writeAppTree(files: ReadonlyMap<string, Buffer | string>, dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  ensureDir(dir, 0o755);
  const made = new Set<string>([dir]);
  for (const [rel, content] of files) {
    checkRelPath(rel);
    const path = join(dir, rel);
    const parent = dirname(path);
    if (!made.has(parent)) {
      ensureDir(parent, 0o755);
      made.add(parent);
    }
    writeFileSync(path, content, { mode: 0o644 });
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
  // The app folder is deleted and rewritten: it must not be (or hold) the content itself.
  const root = resolve(tree.root);
  const contentDirs = Object.values(CONTENT_FOLDERS).map((f) => join(root, f));
  if (
    appDir === root ||
    root.startsWith(appDir + sep) ||
    contentDirs.some((d) => appDir === d || appDir.startsWith(d + sep))
  ) {
    diagnostics.push({
      file: tree.config.file?.relPath ?? tree.config.source,
      line: 1,
      column: 1,
      severity: 'error',
      rule: 'build-config',
      message: `refusing to replace ${appDir}: it is, contains or lies inside the content (choose another --out)`,
    });
    return {
      ...base,
      ok: false,
      durationMs: performance.now() - t0,
      timings: { renderMs: t1 - t0, writeMs: 0, packMs: 0 },
    };
  }
  writeAppTree(files, appDir);
  const t2 = performance.now();
  const tgz = packTarGz(files, appid, { mtime: options.mtime, level: options.level });
  const tarball = join(outDir, `${appid}-${version}.tar.gz`);
  const latest = join(outDir, `${appid}-latest.tar.gz`);
  writeFileSync(tarball, tgz, { mode: 0o644 });
  writeFileSync(latest, tgz, { mode: 0o644 });
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
