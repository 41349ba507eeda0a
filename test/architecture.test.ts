// The package layering of docs/architecture.md, kept true: every package imports only packages of
// lower layers (never a later stage, never a sibling stage), declares in package.json exactly the
// @dac packages it imports, and validation never pulls in the TypeScript compiler.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

const repo = join(import.meta.dirname, '..');
const packagesDir = join(repo, 'packages');

/**
 * Lowest first. A package may depend on packages of lower layers only. A new package goes into the
 * layer that says what it is (see docs/architecture.md, "Where things go").
 */
const LAYERS: readonly (readonly string[])[] = [
  // Foundations with no @dac dependency: dac's data files; Splunk .conf syntax; escaping of user
  // text for each output channel (terminal, GitHub workflow commands, Markdown, XML); the one
  // file-system layer (confined reads, atomic confined writes, caches, markers).
  ['assets', 'conf', 'escape', 'fs'],
  // The content stage: loader, typed model, ESCU naming and derived values.
  ['content'],
  // The SPL front end (macro expansion over the content's macros, parser, interpreter).
  ['spl'],
  // Splunk CIM: data models and the tstats plan resolved against them (SPL + CIM knowledge).
  ['cim'],
  // The add-ons' search-time extraction and CIM data-set membership (over SPL and CIM), which
  // validation (field-mapping-addon) and replay both use.
  ['normalise'],
  // Stages that only read content, SPL, CIM and the add-on knowledge.
  ['validate', 'matchers', 'search', 'splunk-app', 'versioning'],
  // Replay reads logs, extracts events and runs prepared searches over them.
  ['replay'],
  // The scan runs every replayable detection over a corpus of logs (rule index, workers, report).
  ['scan'],
  // The command line wires every stage.
  ['cli'],
];
/** Packages without code (the app's version lives in packages/app/package.json). */
const NO_CODE = new Set(['app']);

const layerOf = new Map<string, number>();
LAYERS.forEach((names, i) => {
  for (const n of names) layerOf.set(n, i);
});

interface PackageJson {
  name: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

const packages = readdirSync(packagesDir)
  .filter((d) => existsSync(join(packagesDir, d, 'package.json')))
  .sort();

function manifest(pkg: string): PackageJson {
  return JSON.parse(readFileSync(join(packagesDir, pkg, 'package.json'), 'utf8')) as PackageJson;
}

function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      if (name !== 'node_modules' && name !== 'dist') out.push(...sourceFiles(p));
    } else if (/\.(ts|mts|mjs|js)$/.test(name)) out.push(p);
  }
  return out;
}

const IMPORT_RE = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)['"]([^'"]+)['"]/g;

/** Every module specifier a package's code (src, bench, scripts, bin) imports, with the file. */
function importsOf(pkg: string): { file: string; spec: string }[] {
  const out: { file: string; spec: string }[] = [];
  for (const sub of ['src', 'bench', 'scripts', 'bin'])
    for (const file of sourceFiles(join(packagesDir, pkg, sub))) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(IMPORT_RE)) out.push({ file: relative(repo, file), spec: m[1]! });
    }
  return out;
}

const dacName = (spec: string) => (spec.startsWith('@dac/') ? spec.slice(5).split('/')[0]! : undefined);

describe('package layering (docs/architecture.md)', () => {
  it('every package with code has a layer', () => {
    const missing = packages.filter((p) => !NO_CODE.has(p) && !layerOf.has(p));
    expect(missing, 'add each new package to LAYERS here and to docs/architecture.md').toEqual([]);
  });

  it.each(packages.filter((p) => layerOf.has(p)))('%s imports only packages of lower layers', (pkg) => {
    const mine = layerOf.get(pkg)!;
    const wrong = importsOf(pkg).flatMap(({ file, spec }) => {
      const dep = dacName(spec);
      if (dep === undefined || dep === pkg) return [];
      const theirs = layerOf.get(dep);
      return theirs !== undefined && theirs < mine ? [] : [`${file} imports @dac/${dep}`];
    });
    expect(wrong).toEqual([]);
  });

  it.each(packages.filter((p) => layerOf.has(p)))('%s reaches no other package by a relative path', (pkg) => {
    const root = join(packagesDir, pkg);
    const wrong = importsOf(pkg).flatMap(({ file, spec }) => {
      if (!spec.startsWith('.')) return [];
      const target = resolve(dirname(join(repo, file)), spec);
      const inPackages = target.startsWith(packagesDir + sep);
      return inPackages && !target.startsWith(root + sep) ? [`${file} imports ${spec}`] : [];
    });
    expect(wrong).toEqual([]);
  });

  it.each(packages.filter((p) => layerOf.has(p)))(
    '%s declares exactly the @dac packages it imports, all of lower layers',
    (pkg) => {
      const m = manifest(pkg);
      const declared = Object.keys({ ...m.dependencies, ...m.devDependencies })
        .flatMap((d) => (d.startsWith('@dac/') ? [d.slice(5)] : []))
        .sort();
      const imported = [
        ...new Set(
          importsOf(pkg).flatMap(({ spec }) => (dacName(spec) && dacName(spec) !== pkg ? [dacName(spec)!] : [])),
        ),
      ].sort();
      expect(declared).toEqual(imported);
      for (const d of declared) expect(layerOf.get(d), `@dac/${pkg} → @dac/${d}`).toBeLessThan(layerOf.get(pkg)!);
    },
  );

  it('validation depends on no code generator: no ts-morph or TypeScript in @dac/validate or below', () => {
    const seen = new Set<string>();
    const visit = (pkg: string): void => {
      if (seen.has(pkg)) return;
      seen.add(pkg);
      for (const d of Object.keys(manifest(pkg).dependencies ?? {})) if (d.startsWith('@dac/')) visit(d.slice(5));
    };
    visit('validate');
    expect(seen.has('matchers')).toBe(false);
    for (const pkg of seen) {
      const deps = Object.keys(manifest(pkg).dependencies ?? {});
      expect(deps, `@dac/${pkg}`).not.toContain('ts-morph');
      expect(deps, `@dac/${pkg}`).not.toContain('typescript');
    }
  });
});
