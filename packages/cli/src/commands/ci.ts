import { appendFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CommanderError, Option, type Command } from 'commander';
import { loadContent } from '@dac/content';
import { affectedDetections, checkVersions, VersioningError, type AffectedDetection } from '@dac/versioning';
import { buildProgram, EXIT_FAILED, EXIT_OK, EXIT_USAGE, type DacCommand } from '../program.js';
import { escapeGithubData, escapeMarkdownCell, markdownCode } from '@dac/escape';

interface CiOptions {
  base: string;
  content: string;
  format?: 'text' | 'json' | 'github';
  allowRemoval?: boolean;
  junit?: string;
  out?: string;
  /** Passed on as text (ci forwards it to validate and build, which check it). */
  jobs?: string;
}

type StepStatus = 'passed' | 'failed' | 'skipped';

interface StepResult {
  name: string;
  status: StepStatus;
  exitCode: number;
  seconds: number;
  detail: string;
}

/**
 * Runs one `dac` sub-command in-process through the same program the CLI uses, passing only the
 * options that command declares (other engineers own those commands; their options may differ).
 */
async function runSubcommand(
  makeProgram: ProgramFactory,
  name: string,
  args: string[],
  shared: { content: string; format?: string },
  /** Options passed only when the command declares them (e.g. `--junit` for test, `--out` for build). */
  optional: Record<string, string | undefined> = {},
): Promise<{ code: number; missing?: boolean; error?: string }> {
  const probe = makeProgram(() => {}).commands.find((c) => c.name() === name);
  if (!probe) return { code: EXIT_FAILED, missing: true };
  const has = (flag: string) => probe.options.find((o) => o.long === flag);
  const argv = [...args];
  if (has('--content')) argv.push('--content', shared.content);
  for (const [flag, value] of Object.entries(optional)) if (value !== undefined && has(flag)) argv.push(flag, value);
  const fmt = has('--format');
  if (fmt && shared.format && (!fmt.argChoices || fmt.argChoices.includes(shared.format)))
    argv.push('--format', shared.format);
  let code = EXIT_OK;
  const program = makeProgram((c) => {
    code = Math.max(code, c);
  });
  try {
    await program.parseAsync(['node', 'dac', name, ...argv]);
    return { code };
  } catch (e) {
    if (e instanceof CommanderError) return { code: e.exitCode === 0 ? EXIT_OK : EXIT_USAGE };
    // An internal failure of one step must not hide the others.
    return { code: EXIT_USAGE, error: e instanceof Error ? (e.stack ?? e.message) : String(e) };
  }
}

/** Builds the `dac` program the sub-commands run in (the real one, or a narrower one in tests). */
export type ProgramFactory = (setExit: (code: number) => void) => Command;

/** `dac ci`, running its steps through the program `makeProgram` builds. */
export function createCiCommand(makeProgram: ProgramFactory = buildProgram): DacCommand {
  return { register: (program, setExit) => registerCi(program, setExit, makeProgram) };
}

export const ciCommand: DacCommand = createCiCommand();

