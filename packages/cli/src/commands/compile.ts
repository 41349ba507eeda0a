import { existsSync, statSync } from 'node:fs';
import { basename, join, relative, resolve, sep } from 'node:path';
import { markerText, OutputDir, readMarker } from '@dac/fs';
import type { Command } from 'commander';
import {
  applyRuleSettings,
  compareDiagnostics,
  loadContent,
  nodeAt,
  positionInScalar,
  type ContentTree,
  type Diagnostic,
} from '@dac/content';
import {
  detectionSearches,
  matcherCacheDir,
  streamSupportModules,
  runtimeSource,
  supportModules,
  toContentDiagnostic,
  type DetectionSearch,
} from '@dac/matchers';
import { validate } from '@dac/validate';
import { isScalar } from 'yaml';
import { compileDetectionMatchers } from '../matchers.js';
import { describeFailure, EXIT_FAILED, EXIT_OK, EXIT_USAGE, type DacCommand } from '../program.js';
import { displayPath, formatDiagnosticLine, painter, statusLine } from '../output.js';
import { selectDetections } from '../select.js';
import { STAGE_RULES } from '../stage-rules.js';

/** validate's rules that report the SPL front end's findings (they decide whether a matcher is generated). */
const SPL_RULES = new Set(['spl-syntax', 'spl-unsupported', 'unknown-macro', 'macro-call']);

/** The SPL findings of a validation, by file: what decides whether a detection gets a matcher. */
export function splReportOf(diagnostics: readonly Diagnostic[]): Map<string, Diagnostic[]> {
  const report = new Map<string, Diagnostic[]>();
  for (const d of diagnostics) {
    if (!SPL_RULES.has(d.rule)) continue;
    const list = report.get(d.file);
    if (list) list.push(d);
    else report.set(d.file, [d]);
  }
  return report;
}

interface CompileOpts {
  content: string;
  out?: string;
  cache: boolean;
  typecheck: boolean;
}

/**
 * `dac compile [--content DIR] [--out DIR] [DETECTION…]`
 * Generates the typed matcher module of every `| tstats … from datamodel=…` detection (or of the
 * named ones: detection name, YAML file path, or file base name) into `<out>/` (default
 * `dist/matchers/` under the content root), with `runtime.ts` and the per-dataset interface
 * modules beside them so the folder type-checks on its own. Prints every diagnostic as
 * `file:line:col: severity: message [rule]`. Exit 0: no error; 1: errors; 2: usage.
 */
export const compileCommand: DacCommand = {
  register(program: Command, setExit: (code: number) => void) {
    program
      .command('compile')
      .description('Generate the typed TypeScript matchers of tstats detections (ts-morph) and type-check them')
      .argument('[detections...]', 'only these detections: name, file, folder or id')
      .option('--content <dir>', 'content root (holds detections/, macros/, …)', process.cwd())
      .option('--out <dir>', 'output folder (default: dist/matchers/ under the content root)')
      .option(
        '--no-cache',
        'ignore and do not write the matcher cache (<user cache>/matchers: $DAC_CACHE_DIR, $XDG_CACHE_HOME/dac or ~/.cache/dac)',
      )
      .option('--no-typecheck', 'skip type-checking the generated modules')
      .action(async (detections: string[], opts: CompileOpts) => {
        try {
          setExit(await runCompile(detections, opts));
        } catch (e) {
          process.stderr.write(describeFailure('compile', e));
          setExit(EXIT_USAGE);
        }
      });
  },
};

export interface CompileRun {
  diagnostics: Diagnostic[];
  written: number;
  candidates: number;
  typechecked: number;
  fromCache: number;
  /** Raw-event base searches: compiled / candidates / type-checked / from cache. */
  raw: { written: number; candidates: number; typechecked: number; fromCache: number };
  outDir: string;
}

