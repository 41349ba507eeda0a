import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { loadDataModels } from '@dac/cim';
import {
  applyRuleSettings,
  compareDiagnostics,
  ensureDir,
  loadContent,
  nodeAt,
  positionInScalar,
  snakeCase,
  type Diagnostic,
} from '@dac/content';
import {
  compileMatchers,
  detectionSearches,
  runtimeSource,
  supportModules,
  toContentDiagnostic,
  type DetectionSearch,
} from '@dac/matchers';
import { validate } from '@dac/validate';
import { isScalar } from 'yaml';
import { escapeTerminal } from '@dac/escape';
import { describeFailure, EXIT_FAILED, EXIT_OK, EXIT_USAGE, type DacCommand } from '../program.js';
import { STAGE_RULES } from '../stage-rules.js';

/** validate's rules that report the SPL front end's findings (they decide whether a matcher is generated). */
const SPL_RULES = new Set(['spl-syntax', 'spl-unsupported', 'unknown-macro', 'macro-call']);

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
      .argument('[detections...]', 'only these detections: name, YAML path, or file base name')
      .option('--content <dir>', 'content root (holds detections/, macros/, …)', process.cwd())
      .option('--out <dir>', 'output folder (default: dist/matchers/ under the content root)')
      .option('--no-cache', 'ignore and do not write the content-hash cache (node_modules/.cache/dac-matchers)')
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

async function runCompile(selectors: string[], opts: CompileOpts): Promise<number> {
  const root = resolve(opts.content);
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    process.stderr.write(`dac compile: content root ${opts.content} is not a directory\n`);
    return EXIT_USAGE;
  }
  const outDir = resolve(opts.out ?? join(root, 'dist', 'matchers'));
  // The SPL problems are validate's own report (external add-on macros ignored, severities of
  // dac.config.yaml applied), so compile and validate never disagree about a search. In-thread
  // validation hands back the loaded tree: the content is read once.
  const validation = await validate({ root, workers: 0, otherRules: STAGE_RULES });
  const tree = validation.tree ?? loadContent(root);
  const splReport = new Map<string, Diagnostic[]>();
  for (const d of validation.diagnostics) {
    if (!SPL_RULES.has(d.rule)) continue;
    const list = splReport.get(d.file);
    if (list) list.push(d);
    else splReport.set(d.file, [d]);
  }
  let searches = detectionSearches(tree);
  if (selectors.length > 0) {
    const picked: DetectionSearch[] = [];
    for (const sel of selectors) {
      const abs = resolve(sel);
      const hit = searches.filter(
        (s) =>
          s.id === sel ||
          s.item.file.relPath === sel ||
          s.item.file.path === abs ||
          basename(s.item.file.relPath).replace(/\.ya?ml$/i, '') === sel ||
          snakeCase(s.id) === sel,
      );
      if (hit.length === 0) {
        process.stderr.write(
          `dac compile: no detection matches ${JSON.stringify(sel)} (give a name, a YAML path or a file base name)\n`,
        );
        return EXIT_USAGE;
      }
      for (const h of hit) if (!picked.includes(h)) picked.push(h);
    }
    searches = picked;
  }

  const diagnostics: Diagnostic[] = [];
  const candidates: DetectionSearch[] = [];
  for (const s of searches) {
    // SPL errors stop a detection's matcher; `dac validate` reports them too, so show errors
    // only, and only for tstats searches (or detections asked for by name).
    const splErrors = (splReport.get(s.item.file.relPath) ?? []).filter((d) => d.severity === 'error');
    if (s.tstats || selectors.length > 0) diagnostics.push(...splErrors);
    if (splErrors.length === 0 && s.tstats?.datamodel) candidates.push(s);
    else if (selectors.length > 0 && splErrors.length === 0) {
      diagnostics.push({
        ...splDiagnostic(s, 0),
        severity: 'warning',
        rule: 'matcher-unsupported',
        message: 'the search does not start with | tstats … from datamodel=…; no matcher to generate',
      });
    }
  }

  const models = loadDataModels();
  const cacheDir = opts.cache ? join(root, 'node_modules', '.cache', 'dac-matchers') : undefined;
  const result = await compileMatchers(
    candidates.map((c) => ({ id: c.id, tstats: c.tstats! })),
    models,
    { cacheDir, typecheck: opts.typecheck, maxWhereTerms: tree.config.limits?.where_terms },
  );

  let written = 0;
  const support = new Map<string, string>();
  const usedNames = new Set<string>();
  const files: string[] = [];
  for (const c of candidates) {
    for (const d of result.diagnostics.get(c.id) ?? []) diagnostics.push(toContentDiagnostic(c, d));
    const m = result.matchers.get(c.id);
    if (!m) continue;
    let name =
      basename(c.item.file.relPath)
        .replace(/\.ya?ml$/i, '')
        .replace(/[^A-Za-z0-9_-]/g, '_') || 'detection';
    for (let i = 2; usedNames.has(name); i++) name = `${name}_${i}`;
    usedNames.add(name);
    writeOut(join(outDir, `${name}.ts`), m.source);
    files.push(`${name}.ts`);
    for (const s of supportModules(m.source, models)) support.set(s.path, s.source);
    written++;
  }
  if (written > 0) {
    writeOut(join(outDir, 'runtime.ts'), runtimeSource());
    files.push('runtime.ts');
    for (const [path, text] of support) {
      writeOut(join(outDir, path), text);
      files.push(path);
    }
    // So that `tsc -p <out>` type-checks the folder on its own.
    writeOut(
      join(outDir, 'tsconfig.json'),
      `${JSON.stringify(
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
          include: ['*.ts', 'cim/*.ts'],
        },
        null,
        2,
      )}\n`,
    );
    files.push('tsconfig.json');
  }
  // A full run (no selection) removes the files an earlier run wrote that this one did not, so a
  // deleted or renamed detection leaves no stale matcher; only files listed in our manifest go.
  if (selectors.length === 0) removeStale(outDir, files);

  // `rules:` of dac.config.yaml (e.g. `matcher-unsupported: warning`), as every command applies them.
  const shown = applyRuleSettings(diagnostics, tree.config.rules).sort(compareDiagnostics);
  for (const d of shown)
    process.stdout.write(
      `${escapeTerminal(d.file)}:${d.line}:${d.column}: ${d.severity}: ${escapeTerminal(d.message)} [${d.rule}]\n`,
    );
  const errors = shown.filter((d) => d.severity === 'error').length;
  const warnings = shown.length - errors;
  const where = relative(process.cwd(), outDir) || '.';
  process.stderr.write(
    `dac compile: ${written} of ${candidates.length} tstats-from-datamodel detections compiled to typed matchers in ${where}/ ` +
      `(${result.stats.typechecked} type-checked, ${result.stats.compiledFromCache} from cache); ${errors} error(s), ${warnings} warning(s)\n`,
  );
  return errors > 0 ? EXIT_FAILED : EXIT_OK;
}

