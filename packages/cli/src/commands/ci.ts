import { appendFileSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { ensureDir, writeFileAtomic } from '@dac/fs';
import { Option, type Command } from 'commander';
import { loadContent, positionOfPath, type ContentTree, type Diagnostic } from '@dac/content';
import { markdownCode } from '@dac/escape';
import { runTests, toJUnit, type TestCaseResult } from '@dac/replay';
import { validate, type ValidationResult } from '@dac/validate';
import {
  affectedDetections,
  changedFiles,
  checkVersions,
  loadComparison,
  materializeBase,
  VersioningError,
  type AffectedDetection,
  type Comparison,
  type VersionCheckResult,
} from '@dac/versioning';
import { describeFailure, EXIT_FAILED, EXIT_OK, EXIT_USAGE, type DacCommand } from '../program.js';
import { splitByBaseline, subjectsOf } from '../gate.js';
import { addJobsOption, jobsOf } from '../jobs.js';
import {
  diagnosticAnnotation,
  diagnosticPath,
  displayPath,
  formatDiagnosticLine,
  markdownCell,
  painter,
  progress,
  workflowCommand,
} from '../output.js';
import { STAGE_RULES } from '../stage-rules.js';
import { runBuild } from './build.js';
import { compileTree, splReportOf } from './compile.js';
import { versionSummaryLine } from './version-check.js';

interface CiOptions {
  base: string;
  content: string;
  format?: 'text' | 'json' | 'github';
  allowRemoval?: boolean;
  junit?: string;
  out?: string;
  strict?: boolean;
  typecheck: boolean;
  attackData?: string;
  jobs?: number;
  workers?: number;
}

type StepStatus = 'passed' | 'failed' | 'skipped';

interface StepResult {
  name: string;
  status: StepStatus;
  exitCode: number;
  seconds: number;
  detail: string;
}

/** A problem one step found; `fresh` unless the same problem was already at the base. */
export interface GateProblem {
  step: string;
  diagnostic: Diagnostic;
  fresh: boolean;
  /** The file is one the change touches (new or changed since the base). */
  inChange: boolean;
}

/** At most this many rows of problems in the step summary (GitHub caps a summary at 1 MiB). */
const SUMMARY_ROWS = 200;

/**
 * `dac ci --base REF`: the pull-request gate. Validate, compile, version-check, test the affected
 * detections, build — every step even after a failure. Problems already present at the base
 * (validation and compile diagnostics, keyed by rule + detection id + message) are a baseline:
 * counted, shown, not failing; `--strict` fails on them too. Annotations go only to the files the
 * change touches (GitHub shows 10 per kind and step); everything goes to the step summary.
 */
export const ciCommand: DacCommand = {
  register(program: Command, setExit: (code: number) => void) {
    const command = program
      .command('ci')
      .description(
        'The pull-request gate: validate, compile typed matchers, version-check, test the detections affected by the change, and build; fails only on problems the change introduces',
      )
      .requiredOption('--base <ref>', 'git ref of the pull request target, e.g. origin/main')
      .option('--content <dir>', 'content root', '.')
      .addOption(
        new Option(
          '--format <format>',
          'diagnostic format (default: github when GITHUB_ACTIONS=true, else text)',
        ).choices(['text', 'json', 'github']),
      )
      .option('--strict', 'fail on every problem, also those already present at the base')
      .option('--allow-removal', 'version-check: accept deleted detections')
      .option('--junit <file>', 'write the test results as JUnit XML here')
      .option('--out <dir>', 'build output directory (default: dist/ under the content root)')
      .option('--attack-data <dir>', 'a local splunk/attack_data clone for the tests (config: test.attack_data)')
      .option('--no-typecheck', 'skip type-checking the generated matchers');
    addJobsOption(
      command,
      'threads to validate with (default: this thread, which then builds from what it read)',
    ).action(async (opts: CiOptions) => {
      try {
        setExit(await runCi(opts));
      } catch (e) {
        process.stderr.write(describeFailure('ci', e));
        setExit(EXIT_USAGE);
      }
    });
  },
};

async function runCi(opts: CiOptions): Promise<number> {
  const format = opts.format ?? (process.env.GITHUB_ACTIONS === 'true' ? 'github' : 'text');
  const root = resolve(opts.content);
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    process.stderr.write(`dac ci: content root ${opts.content} is not a directory\n`);
    return EXIT_USAGE;
  }
  const errPaint = painter(process.stderr);
  const outPaint = format === 'text' ? painter(process.stdout) : painter({ isTTY: false });
  const log = (s: string) => process.stderr.write(`${s}\n`);
  const strict = opts.strict === true;
  const workers = jobsOf(opts) ?? 0;
  const steps: StepResult[] = [];
  const problems: GateProblem[] = [];
  const temps: string[] = [];

  // What the change is: the comparison with the base (one ls-tree + cat-file) and the files it touches.
  let cmp: Comparison | undefined;
  let baseError: string | undefined;
  let touched = new Set<string>();
  let versions: VersionCheckResult | undefined;
  const compared = performance.now();
  try {
    cmp = loadComparison(root, opts.base);
    touched = new Set(changedFiles(cmp));
    versions = checkVersions({ contentRoot: root, base: opts.base, allowRemoval: opts.allowRemoval });
  } catch (e) {
    if (!(e instanceof VersioningError)) throw e;
    baseError = e.message;
  }
  const comparisonSeconds = (performance.now() - compared) / 1000;
  // Without a base nothing can be told apart: every problem counts, every file is annotated.
  const inChange = (file: string) => baseError !== undefined || touched.has(file);

  let baseTree: ContentTree | undefined;
  let baseValidation: ValidationResult | undefined;
  const baseDir = (): string | undefined => {
    if (!cmp) return undefined;
    if (baseTree) return baseTree.root;
    const dir = mkdtempSync(join(tmpdir(), 'dac-ci-base-'));
    temps.push(dir);
    materializeBase(cmp, dir);
    return dir;
  };

  const reported = new Set<string>();
  const report = (all: GateProblem[]) => {
    // One problem found by two steps (a YAML error both validate and version-check read) is reported once.
    const list = all.filter((p) => {
      const k = sameProblem(p.diagnostic);
      if (reported.has(k)) return false;
      reported.add(k);
      return true;
    });
    problems.push(...list);
    for (const p of list) {
      const d = p.diagnostic;
      if (format === 'json') continue;
      if (format === 'github' && p.inChange)
        process.stdout.write(
          `${p.fresh ? diagnosticAnnotation(d, root) : diagnosticAnnotation({ ...d, message: `already at the base: ${d.message}` }, root, 'notice')}\n`,
        );
      else if (p.fresh) process.stdout.write(`${formatDiagnosticLine(d, root, outPaint)}\n`);
      else if (p.inChange)
        process.stdout.write(`${formatDiagnosticLine(d, root, outPaint, 'note: already at the base')}\n`);
    }
  };
  const counts = (list: GateProblem[]) => {
    const fresh = list.filter((p) => p.fresh);
    const e = fresh.filter((p) => p.diagnostic.severity === 'error').length;
    const known = list.length - fresh.length;
    return { errors: e, warnings: fresh.length - e, known };
  };
  const describe = (list: GateProblem[], noun = 'new') => {
    const c = counts(list);
    const parts = [
      `${c.errors} ${noun} error${c.errors === 1 ? '' : 's'}`,
      `${c.warnings} ${noun} warning${c.warnings === 1 ? '' : 's'}`,
    ];
    if (c.known) parts.push(`${c.known} already at the base (not counted${strict ? '' : '; --strict counts them'})`);
    return parts.join(', ');
  };

  const step = async (
    name: string,
    body: () => Promise<{ status: StepStatus; code: number; detail: string }>,
    /** Time this step's work took before it started (version-check runs with the comparison). */
    earlierSeconds = 0,
  ) => {
    log(errPaint('bold', `\n── dac ci: ${name} ──`));
    const t0 = performance.now();
    let r: { status: StepStatus; code: number; detail: string };
    try {
      r = await body();
    } catch (e) {
      // An internal failure of one step must not hide the others.
      process.stderr.write(describeFailure(`ci ${name}`, e));
      r = { status: 'failed', code: EXIT_USAGE, detail: `internal error in ${name}` };
    }
    const res: StepResult = { name, ...r, exitCode: r.code, seconds: earlierSeconds + (performance.now() - t0) / 1000 };
    steps.push(res);
    const colour = res.status === 'failed' ? 'red' : res.status === 'passed' ? 'green' : 'dim';
    log(
      `── ${name}: ${errPaint(colour, res.status)}${res.detail ? ` — ${res.detail}` : ''} (${res.seconds.toFixed(2)} s)`,
    );
  };

  // 1. validate, and the base's validation as the baseline.
  let head: ValidationResult | undefined;
  let tree: ContentTree | undefined;
  const freshErrorFiles = new Set<string>();
  await step('validate', async () => {
    const bar = progress('dac ci: validating');
    head = await validate({ root, workers, onProgress: (i, n, f) => bar.update(i, n, f), otherRules: STAGE_RULES });
    bar.done();
    tree = head.tree ?? loadContent(root);
    let split = { fresh: head.diagnostics, known: [] as Diagnostic[] };
    if (!strict && cmp && head.diagnostics.length > 0) {
      const dir = baseDir()!;
      const bar2 = progress('dac ci: validating the base');
      baseValidation = await validate({
        root: dir,
        workers,
        onProgress: (i, n, f) => bar2.update(i, n, f),
        otherRules: STAGE_RULES,
      });
      bar2.done();
      baseTree = baseValidation.tree ?? loadContent(dir);
      split = splitByBaseline(head.diagnostics, subjectsOf(tree), baseValidation.diagnostics, subjectsOf(baseTree));
    }
    const list = [
      ...split.fresh.map((d) => ({ step: 'validate', diagnostic: d, fresh: true, inChange: inChange(d.file) })),
      ...split.known.map((d) => ({ step: 'validate', diagnostic: d, fresh: false, inChange: inChange(d.file) })),
    ];
    for (const p of list) if (p.fresh && p.diagnostic.severity === 'error') freshErrorFiles.add(p.diagnostic.file);
    report(list);
    const c = counts(list);
    return {
      status: c.errors > 0 ? 'failed' : 'passed',
      code: c.errors > 0 ? EXIT_FAILED : EXIT_OK,
      detail: `${head.files} files: ${describe(list)}`,
    };
  });

  const affected: AffectedDetection[] | undefined = versions && tree ? affectedDetections(tree, versions) : undefined;
  const affectedFiles = new Set((affected ?? []).map((a) => a.file));

  // 2. compile: a detection the change does not affect compiles as it did at the base (same search,
  // same macros), so only affected detections can have new compile problems; of those, the ones
  // already at the base (same key) are known.
  await step('compile', async () => {
    if (!tree) return { status: 'failed', code: EXIT_USAGE, detail: 'the content could not be loaded' };
    const r = await compileTree(tree, {
      cache: true,
      typecheck: opts.typecheck,
      splReport: splReportOf(head?.diagnostics ?? []),
    });
    // The SPL and data-model checks compile shares with validate are reported once, by validate.
    const validated = new Set(problems.map((p) => sameProblem(p.diagnostic)));
    r.diagnostics = r.diagnostics.filter((d) => !validated.has(sameProblem(d)));
    let list: GateProblem[];
    if (strict || !affected)
      list = r.diagnostics.map((d) => ({ step: 'compile', diagnostic: d, fresh: true, inChange: inChange(d.file) }));
    else {
      const candidates = r.diagnostics.filter((d) => affectedFiles.has(d.file));
      const unaffected = r.diagnostics.filter((d) => !affectedFiles.has(d.file));
      let split = { fresh: candidates, known: [] as Diagnostic[] };
      if (candidates.some((d) => d.severity === 'error')) {
        const dir = baseDir()!;
        // The base's SPL findings decide which of its detections get a matcher, as at the head.
        baseValidation ??= await validate({ root: dir, workers, otherRules: STAGE_RULES });
        baseTree ??= baseValidation.tree ?? loadContent(dir);
        const ids = subjectsOf(tree);
        const baseIds = subjectsOf(baseTree);
        const wanted = new Set([...affectedFiles].map((f) => ids.get(f)));
        const baseFiles = [...baseIds].filter(([, s]) => wanted.has(s)).map(([f]) => f);
        const baseRun = await compileTree(baseTree, {
          cache: true,
          typecheck: opts.typecheck,
          files: baseFiles,
          out: join(dir, 'dist', 'matchers'),
          splReport: splReportOf(baseValidation.diagnostics),
        });
        split = splitByBaseline(candidates, ids, baseRun.diagnostics, baseIds);
      }
      list = [
        ...split.fresh.map((d) => ({ step: 'compile', diagnostic: d, fresh: true, inChange: inChange(d.file) })),
        ...[...split.known, ...unaffected].map((d) => ({
          step: 'compile',
          diagnostic: d,
          fresh: false,
          inChange: inChange(d.file),
        })),
      ];
    }
    report(list);
    const c = counts(list);
    return {
      status: c.errors > 0 ? 'failed' : 'passed',
      code: c.errors > 0 ? EXIT_FAILED : EXIT_OK,
      detail: `${r.written} of ${r.candidates} matchers compiled: ${describe(list)}`,
    };
  });

  // 3. version-check: every finding is about the change itself.
  await step(
    'version-check',
    async () => {
      if (!versions) {
        if (format === 'github')
          process.stdout.write(`${workflowCommand('error', { title: 'dac version-check' }, baseError ?? '')}\n`);
        log(`dac ci: version-check: ${baseError}`);
        return { status: 'failed', code: EXIT_USAGE, detail: baseError ?? '' };
      }
      const list = versions.diagnostics.map((d) => ({
        step: 'version-check',
        diagnostic: d,
        fresh: true,
        inChange: true,
      }));
      report(list);
      log(versionSummaryLine(versions, counts(list).errors, counts(list).warnings, comparisonSeconds));
      const c = counts(list);
      return {
        status: c.errors > 0 ? 'failed' : 'passed',
        code: c.errors > 0 ? EXIT_FAILED : EXIT_OK,
        detail: describe(list),
      };
    },
    comparisonSeconds,
  );

  // 4. test the affected detections.
  let testResults: TestCaseResult[] = [];
  await step('test', async () => {
    if (!affected || !tree)
      return { status: 'failed', code: EXIT_USAGE, detail: `cannot tell which detections changed: ${baseError}` };
    if (affected.length === 0)
      return {
        status: 'skipped',
        code: EXIT_OK,
        detail: `no detection changed or depends on changed content since ${opts.base}`,
      };
    for (const a of affected) log(`  ${displayPath(a.file, root)} (${a.reasons.join(', ')})`);
    const configured = tree.config.test ?? {};
    const attackData = opts.attackData ? resolve(opts.attackData) : configured.attackData;
    const bar = progress('dac ci: testing');
    testResults = await runTests(tree, {
      files: affected.map((a) => a.file),
      fixtures: { attackDataDir: attackData, downloadFrom: configured.downloadFrom, onNote: (s) => log(`  ${s}`) },
      onResult: (r, i, n) => bar.update(i, n, `${r.detection} :: ${r.test}`),
    });
    bar.done();
    if (opts.junit) {
      // The report's folder is created when missing (`--junit test-results/junit.xml`, as the
      // shipped workflow runs it); the file is written atomically.
      const junit = resolve(opts.junit);
      ensureDir(dirname(junit));
      writeFileAtomic(junit, toJUnit(testResults));
    }
    const list = testResults.flatMap((r) => {
      const d = testDiagnostic(tree!, r);
      return d ? [{ step: 'test', diagnostic: d, fresh: true, inChange: inChange(d.file) }] : [];
    });
    report(list);
    const n = (s: TestCaseResult['status']) => testResults.filter((r) => r.status === s).length;
    const detail = `${affected.length} detection${affected.length === 1 ? '' : 's'}, ${testResults.length} test${testResults.length === 1 ? '' : 's'}: ${n('passed')} passed, ${n('failed')} failed, ${n('error')} errors, ${n('skipped')} skipped`;
    const bad = n('failed') + n('error');
    return { status: bad > 0 ? 'failed' : 'passed', code: bad > 0 ? EXIT_FAILED : EXIT_OK, detail };
  });

  // 5. build: files outside the change, or whose errors were all at the base, are left out (--skip-invalid).
  await step('build', async () => {
    if (!head) return { status: 'failed', code: EXIT_USAGE, detail: 'validation did not run' };
    const code = await runBuild(
      { content: root, out: opts.out, skipInvalid: true },
      { validation: head, skippable: (f) => (strict ? false : !freshErrorFiles.has(f) || !inChange(f)) },
    );
    return code === EXIT_OK
      ? { status: 'passed', code, detail: '' }
      : { status: 'failed', code, detail: code === EXIT_FAILED ? 'the app was not built' : `exit ${code}` };
  });

  for (const t of temps) rmSync(t, { recursive: true, force: true });

  const failed = steps.filter((s) => s.status === 'failed');
  const known = problems.filter((p) => !p.fresh).length;
  const untold = problems.filter((p) => p.fresh && !p.inChange).length;
  log(errPaint('bold', '\ndac ci summary'));
  for (const s of steps)
    log(`  ${s.name.padEnd(14)} ${s.status.padEnd(8)} ${s.seconds.toFixed(2).padStart(6)} s  ${s.detail}`);
  if (known)
    log(
      `  ${known} problem${known === 1 ? '' : 's'} already at the base of ${opts.base}: not counted${strict ? ' (--strict: counted)' : ''}`,
    );
  if (format === 'github' && untold)
    log(
      `  ${untold} new problem${untold === 1 ? '' : 's'} in files the change did not touch: listed above and in the job summary, not annotated`,
    );
  log(
    failed.length
      ? errPaint('red', `dac ci: FAILED (${failed.map((s) => s.name).join(', ')})`)
      : errPaint('green', 'dac ci: passed'),
  );
  writeStepSummary({
    steps,
    base: opts.base,
    root,
    problems,
    affected: affected ?? [],
    versions,
    tests: testResults,
    strict,
  });
  if (format === 'json')
    process.stdout.write(
      `${JSON.stringify({
        ci: {
          base: opts.base,
          passed: failed.length === 0,
          strict,
          steps,
          known,
          changedFiles: [...touched],
          problems: problems.map((p) => ({ step: p.step, fresh: p.fresh, inChange: p.inChange, ...p.diagnostic })),
        },
      })}\n`,
    );
  return failed.length === 0 ? EXIT_OK : Math.max(...failed.map((s) => s.exitCode), EXIT_FAILED);
}

