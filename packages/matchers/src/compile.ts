import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { assetPath } from '@dac/assets';
import type { Diagnostic as TsMorphDiagnostic } from 'ts-morph';
import { tsMorph, typescript } from './lazy-deps.js';
import { loadDataModels, type DataModels } from '@dac/cim';
import { ensureDir, seal, verifySeal, writeFileAtomic } from '@dac/fs';
import type { TstatsCommand } from './ast.js';
import {
  COMMAND_MARKER,
  GENERATOR_VERSION,
  SPAN_MARKER,
  datasetTypesModule,
  generateDatasetTypesSource,
  generateMatcher,
} from './generate.js';
import { planTstats, type TstatsPlan } from '@dac/cim';
import type { CimEvent, MatcherDiagnostic } from './types.js';
import * as runtime from './runtime.js';

export interface CompiledMatcher {
  id: string;
  plan: TstatsPlan;
  match(event: CimEvent): boolean;
  /** The generated TypeScript module. */
  source: string;
}

export interface CompileOptions {
  /** Directory for the content-hash cache (created if missing). Without it only the in-process cache is used. */
  cacheDir?: string;
  /** Type-check the generated modules (one program for all of them). Default true. */
  typecheck?: boolean;
  /** `limits.where_terms`: most where-clause terms one matcher is generated from (default 1,000). */
  maxWhereTerms?: number;
}

export interface CompileResult {
  matchers: Map<string, CompiledMatcher>;
  diagnostics: Map<string, MatcherDiagnostic[]>;
  /** How much work the caches saved, for benchmarks and `dac compile --verbose`. */
  stats: { generated: number; generatedFromCache: number; typechecked: number; compiledFromCache: number };
}

// ---------------------------------------------------------------------------------------------
// The runtime module's source, for type-checking the generated modules against it.

/** Source text of runtime.ts (@dac/assets `matcherRuntime`: this package's file, or the bundle's copy). */
export function runtimeSource(): string {
  runtimeText ??= readFileSync(assetPath('matcherRuntime'), 'utf8');
  return runtimeText;
}
let runtimeText: string | undefined;

// ---------------------------------------------------------------------------------------------
// Type-checking: one ts-morph Project (one program) for all modules.

/** The program that type-checks matchers also emits them, as CommonJS for loadMatcherModule. */
function compilerOptions() {
  const ts = typescript();
  return {
    strict: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    // ES2015 covers what generated code and runtime.ts use (Map, Set, startsWith, codePointAt) and is
    // less to parse and bind than a later lib.
    lib: ['lib.es2015.d.ts'],
    types: [],
    skipLibCheck: true,
    noUnusedLocals: false,
    sourceMap: false,
    declaration: false,
    // The loaded JavaScript needs no comments, and emitting them is a large share of emit time.
    removeComments: true,
    // Generated modules mark type-only imports/exports; per-module emit needs no cross-file analysis.
    isolatedModules: true,
  };
}

/**
 * Type-checks generated modules in ONE program. A diagnostic on a generated line is mapped back
 * to the SPL span in that line's `// @spl a:b` marker (else to the whole tstats command).
 */
export function typecheckMatchers(
  sources: { id: string; source: string }[],
  models: DataModels = loadDataModels(),
): Map<string, MatcherDiagnostic[]> {
  const out = new Map<string, MatcherDiagnostic[]>();
  for (const [id, r] of checkAndEmit(sources, models, { check: true, emit: false })) out.set(id, r.diagnostics);
  return out;
}

/**
 * One program for all modules: type-check each, and (with `emit`) emit each as CommonJS from the
 * same program, which reuses its parse instead of transpiling every module again.
 */
