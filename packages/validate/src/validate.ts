import { existsSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import {
  addItem,
  emptyContentTree,
  CONTENT_FOLDERS,
  applyRuleSettings,
  compareDiagnostics,
  snakeCase,
  discoverContent,
  loadConfig,
  loadItem,
  positionOfPath,
  type ContentEntry,
  type ContentItem,
  type ContentKind,
  type ContentTree,
  type DacConfig,
  type Diagnostic,
} from '@dac/content';
import { macroDefinitions } from '@dac/spl';
import { checkItem, quickFacts, type CheckOptions, type FileResult } from './check-file.js';
import { RULES } from './rules/index.js';
import { SCHEMA_RULE, schemaDiagnostics } from './schemas.js';
import type { FileFacts, SharedSettings, TreeContext, TreeRule } from './types.js';

export interface ValidateOptions {
  /** Content root (holds detections/, macros/, … and dac.config.yaml or contentctl.yml). */
  root: string;
  /** Report only diagnostics of these files or folders (absolute, or relative to the working directory or the root). */
  paths?: string[];
  /**
   * Threads to spread the files over (this one plus workers − 1 worker threads); 0 or 1 = this thread
   * only. Default: the machine's available parallelism (os.availableParallelism()) for trees of
   * 200+ files, else 0.
   */
  workers?: number;
  /** Called as files are checked in this thread (`done` of `total`, the file's relative path): for progress display. */
  onProgress?: (done: number, total: number, file: string) => void;
  /**
   * Rule ids that later stages report (compile's `matcher-unsupported`, version-check's
   * `version-bump`, …): `rules:` of dac.config.yaml may set them without an unknown-rule warning.
   */
  otherRules?: readonly string[];
}

export interface ValidationResult {
  diagnostics: Diagnostic[];
  /** Content files checked (reported). */
  files: number;
  errors: number;
  warnings: number;
  durationMs: number;
  /** The loaded content, when validation ran in-thread over the whole tree (no PATHs): the build step reuses it. */
  tree?: ContentTree;
}

/** A problem with the request itself (a PATH that does not exist): the CLI maps it to exit 2. */
export class UsageError extends Error {}

/** Below this many files, starting workers costs more than it saves. */
const WORKER_MIN_FILES = 200;

/** Validates a content tree: YAML, schemas, per-file and cross-file rules. Never throws for bad content. */
export async function validate(options: ValidateOptions): Promise<ValidationResult> {
  const t0 = performance.now();
  const root = resolve(options.root);
  if (!existsSync(root) || !statSync(root).isDirectory())
    throw new UsageError(`content root ${options.root} is not a directory`);
  const { config, diagnostics: configDiagnostics } = loadConfig(root);
  const { entries, lookupFiles, problems: accessProblems } = discoverContent(root);
  const isReported = reportFilter(root, options.paths);
  const reported = entries.map((e) => isReported(e.path));
  if (options.paths?.length && !reported.some(Boolean) && !(config.file && isReported(config.file.path)))
    throw new UsageError(
      `no content file under ${options.paths.join(', ')}: content files are .yml files under ${Object.values(CONTENT_FOLDERS).join('/, ')}/ or the config file`,
    );

  const enabled = (rule: string) => config.rules[rule] !== 'off';

  // Macros first, in this thread: every search is expanded against the whole macro table.
  const results: (FileResult | undefined)[] = new Array(entries.length);
  const items: (ContentItem | undefined)[] = new Array(entries.length);
  const macroIdx = entries.flatMap((e, i) => (e.kind === 'macro' ? [i] : []));
  for (const i of macroIdx) items[i] = loadItem(entries[i]!, root, config.limits);
  const macroItems = macroIdx.map((i) => items[i]!);
  const settings: SharedSettings = {
    root,
    label: config.app.label,
    limits: config.limits,
    macros: macroDefinitions(macroItems as ContentItem<'macro'>[]),
    unreadableMacros: macroItems
      .filter((it) => !isMapping(it.file.value))
      .map((it) => it.file.relPath.replace(/^.*\//, '').replace(/\.ya?ml$/i, '')),
  };
  const checkOptions = (rep: boolean): CheckOptions => ({ settings, reported: rep, enabled });
  for (const i of macroIdx) results[i] = checkItem(items[i]!, checkOptions(reported[i]!));

  // Files outside the PATHs only contribute names and ids to the cross-file rules: read those
  // cheaply instead of parsing the whole file (a one-file run on ESCU reads 1,900 files).
  const narrowed = (options.paths?.length ?? 0) > 0;
  const rest: number[] = [];
  entries.forEach((e, i) => {
    if (e.kind === 'macro') return;
    if (narrowed && !reported[i]) results[i] = quickFacts(e, root);
    else rest.push(i);
  });
  const wanted = options.workers ?? (rest.length >= WORKER_MIN_FILES ? availableParallelism() : 0);
  const workerUrl = wanted > 1 ? workerEntry() : undefined;
  let tree: ContentTree | undefined;
  if (workerUrl && rest.length > 0) {
    // N shards: N−1 worker threads plus this thread, which would otherwise sit idle waiting.
    const shards: number[][] = Array.from({ length: wanted }, () => []);
    rest.forEach((i, n) => shards[n % wanted]!.push(i));
    const disabled = Object.entries(config.rules).flatMap(([k, v]) => (v === 'off' ? [k] : []));
    const pending = shards.slice(1).map(async (shard) => {
      const out = await runWorker(workerUrl, {
        entries: shard.map((i) => entries[i]!),
        reported: shard.map((i) => reported[i]!),
        settings,
        disabled,
      });
      shard.forEach((i, k) => {
        results[i] = out[k];
      });
    });
    let done = 0;
    for (const i of shards[0]!) {
      results[i] = checkItem(loadItem(entries[i]!, root, config.limits), checkOptions(reported[i]!));
      // This thread checks one shard of `wanted`: its share stands for the whole.
      options.onProgress?.(Math.min(rest.length, ++done * wanted), rest.length, entries[i]!.relPath);
    }
    await Promise.all(pending);
  } else {
    let done = 0;
    for (const i of rest) {
      const item = loadItem(entries[i]!, root, config.limits);
      items[i] = item;
      results[i] = checkItem(item, checkOptions(reported[i]!));
      options.onProgress?.(++done, rest.length, entries[i]!.relPath);
    }
    if (!narrowed) {
      tree = emptyContentTree(root, config, lookupFiles, [...configDiagnostics, ...accessProblems]);
      for (const item of items) if (item) addItem(tree, item);
    }
  }

  const diagnostics: Diagnostic[] = [];
  const facts: FileFacts[] = [];
  for (const r of results) {
    if (!r) continue;
    diagnostics.push(...r.diagnostics);
    facts.push(r.facts);
  }
  diagnostics.push(...configChecks(config, configDiagnostics, isReported, options.otherRules ?? []));
  // Links out of the root, loops, FIFOs: always errors (never severity-configurable off).
  diagnostics.push(...accessProblems.filter((d) => isReported(join(root, d.file))));
  for (const rule of RULES) {
    if (rule.scope !== 'tree' || !enabled(rule.id)) continue;
    for (const f of rule.check(treeContext(facts, rule, lookupFiles, (rel) => isReported(join(root, rel)))))
      diagnostics.push({ ...f, severity: f.severity ?? rule.defaultSeverity, rule: rule.id });
  }

  const final = applyRuleSettings(diagnostics, config.rules).sort(compareDiagnostics);
  const errors = final.filter((d) => d.severity === 'error').length;
  return {
    diagnostics: final,
    files: reported.filter(Boolean).length,
    errors,
    warnings: final.length - errors,
    durationMs: performance.now() - t0,
    tree,
  };
}

function treeContext<F>(
  files: FileFacts[],
  rule: TreeRule<F>,
  lookupFiles: string[],
  isReported: (rel: string) => boolean,
): TreeContext<F> {
  const byKind = new Map<ContentKind, FileFacts[]>();
  for (const f of files) {
    const list = byKind.get(f.kind);
    if (list) list.push(f);
    else byKind.set(f.kind, [f]);
  }
  const names = new Map<ContentKind, Set<string>>();
  const unreadableStems = new Map<ContentKind, Set<string>>();
  for (const f of files) {
    if (f.name) (names.get(f.kind) ?? names.set(f.kind, new Set()).get(f.kind)!).add(f.name.value);
    if (f.unreadable)
      (unreadableStems.get(f.kind) ?? unreadableStems.set(f.kind, new Set()).get(f.kind)!).add(
        f.file.slice(f.file.lastIndexOf('/') + 1).replace(/\.ya?ml$/i, ''),
      );
  }
  return {
    files,
    lookupFiles,
    isReported,
    ofKind: (k) => byKind.get(k) ?? [],
    nameExists: (k, name) => names.get(k)?.has(name) === true || unreadableStems.get(k)?.has(snakeCase(name)) === true,
    collected: () =>
      files.flatMap((f) =>
        f.reported && f.collected[rule.id] !== undefined ? [{ facts: f, value: f.collected[rule.id] as F }] : [],
      ),
  };
}

function isMapping(v: unknown): boolean {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** dac.config.yaml: its own YAML problems, its schema, and rule ids in `rules:` that do not exist. */
function configChecks(
  config: DacConfig,
  loadDiagnostics: Diagnostic[],
  isReported: (p: string) => boolean,
  otherRules: readonly string[],
): Diagnostic[] {
  const file = config.file;
  if (!file || !isReported(file.path)) return [];
  const out = [...loadDiagnostics];
  if (config.source === 'dac.config.yaml' && file.value !== undefined) {
    out.push(...schemaDiagnostics(file, file.value, 'config'));
    const rules = (file.value as { rules?: unknown }).rules;
    if (rules && typeof rules === 'object') {
      const known = new Set([
        ...RULES.map((r) => r.id),
        ...otherRules,
        SCHEMA_RULE,
        'yaml-syntax',
        'yaml-duplicate-key',
        'yaml-tab',
        'yaml-alias',
        'yaml-encoding',
        'yaml-empty',
      ]);
      for (const k of Object.keys(rules)) {
        if (known.has(k) || k.startsWith('spl')) continue;
        out.push({
          file: file.relPath,
          ...positionOfPath(file, ['rules', k], 'key'),
          severity: 'warning',
          rule: 'config',
          message: `unknown rule id "${k}" in rules; known rules: ${[...known].join(', ')}`,
        });
      }
    }
  }
  return out;
}

/** Which files' diagnostics are reported: all, or those under one of the given paths. */
function reportFilter(root: string, paths: string[] | undefined): (absPath: string) => boolean {
  if (!paths || paths.length === 0) return () => true;
  const inside = (parent: string, child: string) => {
    const r = relative(parent, child);
    return r === '' || (!r.startsWith('..') && !isAbsolute(r) && r.split(sep)[0] !== '..');
  };
  const targets = paths.map((p) => {
    const candidates = (isAbsolute(p) ? [p] : [resolve(process.cwd(), p), resolve(root, p)]).filter((c) =>
      existsSync(c),
    );
    if (candidates.length === 0) throw new UsageError(`path ${p} does not exist`);
    const hit = candidates.find((c) => inside(root, resolve(c)));
    if (!hit)
      throw new UsageError(
        `${p} is outside the content root ${root}; validate it with --content <its content root>, or run dac from inside that repository`,
      );
    return resolve(hit);
  });
  return (abs) => targets.some((t) => inside(t, abs));
}

/**
 * The bundled worker script beside this module (packages/cli/dist/validate-check.worker.js; or the
 * file named by DAC_VALIDATE_WORKER), or undefined when running from TypeScript sources (vitest),
 * where validation runs in-thread.
 */
function workerEntry(): URL | undefined {
  // Embedders and benchmarks whose bundle does not sit beside the worker script point at it.
  const forced = process.env.DAC_VALIDATE_WORKER;
  if (forced) return existsSync(forced) ? pathToFileURL(forced) : undefined;
  try {
    const url = new URL('./validate-check.worker.js', import.meta.url);
    if (url.protocol !== 'file:' || import.meta.url.endsWith('.ts')) return undefined;
    return existsSync(fileURLToPath(url)) ? url : undefined;
  } catch {
    return undefined;
  }
}

export interface WorkerRequest {
  entries: ContentEntry[];
  reported: boolean[];
  settings: SharedSettings;
  disabled: string[];
}

export type WorkerResponse = { ok: true; results: FileResult[] } | { ok: false; error: string };

function runWorker(url: URL, request: WorkerRequest): Promise<FileResult[]> {
  return new Promise((resolvePromise, reject) => {
    const worker = new Worker(url, { workerData: request });
    let settled = false;
    worker.once('message', (m: WorkerResponse) => {
      settled = true;
      void worker.terminate();
      if (m.ok) resolvePromise(m.results);
      else reject(new Error(`validation worker failed: ${m.error}`));
    });
    worker.once('error', (e) => {
      if (!settled) reject(e);
      settled = true;
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`validation worker exited with code ${code}`));
    });
  });
}
