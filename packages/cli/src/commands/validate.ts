import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { formatJson, summaryLine, UsageError, validate } from '@dac/validate';
import { describeFailure, EXIT_FAILED, EXIT_OK, EXIT_USAGE, type DacCommand } from '../program.js';
import { addJobsOption, jobsOf } from '../jobs.js';
import { diagnosticAnnotation, formatDiagnosticLine, painter, progress } from '../output.js';
import { STAGE_RULES } from '../stage-rules.js';

/**
 * `dac validate [--content DIR] [--format text|json|github] [--jobs N] [PATH ...]`
 * Exit 0: no error (warnings allowed); 1: at least one error; 2: usage or internal failure.
 */
export const validateCommand: DacCommand = {
  register(program: Command, setExit: (code: number) => void) {
    const command = program
      .command('validate')
      .description('Check content YAML against the schemas and the semantic rules; every problem with file:line:col')
      .argument(
        '[paths...]',
        'only report problems in these files or folders (cross-file rules still see the whole tree)',
      )
      .option('--content <dir>', 'content root (holds detections/, macros/, stories/, …)', process.cwd())
      .addOption(new Option('--format <format>', 'output format').choices(['text', 'json', 'github']).default('text'));
    addJobsOption(
      command,
      'threads to validate with (0 = this thread only); default: the available CPUs for trees of 200+ files',
    ).action(
      async (
        paths: string[],
        opts: { content: string; format: 'text' | 'json' | 'github'; jobs?: number; workers?: number },
      ) => {
        try {
          const bar = progress('dac validate');
          const result = await validate({
            root: opts.content,
            paths,
            workers: jobsOf(opts),
            onProgress: (i, n, f) => bar.update(i, n, f),
            otherRules: STAGE_RULES,
          });
          bar.done();
          const root = resolve(opts.content);
          if (opts.format === 'json') process.stdout.write(formatJson(result));
          else {
            const paint = opts.format === 'text' ? painter(process.stdout) : undefined;
            const lines = result.diagnostics.map((d) =>
              opts.format === 'github' ? diagnosticAnnotation(d, root) : formatDiagnosticLine(d, root, paint),
            );
            lines.push(summaryLine(result));
            process.stdout.write(`${lines.join('\n')}\n`);
          }
          setExit(result.errors > 0 ? EXIT_FAILED : EXIT_OK);
        } catch (e) {
          if (e instanceof UsageError) {
            process.stderr.write(`dac validate: ${e.message}\n`);
          } else {
            process.stderr.write(describeFailure('validate', e));
          }
          setExit(EXIT_USAGE);
        }
      },
    );
  },
};