export function checkAndEmit(
  sources: { id: string; source: string }[],
  models: DataModels,
  mode: { check: boolean; emit: boolean },
  /** More modules the sources import (raw-search matchers' stream interfaces), path → text. */
  extraModules?: ReadonlyMap<string, string>,
): Map<string, { diagnostics: MatcherDiagnostic[]; js?: string }> {
  const result = new Map<string, { diagnostics: MatcherDiagnostic[]; js?: string }>();
  if (sources.length === 0) return result;
  const project = new (tsMorph().Project)({ useInMemoryFileSystem: true, compilerOptions: compilerOptions() });
  project.createSourceFile('/matchers/runtime.ts', runtimeSource());
  const typeModules = new Map<string, string>();
  for (const s of sources) for (const m of supportModules(s.source, models)) typeModules.set(m.path, m.source);
  for (const [path, text] of extraModules ?? []) typeModules.set(path, text);
  for (const [path, text] of typeModules) project.createSourceFile(`/matchers/${path}`, text);
  const byOutput = new Map<string, { diagnostics: MatcherDiagnostic[]; js?: string }>();
  const files = sources.map((s, i) => {
    const r: { diagnostics: MatcherDiagnostic[]; js?: string } = { diagnostics: [] };
    result.set(s.id, r);
    byOutput.set(`/matchers/m${i}.js`, r);
    return { id: s.id, source: s.source, file: project.createSourceFile(`/matchers/m${i}.ts`, s.source) };
  });
  const program = project.getProgram();
  if (mode.check) {
    for (const f of files) {
      const diags: TsMorphDiagnostic[] = [
        ...program.getSyntacticDiagnostics(f.file),
        ...program.getSemanticDiagnostics(f.file),
      ];
      const r = result.get(f.id)!;
      for (const d of diags) r.diagnostics.push(toMatcherDiagnostic(d, f.source));
    }
  }
  if (mode.emit) {
    // One emit call for the whole program: per-file emit (or transpileModule) pays the emitter's
    // set-up cost for every module.
    program.compilerObject.emit(undefined, (name, text) => {
      const r = byOutput.get(name);
      if (r) r.js = text;
    });
  }
  return result;
}

/**
 * The generated modules a matcher module imports besides the runtime: its dataset's interface
 * module (`cim/Endpoint.Processes.ts`). Paths are relative to the matcher module's directory.
 */
export function supportModules(source: string, models: DataModels): { path: string; source: string }[] {
  const out: { path: string; source: string }[] = [];
  for (const m of source.matchAll(/^import type \{ \w+ \} from "\.\/cim\/([A-Za-z0-9_.]+)\.js";$/gm)) {
    const [model, ...path] = m[1]!.split('.');
    const dataset = models.dataset(model!, path);
    if (dataset && datasetTypesModule(dataset) === `./cim/${m[1]}.js`)
      out.push({ path: `cim/${m[1]}.ts`, source: generateDatasetTypesSource(dataset) });
  }
  return out;
}

export function toMatcherDiagnostic(d: TsMorphDiagnostic, source: string): MatcherDiagnostic {
  const line = d.getLineNumber();
  let span: { start: number; end: number } = { start: 0, end: 0 };
  const cmd = COMMAND_MARKER.exec(source);
  if (cmd) span = { start: Number(cmd[1]), end: Number(cmd[2]) };
  if (line !== undefined) {
    const text = source.split('\n')[line - 1] ?? '';
    const m = SPAN_MARKER.exec(text);
    if (m) span = { start: Number(m[1]), end: Number(m[2]) };
  }
  const msg = typescript().flattenDiagnosticMessageText(d.compilerObject.messageText, ' ');
  return {
    ...span,
    severity: d.getCategory() === typescript().DiagnosticCategory.Error ? 'error' : 'warning',
    rule: 'matcher-typecheck',
    message: `generated matcher does not type-check${line !== undefined ? ` (line ${line})` : ''}: ${msg}`,
  };
}

// ---------------------------------------------------------------------------------------------
// Transpiling and loading.

/** TypeScript → CommonJS JavaScript (transpileModule: no type information needed). */
export function transpileMatcher(source: string): string {
  return typescript().transpileModule(source, {
    compilerOptions: {
      module: typescript().ModuleKind.CommonJS,
      target: typescript().ScriptTarget.ES2022,
      esModuleInterop: false,
      sourceMap: false,
    },
    reportDiagnostics: false,
  }).outputText;
}

interface LoadedModule {
  match(event: CimEvent): boolean;
}

/**
 * Runs transpiled module code with `exports` and a `require` that only knows the runtime module:
 * generated code has no other imports, and nothing else is reachable from it.
 */