const MANIFEST = '.dac-compile.json';

function removeStale(outDir: string, files: string[]): void {
  const manifestPath = join(outDir, MANIFEST);
  let previous: string[] = [];
  try {
    const v = JSON.parse(readFileSync(manifestPath, 'utf8')) as { files?: unknown };
    if (Array.isArray(v.files)) previous = v.files.filter((f): f is string => typeof f === 'string');
  } catch {
    // no manifest yet
  }
  const keep = new Set(files);
  for (const f of previous) {
    // Only plain relative names inside the output folder, as written by this command.
    if (keep.has(f) || !/^(cim\/)?[A-Za-z0-9_.-]+\.(ts|json)$/.test(f)) continue;
    rmSync(join(outDir, f), { force: true });
  }
  if (files.length > 0 || previous.length > 0)
    writeOut(manifestPath, `${JSON.stringify({ files: files.sort() }, null, 2)}\n`);
}

function writeOut(path: string, text: string): void {
  ensureDir(dirname(path));
  writeFileSync(path, text);
}

/** The position of a character of the ORIGINAL search string in the detection's YAML file. */
function splDiagnostic(s: DetectionSearch, offset: number): Pick<Diagnostic, 'file' | 'line' | 'column'> {
  const file = s.item.file;
  const { node } = nodeAt(file, ['search']);
  const p = node && isScalar(node) ? positionInScalar(file, node, offset) : { line: 1, column: 1 };
  return { file: file.relPath, line: p.line, column: p.column };
}