function sameProblem(d: Diagnostic): string {
  return `${d.file}\u0000${d.line}\u0000${d.column}\u0000${d.rule}\u0000${d.message}`;
}

/** A failed or errored test as a diagnostic at its `tests:` entry (the `name:` of that test). */
export function testDiagnostic(tree: ContentTree, r: TestCaseResult): Diagnostic | undefined {
  if (r.status === 'passed' || r.status === 'skipped') return undefined;
  const item = tree.detections.find((d) => d.file.relPath === r.file);
  const tests = item?.data?.tests;
  const index = Array.isArray(tests) ? tests.findIndex((t) => t && typeof t === 'object' && t.name === r.test) : -1;
  const pos = item
    ? positionOfPath(item.file, index >= 0 ? ['tests', index, 'name'] : ['tests'], index >= 0 ? 'value' : 'key')
    : { line: 1, column: 1 };
  const why = r.message ?? r.details[0] ?? '';
  return {
    file: r.file,
    line: pos.line,
    column: pos.column,
    severity: 'error',
    rule: r.status === 'failed' ? 'test-failed' : 'test-error',
    message: `test "${r.test}" ${r.status === 'failed' ? 'failed' : 'could not run'}${why ? `: ${why}` : ''}`,
  };
}

interface SummaryInput {
  steps: StepResult[];
  base: string;
  root: string;
  problems: GateProblem[];
  affected: AffectedDetection[];
  versions: VersionCheckResult | undefined;
  tests: TestCaseResult[];
  strict: boolean;
}