export function loadMatcherModule(js: string): LoadedModule {
  const exports: Record<string, unknown> = {};
  const requireRuntime = (name: string): unknown => {
    if (name === './runtime.js') return runtime;
    throw new Error(`generated matcher imports ${JSON.stringify(name)}; only ./runtime.js is available`);
  };
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const factory = new Function('exports', 'require', `"use strict";\n${js}`) as (
    e: Record<string, unknown>,
    r: (n: string) => unknown,
  ) => void;
  factory(exports, requireRuntime);
  if (typeof exports.match !== 'function') throw new Error('generated matcher module has no match function');
  return { match: exports.match as (event: CimEvent) => boolean };
}

// ---------------------------------------------------------------------------------------------
// Caches: generation keyed by the input (tstats AST + id + models + generator version), and
// type-check + transpile keyed by the generated source. Both in memory and, with cacheDir, on disk.

interface GenEntry {
  source?: string;
  diagnostics: MatcherDiagnostic[];
}
interface BuildEntry {
  js: string;
  diagnostics: MatcherDiagnostic[];
  typechecked: boolean;
}

const genMemory = new Map<string, GenEntry>();
const buildMemory = new Map<string, BuildEntry>();
const loadedMemory = new Map<string, LoadedModule>();
const modelFingerprints = new WeakMap<DataModels, string>();