async function runCompile(selectors: string[], opts: CompileOpts): Promise<number> {
  const root = resolve(opts.content);
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    process.stderr.write(`dac compile: content root ${opts.content} is not a directory\n`);
    return EXIT_USAGE;
  }
  // The SPL problems are validate's own report (external add-on macros ignored, severities of
  // dac.config.yaml applied), so compile and validate never disagree about a search. In-thread
  // validation hands back the loaded tree: the content is read once.
  const validation = await validate({ root, workers: 0, otherRules: STAGE_RULES });
  const tree = validation.tree ?? loadContent(root);
  const splReport = splReportOf(validation.diagnostics);
  let files: string[] | undefined;
  if (selectors.length > 0) {
    const picked = selectDetections(tree.detections, root, selectors);
    if ('error' in picked) {
      process.stderr.write(`dac compile: ${picked.error}\n`);
      return EXIT_USAGE;
    }
    files = picked.files;
  }
  const clear = statusLine('dac compile: generating and type-checking matchers');
  const r = await compileTree(tree, { ...opts, files, splReport }).finally(clear);
  const paint = painter(process.stdout);
  for (const d of r.diagnostics) process.stdout.write(`${formatDiagnosticLine(d, root, paint)}\n`);
  const errors = r.diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = r.diagnostics.length - errors;
  process.stderr.write(
    `dac compile: ${r.written} of ${r.candidates} tstats-from-datamodel detections compiled to typed matchers in ${displayPath(r.outDir)}/ ` +
      `(${r.typechecked} type-checked, ${r.fromCache} from cache); ` +
      `${r.raw.written} of ${r.raw.candidates} raw base-search detections compiled to typed matchers ` +
      `(${r.raw.typechecked} type-checked, ${r.raw.fromCache} from cache); ${errors} error(s), ${warnings} warning(s)\n`,
  );
  return errors > 0 ? EXIT_FAILED : EXIT_OK;
}

/**
 * Generates (and type-checks) the matchers of a loaded tree's tstats detections, or of the given
 * content-relative detection files, into `out`; returns every diagnostic, sorted. `dac ci` calls it.
 */
export async function compileTree(
  tree: ContentTree,
  opts: {
    out?: string;
    cache: boolean;
    typecheck: boolean;
    files?: string[];
    /** validate's SPL findings by file (splReportOf); they decide which detections get a matcher. */
    splReport: Map<string, Diagnostic[]>;
  },
): Promise<CompileRun> {
  const root = tree.root;
  const splReport = opts.splReport;
  const outDir = resolve(opts.out ?? join(root, 'dist', 'matchers'));
  let searches = detectionSearches(tree);
  const selectors = opts.files ?? [];
  if (opts.files) {
    const wanted = new Set(opts.files);
    searches = searches.filter((s) => wanted.has(s.item.file.relPath));
  }

  const diagnostics: Diagnostic[] = [];
  const candidates: DetectionSearch[] = [];
  const rawCandidates: DetectionSearch[] = [];
  for (const s of searches) {
    // SPL errors stop a detection's matcher; `dac validate` reports them too, so show errors
    // only, and only for tstats searches (or detections asked for by name).
    const splErrors = (splReport.get(s.item.file.relPath) ?? []).filter((d) => d.severity === 'error');
    if (s.tstats || s.rawSearch || selectors.length > 0) diagnostics.push(...splErrors);
    if (splErrors.length === 0 && s.tstats?.datamodel) candidates.push(s);
    else if (splErrors.length === 0 && s.rawSearch) rawCandidates.push(s);
    else if (selectors.length > 0 && splErrors.length === 0) {
      diagnostics.push({
        ...splDiagnostic(s, 0),
        severity: 'warning',
        rule: 'matcher-unsupported',
        message:
          'the search starts neither with | tstats … from datamodel=… nor with a raw-event base search; no matcher to generate',
      });
    }
  }

  const cacheDir = opts.cache ? matcherCacheDir(root) : undefined;
  // Raw-event base searches (`sysmon` EventCode=10 … | stats …) get matchers typed by the add-on
  // field tables of their input streams, in the same cache folder.
  const {
    tstats: result,
    raw: rawResult,
    models,
    tables,
  } = await compileDetectionMatchers(tree, candidates, rawCandidates, { cacheDir, typecheck: opts.typecheck });

  // Every file goes through @dac/fs: atomic, never through a link planted in the output folder.
  const out = new OutputDir(outDir, { contentRoot: root });
  const previous = readMarker(out.real, MANIFEST_PURPOSE, MANIFEST)?.files;
  // Regenerable output: atomic rename without a per-file fsync (hundreds of files on ESCU).
  const writeOut = (rel: string, text: string) => out.write(rel, text, { fsync: false });
  let written = 0;
  let rawWritten = 0;
  const support = new Map<string, string>();
  const usedNames = new Set<string>();
  // One module per detection, named after its YAML file; a clash gets _2, _3, … (tstats and raw alike).
  const moduleFileFor = (c: DetectionSearch): string => {
    let name =
      basename(c.item.file.relPath)
        .replace(/\.ya?ml$/i, '')
        .replace(/[^A-Za-z0-9_-]/g, '_') || 'detection';
    for (let i = 2; usedNames.has(name); i++) name = `${name}_${i}`;
    usedNames.add(name);
    return `${name}.ts`;
  };
  const files: string[] = [];
  for (const c of candidates) {
    for (const d of result.diagnostics.get(c.id) ?? []) diagnostics.push(toContentDiagnostic(c, d));
    const m = result.matchers.get(c.id);
    if (!m) continue;
    const file = moduleFileFor(c);
    writeOut(file, m.source);
    files.push(file);
    for (const s of supportModules(m.source, models)) support.set(s.path, s.source);
    written++;
  }
  for (const c of rawCandidates) {
    for (const d of rawResult.diagnostics.get(c.id) ?? []) diagnostics.push(toContentDiagnostic(c, d));
    const m = rawResult.matchers.get(c.id);
    if (!m) continue;
    const file = moduleFileFor(c);
    writeOut(file, m.source);
    files.push(file);
    for (const s of streamSupportModules(m.source, tables)) support.set(s.path, s.source);
    rawWritten++;
  }
  if (written + rawWritten > 0) {
    writeOut('runtime.ts', runtimeSource());
    files.push('runtime.ts');
    for (const [path, text] of support) {
      writeOut(path, text);
      files.push(path);
    }
    // So that `tsc -p <out>` type-checks the folder on its own.
    const tsconfig = `${JSON.stringify(
      {
        compilerOptions: {
          strict: true,
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          noEmit: true,
          skipLibCheck: true,
          types: [],
        },
        include: ['*.ts', 'cim/*.ts', 'streams/*.ts'],
      },
      null,
      2,
    )}\n`;
    // A tsconfig.json dac did not write (`--out .` in a project) is never overwritten.
    if (out.exists('tsconfig.json') && !previous?.includes('tsconfig.json')) {
      diagnostics.push({
        file: relative(root, join(out.real, 'tsconfig.json')).split(sep).join('/'),
        line: 1,
        column: 1,
        severity: 'warning',
        rule: 'compile-output',
        message:
          'tsconfig.json exists and was not written by dac compile; left unchanged (the generated modules are written beside it)',
      });
    } else {
      writeOut('tsconfig.json', tsconfig);
      files.push('tsconfig.json');
    }
  }
  // A full run (no selection) removes the files an earlier run wrote that this one did not, so a
  // deleted or renamed detection leaves no stale matcher; only files listed in our manifest go.
  if (selectors.length === 0) removeStale(out, previous, files);
  else if (previous) writeManifest(out, [...new Set([...previous, ...files])]);
  else if (files.length > 0) writeManifest(out, files);

  // `rules:` of dac.config.yaml (e.g. `matcher-unsupported: warning`), as every command applies them.
  const shown = applyRuleSettings(diagnostics, tree.config.rules).sort(compareDiagnostics);
  return {
    diagnostics: shown,
    written,
    candidates: candidates.length,
    typechecked: result.stats.typechecked,
    fromCache: result.stats.compiledFromCache,
    raw: {
      written: rawWritten,
      candidates: rawCandidates.length,
      typechecked: rawResult.stats.typechecked,
      fromCache: rawResult.stats.compiledFromCache,
    },
    outDir,
  };
}