/** Markdown for the GitHub Actions job summary ($GITHUB_STEP_SUMMARY): steps, detections changed, tests, new problems. */
export function stepSummaryMarkdown(s: SummaryInput): string {
  const icon: Record<StepStatus, string> = { passed: '✅', failed: '❌', skipped: '⏭️' };
  const c = markdownCell;
  const out: string[] = [`### dac ci (base ${markdownCode(s.base)})`, ''];
  out.push('| step | result | time | detail |', '|---|---|---|---|');
  for (const st of s.steps)
    out.push(`| ${st.name} | ${icon[st.status]} ${st.status} | ${st.seconds.toFixed(2)} s | ${c(st.detail)} |`);
  out.push('');
  const changed = (s.versions?.detections ?? []).filter((d) => d.change !== 'unchanged');
  if (changed.length || s.affected.length) {
    out.push('#### Detections changed', '', '| detection | file | change | tested because |', '|---|---|---|---|');
    const reasons = new Map(s.affected.map((a) => [a.file, a.reasons.join(', ')]));
    const seen = new Set<string>();
    for (const d of changed) {
      seen.add(d.file);
      out.push(
        `| ${c(d.name)} | ${markdownCode(d.file)} | ${d.change}${d.movedFrom ? ` (moved from ${markdownCode(d.movedFrom)})` : ''} | ${c(reasons.get(d.file) ?? '')} |`,
      );
    }
    for (const a of s.affected)
      if (!seen.has(a.file))
        out.push(
          `| ${c(a.name)} | ${markdownCode(a.file)} | depends on changed content | ${c(a.reasons.join(', '))} |`,
        );
    out.push('');
  }
  if (s.tests.length) {
    out.push('#### Tests', '', '| result | detection | test | rows | detail |', '|---|---|---|---|---|');
    const mark = { passed: '✅ passed', failed: '❌ failed', error: '❌ error', skipped: '⏭️ skipped' };
    for (const t of s.tests)
      out.push(
        `| ${mark[t.status]} | ${c(t.detection)} | ${c(t.test)} | ${t.expectedRows === undefined ? t.rows.length : `${t.rows.length}/${t.expectedRows}`} | ${c(t.message ?? '')} |`,
      );
    out.push('');
  }
  const fresh = s.problems.filter((p) => p.fresh);
  const known = s.problems.length - fresh.length;
  out.push('#### New problems', '');
  if (fresh.length === 0) out.push('None.');
  else {
    out.push('| where | severity | rule | step | message |', '|---|---|---|---|---|');
    for (const p of fresh.slice(0, SUMMARY_ROWS)) {
      const d = p.diagnostic;
      out.push(
        `| ${markdownCode(`${diagnosticPath(d, s.root)}:${d.line}:${d.column}`)}${p.inChange ? '' : ' (not in the change)'} | ${d.severity} | ${c(d.rule)} | ${p.step} | ${c(d.message)} |`,
      );
    }
    if (fresh.length > SUMMARY_ROWS) out.push('', `… and ${fresh.length - SUMMARY_ROWS} more (see the job log).`);
  }
  out.push('');
  if (known)
    out.push(
      `${known} problem${known === 1 ? ' was' : 's were'} already present at the base and ${s.strict ? 'counted (--strict)' : 'not counted'}.`,
      '',
    );
  return out.join('\n');
}

function writeStepSummary(s: SummaryInput): void {
  const file = process.env.GITHUB_STEP_SUMMARY;
  if (!file) return;
  try {
    appendFileSync(file, stepSummaryMarkdown(s));
  } catch {
    // The summary is a convenience; failing to write it must not fail the gate.
  }
}
