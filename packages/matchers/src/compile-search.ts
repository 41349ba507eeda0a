import { eventKeyOf, loadDataModels, type DataModels } from '@dac/cim';
import type { SearchCommand, SearchExpr, Span } from '@dac/spl';
import { checkAndEmit, loadMatcherModule, readCache, sha256, transpileMatcher, writeCache } from './compile.js';
import {
  generateSearchMatcher,
  generateStreamTypesSource,
  SEARCH_GENERATOR_VERSION,
  type StreamFieldTable,
  streamTypesModule,
} from './generate-search.js';
import type { CompiledMatcher } from './compile.js';
import type { MatcherDiagnostic } from './types.js';

/**
 * Compiles raw-event base-search matchers: generate (generate-search.ts), type-check and emit in
 * one program, load — with the same two content-hash cache levels as the tstats matchers
 * (`readCache`/`writeCache` of compile.ts; keys carry SEARCH_GENERATOR_VERSION and the field
 * tables' fingerprint).
 */

/** A loaded raw-search matcher. */
export interface CompiledSearchMatcher {
  id: string;
  /** The `search` command it implements (span in the expanded search) and its expression. */
  span: Span;
  exprKey: string;
  streams: readonly string[];
  unknownFields: readonly string[];
  match(event: Readonly<Record<string, unknown>>): boolean;
  source: string;
}

export interface CompileSearchResult {
  matchers: Map<string, CompiledSearchMatcher>;
  diagnostics: Map<string, MatcherDiagnostic[]>;
  stats: { generated: number; generatedFromCache: number; typechecked: number; compiledFromCache: number };
}

/** The identity of a search expression (AST with spans): what a matcher was generated from. */
export function searchExprKey(expr: SearchExpr | undefined): string {
  return expr ? sha256(JSON.stringify(expr)) : 'none';
}

interface GenEntry {
  source?: string;
  streams: string[];
  unknownFields: string[];
  diagnostics: MatcherDiagnostic[];
}
interface BuildEntry {
  js: string;
  diagnostics: MatcherDiagnostic[];
}

const genMemory = new Map<string, GenEntry>();
const buildMemory = new Map<string, BuildEntry>();
const loadedMemory = new Map<string, (e: Readonly<Record<string, unknown>>) => boolean>();

function tablesFingerprint(tables: readonly StreamFieldTable[]): string {
  return sha256(JSON.stringify(tables));
}

/** The stream interface modules a raw-search matcher imports, path (relative) → text. */
export function streamSupportModules(
  source: string,
  tables: readonly StreamFieldTable[],
): { path: string; source: string }[] {
  const out: { path: string; source: string }[] = [];
  for (const t of tables) {
    const spec = streamTypesModule(t);
    if (source.includes(`from ${JSON.stringify(spec)};`))
      out.push({ path: `${spec.slice(2, -3)}.ts`, source: generateStreamTypesSource(t) });
  }
  return out;
}

/**
 * Generates, type-checks (one program), emits and loads the matchers of raw base searches. A
 * detection gets a matcher only when it has no error diagnostic.
 */
