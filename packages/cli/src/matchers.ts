/**
 * The generated matchers as the engine's compiled predicates (issue #11: "the generated matchers
 * decide"). Compiles (or loads from the user cache) every detection's tstats WHERE and raw base
 * search matcher, and gives `dac scan` / `dac test` / `dac replay` a per-detection hook; a
 * detection without a matcher keeps the interpreter of @dac/search.
 *
 * Safety: the cache is `matcherCacheDir` (the user's cache, never inside the content root), and
 * `compileMatchers`/`compileSearchMatchers` run a cache entry's code only when its key and HMAC
 * verify (docs/security.md, "Execution"); anything else is regenerated.
 */
import type { ContentTree } from '@dac/content';
import { loadDataModels } from '@dac/cim';
import {
  compiledPredicateHook,
  compileMatchers,
  compileSearchMatchers,
  type DetectionSearch,
  detectionSearches,
  matcherCacheDir,
  type StreamFieldTable,
} from '@dac/matchers';
import { streamFieldTables } from '@dac/normalise';
import type { CompiledPredicateHook } from '@dac/search';

export interface DetectionMatchers {
  /** The hook of a content-relative detection file, undefined: no matcher (the interpreter runs). */
  compiledPredicateFor(file: string): CompiledPredicateHook | undefined;
  /** Detections with a matcher / without one. */
  compiled: number;
  interpreted: number;
}

/** Matchers of every detection of `tree`; `cache: false` uses the in-process cache only. */
export async function detectionMatchers(tree: ContentTree, opts: { cache?: boolean } = {}): Promise<DetectionMatchers> {
  const cacheDir = opts.cache === false ? undefined : matcherCacheDir(tree.root);
  const searches = detectionSearches(tree);
  const tstats = searches.filter((s) => s.tstats?.datamodel);
  const raw = searches.filter((s) => s.rawSearch && !s.tstats);
  // Type-checking only adds diagnostics (dac compile reports them); loading needs the emitted code.
  const { tstats: t, raw: r } = await compileDetectionMatchers(tree, tstats, raw, { cacheDir, typecheck: false });
  const hooks = new Map<string, CompiledPredicateHook>();
  for (const s of tstats) {
    const m = t.matchers.get(s.id);
    if (m) hooks.set(s.item.file.relPath, compiledPredicateHook({ tstats: m, tstatsWhere: s.tstats!.where }));
  }
  for (const s of raw) {
    const m = r.matchers.get(s.id);
    if (m) hooks.set(s.item.file.relPath, compiledPredicateHook({ search: m }));
  }
  return {
    compiledPredicateFor: (file) => hooks.get(file),
    compiled: hooks.size,
    interpreted: tree.detections.length - hooks.size,
  };
}

/**
 * The tstats matchers (typed by the CIM data models) and the raw-event base-search matchers (typed
 * by the add-on field tables of their input streams, @dac/normalise) of the given detections, with
 * one cache folder; what `dac compile` writes out and what `detectionMatchers` hands the engine.
 */
export async function compileDetectionMatchers(
  tree: ContentTree,
  tstats: readonly DetectionSearch[],
  raw: readonly DetectionSearch[],
  opts: { cacheDir: string | undefined; typecheck: boolean },
) {
  const models = loadDataModels();
  const tables = streamFieldTables() as StreamFieldTable[];
  const tstatsResult = await compileMatchers(
    tstats.map((s) => ({ id: s.id, tstats: s.tstats! })),
    models,
    { cacheDir: opts.cacheDir, typecheck: opts.typecheck, maxWhereTerms: tree.config.limits?.where_terms },
  );
  const rawResult = await compileSearchMatchers(
    raw.map((s) => ({ id: s.id, search: s.rawSearch! })),
    tables,
    { cacheDir: opts.cacheDir, typecheck: opts.typecheck, models },
  );
  return { tstats: tstatsResult, raw: rawResult, models, tables };
}