const MANIFEST = '.dac-compile.json';
const MANIFEST_PURPOSE = 'dac-compile';

/**
 * Removes what an earlier run wrote and this one did not. Only files named by a manifest that
 * VERIFIES (sealed by dac with the user's integrity key for this very folder) go: a manifest
 * committed to the repository or copied in names nothing dac will delete.
 */
function removeStale(out: OutputDir, previous: string[] | undefined, files: string[]): void {
  const keep = new Set(files);
  for (const f of previous ?? []) {
    // Only plain relative names inside the output folder, as written by this command.
    if (keep.has(f) || !/^((cim|streams)\/)?[A-Za-z0-9_.-]+\.(ts|json)$/.test(f)) continue;
    out.remove(f);
  }
  if (files.length > 0 || (previous?.length ?? 0) > 0 || out.exists(MANIFEST)) writeManifest(out, files);
}

function writeManifest(out: OutputDir, files: string[]): void {
  out.write(MANIFEST, markerText(MANIFEST_PURPOSE, out.real, files));
}

/** The position of a character of the ORIGINAL search string in the detection's YAML file. */
function splDiagnostic(s: DetectionSearch, offset: number): Pick<Diagnostic, 'file' | 'line' | 'column'> {
  const file = s.item.file;
  const { node } = nodeAt(file, ['search']);
  const p = node && isScalar(node) ? positionInScalar(file, node, offset) : { line: 1, column: 1 };
  return { file: file.relPath, line: p.line, column: p.column };
}
