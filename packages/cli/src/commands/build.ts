import { resolve } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { loadContent, type Diagnostic } from '@dac/content';
import { escapeTerminal } from '@dac/escape';
import { buildApp } from '@dac/splunk-app';
import { formatText, UsageError, validate, type ValidationResult } from '@dac/validate';
import { describeFailure, EXIT_FAILED, EXIT_OK, EXIT_USAGE, type DacCommand } from '../program.js';
import { addJobsOption, jobsOf } from '../jobs.js';
import { displayPath, progress, statusLine } from '../output.js';
import { STAGE_RULES } from '../stage-rules.js';

export interface BuildOpts {
  content: string;
  out?: string;
  skipInvalid?: boolean;
  buildTime?: number;
  jobs?: number;
  workers?: number;
}

/**
 * `dac build [--content DIR] [--out DIR] [--skip-invalid] [--build-time EPOCH|ISO] [--jobs N]`
 * Validates, renders the Splunk app into `<out>/<appid>/` and packs `<out>/<appid>-<version>.tar.gz`
 * and `<out>/<appid>-latest.tar.gz`. Exit 0: built; 1: validation or build errors; 2: usage.
 */
export const buildCommand: DacCommand = {
  register(program: Command, setExit: (code: number) => void) {
    const command = program
      .command('build')
      .description('Validate, then build the Splunk app (savedsearches.conf and friends) and its deterministic tar.gz')
      .option('--content <dir>', 'content root (holds detections/, macros/, stories/, …)', process.cwd())
      .option('--out <dir>', 'output folder (default: dist/ under the content root)')
      .option(
        '--skip-invalid',
        'leave out content files with validation errors (each reported as a warning) instead of stopping',
      )
      .option(
        '--build-time <time>',
        'build time for app.conf [install] build, app.manifest releaseDate and tar mtimes (epoch seconds or ISO 8601); default: $SOURCE_DATE_EPOCH, else derived from the content',
        parseTime,
      );
    addJobsOption(
      command,
      'threads to validate with; default 0 (this thread, which then builds from the content it has read)',
    ).action(async (opts: BuildOpts) => {
      try {
        setExit(await runBuild(opts));
      } catch (e) {
        if (e instanceof UsageError || e instanceof InvalidArgumentError)
          process.stderr.write(`dac build: ${e.message}\n`);
        else process.stderr.write(describeFailure('build', e));
        setExit(EXIT_USAGE);
      }
    });
  },
};

/**
 * What `dac ci` hands the build: the validation it already ran, and which invalid files may be
 * left out (ci: those outside the pull request, or whose errors were already at the base).
 */
export interface PrevalidatedBuild {
  validation: ValidationResult;
  skippable: (file: string) => boolean;
}