export function sha256(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

function modelsFingerprint(models: DataModels): string {
  let f = modelFingerprints.get(models);
  if (!f) {
    const h = createHash('sha256');
    for (const name of models.names()) {
      for (const ds of models.model(name)!.datasets) {
        h.update(`${name}|${ds.path.join('.')}|`);
        for (const field of ds.fields)
          h.update(`${field.name}:${field.type}:${field.multivalue ? 1 : 0}:${field.kind}:${field.comment ?? ''};`);
      }
    }
    f = h.digest('hex');
    modelFingerprints.set(models, f);
  }
  return f;
}

/**
 * A disk cache entry is used only when it verifies: its recorded kind and key equal the ones
 * computed now from the input (the key hashes the generator version, data models and the tstats
 * AST or the generated source), and its HMAC under dac's integrity key (@dac/fs, kept in the
 * user's state folder, never in the cache or a content tree) matches the stored text, which holds
 * the generated JavaScript. A planted, edited or foreign entry fails and is regenerated: code
 * from a cache file never runs unless dac itself wrote it for this very key.
 */
export function readCache<T>(cacheDir: string | undefined, kind: string, key: string): T | undefined {
  if (!cacheDir) return undefined;
  try {
    const v = JSON.parse(readFileSync(join(cacheDir, kind, `${key}.json`), 'utf8')) as {
      version?: unknown;
      key?: unknown;
      value?: unknown;
      seal?: unknown;
    };
    if (v.version !== GENERATOR_VERSION || v.key !== key || typeof v.value !== 'string') return undefined;
    if (!verifySeal(['matcher-cache', kind, key, GENERATOR_VERSION, v.value], v.seal)) return undefined;
    return JSON.parse(v.value) as T;
  } catch {
    return undefined;
  }
}

export function writeCache(cacheDir: string | undefined, kind: string, key: string, value: unknown): void {
  if (!cacheDir) return;
  try {
    const dir = join(cacheDir, kind);
    ensureDir(dir);
    const text = JSON.stringify(value);
    const entry = {
      version: GENERATOR_VERSION,
      key,
      value: text,
      seal: seal(['matcher-cache', kind, key, GENERATOR_VERSION, text]),
    };
    // Temp sibling + rename (@dac/fs), so a concurrent reader never sees half a file.
    writeFileAtomic(join(dir, `${key}.json`), JSON.stringify(entry), { fsync: false });
  } catch {
    // A cache that cannot be written only costs time.
  }
}

/**
 * Generates, type-checks (one program), transpiles and loads the matchers of many tstats
 * commands. A detection gets a CompiledMatcher only when it has no error diagnostic.
 */
export async function compileMatchers(
  inputs: { id: string; tstats: TstatsCommand }[],
  models: DataModels,
  options: CompileOptions = {},
): Promise<CompileResult> {
  const typecheck = options.typecheck ?? true;
  const cacheDir = options.cacheDir;
  const stats = { generated: 0, generatedFromCache: 0, typechecked: 0, compiledFromCache: 0 };
  const diagnostics = new Map<string, MatcherDiagnostic[]>();
  const matchers = new Map<string, CompiledMatcher>();
  const fingerprint = modelsFingerprint(models);

  interface Pending {
    id: string;
    plan: TstatsPlan;
    source: string;
    sourceKey: string;
  }
  const ready: Pending[] = [];
  for (const { id, tstats } of inputs) {
    const genKey = sha256(
      `${GENERATOR_VERSION}\0${fingerprint}\0${id}\0${options.maxWhereTerms ?? ''}\0${JSON.stringify(tstats)}`,
    );
    let gen = genMemory.get(genKey) ?? readCache<GenEntry>(cacheDir, 'gen', genKey);
    if (gen) {
      stats.generatedFromCache++;
    } else {
      const g = generateMatcher(id, tstats, models, { maxWhereTerms: options.maxWhereTerms });
      gen = g.source === undefined ? { diagnostics: g.diagnostics } : { source: g.source, diagnostics: g.diagnostics };
      stats.generated++;
      writeCache(cacheDir, 'gen', genKey, gen);
    }
    genMemory.set(genKey, gen);
    diagnostics.set(id, [...gen.diagnostics]);
    if (gen.source === undefined) continue;
    const { plan } = planTstats(tstats, models);
    if (!plan) continue;
    ready.push({
      id,
      plan,
      source: gen.source,
      sourceKey: sha256(`${typecheck ? 'tc' : 'notc'}\0${fingerprint}\0${gen.source}`),
    });
  }

  // Type-check (one program) and transpile whatever the caches do not have.
  const builds = new Map<string, BuildEntry>();
  const missing: Pending[] = [];
  for (const p of ready) {
    const b =
      builds.get(p.sourceKey) ?? buildMemory.get(p.sourceKey) ?? readCache<BuildEntry>(cacheDir, 'build', p.sourceKey);
    if (b) {
      builds.set(p.sourceKey, b);
      stats.compiledFromCache++;
    } else if (!missing.some((m) => m.sourceKey === p.sourceKey)) {
      missing.push(p);
    }
  }
  // Without type-checking the same program still emits every module in one call (cheaper than a
  // transpileModule per module); transpileMatcher is the fallback for a module it did not emit.
  const checked = checkAndEmit(
    missing.map((m) => ({ id: m.sourceKey, source: m.source })),
    models,
    { check: typecheck, emit: true },
  );
  stats.typechecked = typecheck ? missing.length : 0;
  for (const m of missing) {
    const c = checked.get(m.sourceKey);
    const entry: BuildEntry = {
      js: c?.js ?? transpileMatcher(m.source),
      diagnostics: c?.diagnostics ?? [],
      typechecked: typecheck,
    };
    builds.set(m.sourceKey, entry);
    writeCache(cacheDir, 'build', m.sourceKey, entry);
  }

  for (const p of ready) {
    const b = builds.get(p.sourceKey)!;
    buildMemory.set(p.sourceKey, b);
    const all = diagnostics.get(p.id)!;
    // The type checker's "Property 'proces' does not exist" repeats a datamodel-field error the
    // direct check already reported (friendlier) at the same place: keep only the friendly one.
    const fieldErrors = all.filter((d) => d.rule === 'datamodel-field');
    all.push(...b.diagnostics.filter((d) => !fieldErrors.some((f) => f.start < d.end && d.start < f.end)));
    if (all.some((d) => d.severity === 'error')) continue;
    let mod = loadedMemory.get(p.sourceKey);
    if (!mod) {
      try {
        mod = loadMatcherModule(b.js);
      } catch (e) {
        all.push({
          start: 0,
          end: 0,
          severity: 'error',
          rule: 'matcher-typecheck',
          message: `generated matcher failed to load: ${(e as Error).message}`,
        });
        continue;
      }
      loadedMemory.set(p.sourceKey, mod);
    }
    const fn = mod.match;
    matchers.set(p.id, { id: p.id, plan: p.plan, source: p.source, match: (event) => fn(event) });
  }
  return { matchers, diagnostics, stats };
}

/** Forgets the in-process caches (tests and benchmarks measure cold runs with it). */
export function clearMatcherCaches(): void {
  genMemory.clear();
  buildMemory.clear();
  loadedMemory.clear();
}