function registerCi(program: Command, setExit: (code: number) => void, makeProgram: ProgramFactory): void {
  program
    .command('ci')
    .description(
      'The pull-request gate: validate, compile typed matchers, version-check, test the detections affected by the change, and build',
    )
    .requiredOption('--base <ref>', 'git ref of the pull request target, e.g. origin/main')
    .option('--content <dir>', 'content root', '.')
    .addOption(
      new Option(
        '--format <format>',
        'diagnostic format (default: github when GITHUB_ACTIONS=true, else text)',
      ).choices(['text', 'json', 'github']),
    )
    .option('--allow-removal', 'passed to version-check: accept deleted detections')
    .option('--junit <file>', 'passed to dac test: write JUnit XML here')
    .option('--out <dir>', 'passed to dac build: output directory')
    .option('-j, --jobs <n>', 'passed to dac validate and dac build: threads to validate with')
    .action(async (opts: CiOptions) => {
      const format = opts.format ?? (process.env.GITHUB_ACTIONS === 'true' ? 'github' : 'text');
      const shared = { content: opts.content, format };
      const log = (s: string) => process.stderr.write(`${s}\n`);
      const steps: StepResult[] = [];
      const step = async (name: string, body: () => Promise<{ status: StepStatus; code: number; detail: string }>) => {
        log(`\n── dac ci: ${name} ──`);
        const t0 = performance.now();
        const r = await body();
        const res: StepResult = {
          name,
          status: r.status,
          exitCode: r.code,
          seconds: (performance.now() - t0) / 1000,
          detail: r.detail,
        };
        steps.push(res);
        log(`── ${name}: ${res.status}${res.detail ? ` — ${res.detail}` : ''} (${res.seconds.toFixed(2)} s)`);
        if (res.status === 'failed' && format === 'github') {
          process.stdout.write(
            `::error title=dac ci ${name}::${escapeGithubData(`${name} failed${res.detail ? `: ${res.detail}` : ''}`)}\n`,
          );
        }
      };
      const sub = async (
        name: string,
        args: string[],
        passDetail = '',
        optional: Record<string, string | undefined> = {},
      ) => {
        const r = await runSubcommand(makeProgram, name, args, shared, optional);
        if (r.missing)
          return {
            status: 'failed' as const,
            code: EXIT_FAILED,
            detail: `\`dac ${name}\` is not available in this build (no such command registered)`,
          };
        if (r.error) {
          log(r.error);
          return { status: 'failed' as const, code: EXIT_USAGE, detail: `internal error in dac ${name}` };
        }
        return r.code === EXIT_OK
          ? { status: 'passed' as const, code: EXIT_OK, detail: passDetail }
          : { status: 'failed' as const, code: r.code, detail: `exit ${r.code}` };
      };

      await step('validate', () => sub('validate', [], '', { '--jobs': opts.jobs }));
      // Every tstats detection's typed matcher is generated and type-checked (one program, cached).
      await step('compile', () => sub('compile', []));
      await step('version-check', () =>
        sub('version-check', ['--base', opts.base, ...(opts.allowRemoval ? ['--allow-removal'] : [])]),
      );
      await step('test', async () => {
        // A missing `dac test` fails the gate even when nothing needs testing: the gate is incomplete.
        if (!makeProgram(() => {}).commands.some((c) => c.name() === 'test')) {
          return {
            status: 'failed',
            code: EXIT_FAILED,
            detail: '`dac test` is not available in this build (no such command registered)',
          };
        }
        let affected: AffectedDetection[];
        try {
          const root = resolve(opts.content);
          const result = checkVersions({ contentRoot: root, base: opts.base, allowRemoval: true });
          affected = affectedDetections(loadContent(root), result);
        } catch (e) {
          if (!(e instanceof VersioningError)) throw e;
          return { status: 'failed', code: EXIT_USAGE, detail: `cannot tell which detections changed: ${e.message}` };
        }
        if (affected.length === 0)
          return {
            status: 'skipped',
            code: EXIT_OK,
            detail: `no detection changed or depends on changed content since ${opts.base}`,
          };
        for (const a of affected) log(`  ${a.file} (${a.reasons.join(', ')})`);
        const files = affected.map((a) => join(opts.content, a.file));
        return sub('test', files, `${affected.length} detection${affected.length === 1 ? '' : 's'} tested`, {
          '--junit': opts.junit,
        });
      });
      await step('build', () => sub('build', [], '', { '--out': opts.out, '--jobs': opts.jobs }));

      const failed = steps.filter((s) => s.status === 'failed');
      log('\ndac ci summary');
      for (const s of steps)
        log(`  ${s.name.padEnd(14)} ${s.status.padEnd(8)} ${s.seconds.toFixed(2).padStart(6)} s  ${s.detail}`);
      log(failed.length ? `dac ci: FAILED (${failed.map((s) => s.name).join(', ')})` : 'dac ci: passed');
      writeStepSummary(steps, opts.base);
      // JSON output: each step printed its own document; the gate's result is the last line.
      if (format === 'json')
        process.stdout.write(`${JSON.stringify({ ci: { base: opts.base, passed: failed.length === 0, steps } })}\n`);
      setExit(failed.length === 0 ? EXIT_OK : Math.max(...failed.map((s) => s.exitCode), EXIT_FAILED));
    });
}

/** A markdown table for the GitHub Actions job summary, when running there. */
function writeStepSummary(steps: StepResult[], base: string): void {
  const file = process.env.GITHUB_STEP_SUMMARY;
  if (!file) return;
  const cell = escapeMarkdownCell;
  const icon: Record<StepStatus, string> = { passed: '✅', failed: '❌', skipped: '⏭️' };
  const rows = steps.map(
    (s) => `| ${s.name} | ${icon[s.status]} ${s.status} | ${s.seconds.toFixed(2)} s | ${cell(s.detail)} |`,
  );
  try {
    appendFileSync(
      file,
      [
        `### dac ci (base ${markdownCode(base)})`,
        '',
        '| step | result | time | detail |',
        '|---|---|---|---|',
        ...rows,
        '',
      ].join('\n'),
    );
  } catch {
    // The summary is a convenience; failing to write it must not fail the gate.
  }
}