export async function runBuild(opts: BuildOpts, given?: PrevalidatedBuild): Promise<number> {
  const root = resolve(opts.content);
  const outDir = resolve(opts.out ?? resolve(root, 'dist'));
  let buildTime = opts.buildTime;
  if (buildTime === undefined && process.env.SOURCE_DATE_EPOCH) buildTime = parseTime(process.env.SOURCE_DATE_EPOCH);

  // In-thread validation hands back the loaded tree, so the content is parsed once; workers
  // would parse it in other threads and the build would have to load it again.
  const validation = given?.validation ?? (await validateWithProgress(root, jobsOf(opts) ?? 0));
  const tree = validation.tree ?? loadContent(root);
  const skippable = given?.skippable ?? (() => opts.skipInvalid === true);
  const errorFiles = new Map<string, Diagnostic[]>();
  for (const d of validation.diagnostics) {
    if (d.severity !== 'error') continue;
    const list = errorFiles.get(d.file);
    if (list) list.push(d);
    else errorFiles.set(d.file, [d]);
  }
  const contentFiles = new Set(tree.items.map((i) => i.file.relPath));
  const canSkip = (f: string) => contentFiles.has(f) && skippable(f);
  const unskippable = [...errorFiles.keys()].filter((f) => !canSkip(f));
  if (unskippable.length > 0) {
    const errorsOnly = validation.diagnostics.filter((d) => d.severity === 'error' && !canSkip(d.file));
    if (!given) process.stdout.write(formatText({ ...validation, diagnostics: errorsOnly }, { root }));
    const some = unskippable.slice(0, 5).map((f) => displayPath(f, root));
    const list = `${some.join(', ')}${unskippable.length > some.length ? `, … (${unskippable.length} files)` : ''}`;
    process.stderr.write(
      given
        ? `dac build: ${list} ${unskippable.length === 1 ? 'has' : 'have'} validation errors that ${unskippable.every((f) => contentFiles.has(f)) ? 'this change introduced' : 'cannot be left out of the app (not a content file, or introduced by this change)'}; nothing was built\n`
        : opts.skipInvalid
          ? `dac build: errors outside content files (${list}) cannot be skipped; nothing was built\n`
          : 'dac build: validation failed; nothing was built (use --skip-invalid to leave out invalid files)\n',
    );
    return EXIT_FAILED;
  }
  const exclude = new Set([...errorFiles.keys()].filter(canSkip));
  for (const [file, diags] of [...errorFiles].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    if (!exclude.has(file)) continue;
    const first = diags[0]!;
    process.stderr.write(
      `${show(root, file)}:${first.line}:${first.column}: warning: left out of the app: ${diags.length} validation error${diags.length === 1 ? '' : 's'}, first: ${first.message.replace(/\s+/g, ' ')} [${first.rule}]\n`,
    );
  }

  const clear = statusLine('dac build: rendering and packing the app');
  const result = buildApp(tree, {
    outDir,
    exclude,
    buildTime: buildTime === undefined ? undefined : new Date(buildTime * 1000),
    mtime: buildTime,
  });
  clear();
  for (const d of result.diagnostics) {
    process.stderr.write(
      `${escapeTerminal(show(root, d.file))}:${d.line}:${d.column}: ${d.severity}: ${escapeTerminal(d.message.replace(/\s+/g, ' '))} [${d.rule}]\n`,
    );
  }
  if (!result.ok) {
    process.stderr.write('dac build: the app could not be rendered; nothing was written\n');
    return EXIT_FAILED;
  }
  const v = result.view;
  const types = v.counts.byType.map((t) => `${t.count} ${t.type}`).join(', ');
  const lines = [
    `built ${v.app.appid} ${v.app.version}: ${v.counts.detections} detections${types ? ` (${types})` : ''}, ${v.counts.stories} stories, ${v.counts.macros} macros, ${v.counts.lookups} lookups${exclude.size ? `; ${exclude.size} invalid files left out` : ''}`,
    `  ${show(process.cwd(), result.appDir!)}/ (${result.files.size} files, default/savedsearches.conf ${fmtBytes(result.files.get('default/savedsearches.conf')?.length ?? 0)})`,
    `  ${show(process.cwd(), result.tarball!)} (${fmtBytes(result.tarballBytes)})`,
    `  ${show(process.cwd(), result.latest!)}`,
    `  validate ${sec(validation.durationMs)} (${validation.errors} errors, ${validation.warnings} warnings; \`dac validate\` lists them), render ${sec(result.timings.renderMs)}, write ${sec(result.timings.writeMs)}, pack ${sec(result.timings.packMs)}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  return EXIT_OK;
}

function show(base: string, path: string): string {
  return displayPath(path, base);
}

function sec(ms: number): string {
  return `${(ms / 1000).toFixed(2)}s`;
}

function fmtBytes(n: number): string {
  return n >= 1024 * 1024
    ? `${(n / 1024 / 1024).toFixed(1)} MB`
    : n >= 1024
      ? `${(n / 1024).toFixed(1)} KB`
      : `${n} bytes`;
}

/** Epoch seconds, or an ISO 8601 date/time, to epoch seconds. */
function parseTime(v: string): number {
  if (/^\d+$/.test(v)) return Number(v);
  const t = Date.parse(v);
  if (!/^\d{4}-\d{2}-\d{2}/.test(v) || Number.isNaN(t))
    throw new InvalidArgumentError(`"${v}" is not epoch seconds or an ISO 8601 time`);
  return Math.floor(t / 1000);
}

async function validateWithProgress(root: string, workers: number): Promise<ValidationResult> {
  const bar = progress('dac build: validating');
  try {
    return await validate({ root, workers, onProgress: (i, n, f) => bar.update(i, n, f), otherRules: STAGE_RULES });
  } finally {
    bar.done();
  }
}