export async function compileSearchMatchers(
  inputs: { id: string; search: SearchCommand }[],
  tables: readonly StreamFieldTable[],
  options: { cacheDir?: string; typecheck?: boolean; models?: DataModels } = {},
): Promise<CompileSearchResult> {
  const typecheck = options.typecheck ?? true;
  const cacheDir = options.cacheDir;
  const models = options.models ?? loadDataModels();
  const stats = { generated: 0, generatedFromCache: 0, typechecked: 0, compiledFromCache: 0 };
  const diagnostics = new Map<string, MatcherDiagnostic[]>();
  const matchers = new Map<string, CompiledSearchMatcher>();
  const fp = tablesFingerprint(tables);
  const ready: { id: string; search: SearchCommand; gen: GenEntry; source: string; key: string }[] = [];
  for (const { id, search } of inputs) {
    const genKey = sha256(`${SEARCH_GENERATOR_VERSION}\0${fp}\0${id}\0${JSON.stringify(search)}`);
    let gen = genMemory.get(genKey) ?? readCache<GenEntry>(cacheDir, 'gen-search', genKey);
    if (gen) stats.generatedFromCache++;
    else {
      const g = generateSearchMatcher(id, search, tables);
      gen = { streams: g.streams, unknownFields: g.unknownFields, diagnostics: g.diagnostics };
      if (g.source !== undefined) gen.source = g.source;
      stats.generated++;
      writeCache(cacheDir, 'gen-search', genKey, gen);
    }
    genMemory.set(genKey, gen);
    diagnostics.set(id, [...gen.diagnostics]);
    if (gen.source === undefined) continue;
    ready.push({
      id,
      search,
      gen,
      source: gen.source,
      key: sha256(`${SEARCH_GENERATOR_VERSION}\0${typecheck ? 'tc' : 'notc'}\0${fp}\0${gen.source}`),
    });
  }
  const builds = new Map<string, BuildEntry>();
  const missing: typeof ready = [];
  for (const p of ready) {
    const b = builds.get(p.key) ?? buildMemory.get(p.key) ?? readCache<BuildEntry>(cacheDir, 'build-search', p.key);
    if (b) {
      builds.set(p.key, b);
      stats.compiledFromCache++;
    } else if (!missing.some((m) => m.key === p.key)) missing.push(p);
  }
  const extra = new Map<string, string>();
  for (const m of missing) for (const s of streamSupportModules(m.source, tables)) extra.set(s.path, s.source);
  const checked = checkAndEmit(
    missing.map((m) => ({ id: m.key, source: m.source })),
    models,
    { check: typecheck, emit: true },
    extra,
  );
  stats.typechecked = typecheck ? missing.length : 0;
  for (const m of missing) {
    const c = checked.get(m.key);
    const entry: BuildEntry = { js: c?.js ?? transpileMatcher(m.source), diagnostics: c?.diagnostics ?? [] };
    builds.set(m.key, entry);
    writeCache(cacheDir, 'build-search', m.key, entry);
  }
  for (const p of ready) {
    const b = builds.get(p.key)!;
    buildMemory.set(p.key, b);
    const all = diagnostics.get(p.id)!;
    all.push(...b.diagnostics);
    if (all.some((d) => d.severity === 'error')) continue;
    let fn = loadedMemory.get(p.key);
    if (!fn) {
      try {
        fn = loadMatcherModule(b.js).match as CompiledMatcher['match'] as (
          e: Readonly<Record<string, unknown>>,
        ) => boolean;
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
      loadedMemory.set(p.key, fn);
    }
    const match = fn;
    matchers.set(p.id, {
      id: p.id,
      span: p.search.spanOfCommand,
      exprKey: searchExprKey(p.search.expr),
      streams: p.gen.streams,
      unknownFields: p.gen.unknownFields,
      source: p.source,
      match,
    });
  }
  return { matchers, diagnostics, stats };
}

/** Forgets the in-process caches of raw-search matchers. */
export function clearSearchMatcherCaches(): void {
  genMemory.clear();
  buildMemory.clear();
  loadedMemory.clear();
}

/**
 * What @dac/search's `PrepareOptions.compiledPredicate` asks (structurally the same type; this
 * package does not import its sibling): the leading search command or a tstats WHERE.
 */
export interface PredicateRequest {
  command: 'search' | 'tstats';
  expr: SearchExpr | undefined;
  span: Span;
  /** tstats: the row key of a written field. */
  fieldKey?: (written: string) => string;
}

/**
 * The hook the replay hands to @dac/search: the generated matcher of a detection's base search
 * (or of its tstats WHERE) when it was compiled from exactly this expression, else undefined (the
 * engine then uses its interpreter).
 */
export function compiledPredicateHook(m: {
  search?: CompiledSearchMatcher;
  tstats?: CompiledMatcher;
  /** The tstats command's full WHERE as parsed (the matcher's input, nodename included). */
  tstatsWhere?: SearchExpr;
}): (req: PredicateRequest) => ((row: Readonly<Record<string, unknown>>) => boolean) | undefined {
  return (req) => {
    if (req.command === 'search' && m.search) {
      if (req.span.start !== m.search.span.start || req.span.end !== m.search.span.end) return undefined;
      return searchExprKey(req.expr) === m.search.exprKey ? m.search.match : undefined;
    }
    if (
      req.command === 'tstats' &&
      m.tstats &&
      req.expr !== undefined &&
      searchExprKey(req.expr) === searchExprKey(m.tstatsWhere)
    ) {
      // The matcher reads unqualified CIM names (eventKeyOf); use it only when the data set's
      // keys are the same for every field of the clause.
      const ok = fieldsOf(req.expr).every((f) => !req.fieldKey || req.fieldKey(f) === eventKeyOf(f));
      if (!ok) return undefined;
      const match = m.tstats.match;
      return (row) => match(row as Parameters<CompiledMatcher['match']>[0]);
    }
    return undefined;
  };
}

function fieldsOf(expr: SearchExpr): string[] {
  const out: string[] = [];
  const stack: SearchExpr[] = [expr];
  while (stack.length > 0) {
    const e = stack.pop()!;
    if (e.kind === 'and' || e.kind === 'or') stack.push(...e.args);
    else if (e.kind === 'not') stack.push(e.arg);
    else if (e.kind === 'compare' || e.kind === 'in') out.push(e.field);
  }
  return out;
}
