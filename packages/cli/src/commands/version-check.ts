import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import type { Diagnostic } from '@dac/content';
import { checkVersions, VersioningError, type VersionCheckResult } from '@dac/versioning';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, type DacCommand } from '../program.js';
import { diagnosticAnnotation, displayPath, formatDiagnosticLine, painter, workflowCommand } from '../output.js';

export type OutputFormat = 'text' | 'json' | 'github';

// Workflow-command escaping lives in @dac/escape (one module per output channel), used through
// the CLI's output module; re-exported here for older imports.
export { escapeGithubData, escapeGithubProperty } from '@dac/escape';

/**
 * One diagnostic in the shared output shapes (same as `dac validate`). GitHub annotations need
 * paths relative to the workspace (the current directory), not to the content root.
 */
export function formatDiagnostic(d: Diagnostic, format: 'text' | 'github', contentRoot: string): string {
  return format === 'text'
    ? formatDiagnosticLine(d, contentRoot, painter(process.stdout))
    : diagnosticAnnotation(d, contentRoot);
}

interface VersionCheckCliOptions {
  base: string;
  content: string;
  fix?: boolean;
  allowRemoval?: boolean;
  format: OutputFormat;
}

export function versionSummaryLine(r: VersionCheckResult, errors: number, warnings: number, seconds: number): string {
  const n = { new: 0, changed: 0, unchanged: 0, removed: 0 };
  for (const d of r.detections) n[d.change]++;
  const moved = r.detections.filter((d) => d.movedFrom).length;
  const base = r.base.usedMergeBase
    ? `${r.base.ref} (merge base ${r.base.commit.slice(0, 12)})`
    : `${r.base.ref} (${r.base.commit.slice(0, 12)})`;
  const parts = [
    `${r.detections.length} detection${r.detections.length === 1 ? '' : 's'} compared with ${base}: ${n.changed} changed, ${n.new} new, ${n.removed} removed, ${n.unchanged} unchanged${moved ? `, ${moved} moved` : ''}`,
  ];
  if (r.suggestedBump) parts.push(`content changes call for a ${r.suggestedBump} bump`);
  if (!r.changeset.checked) parts.push(`changesets not checked (${r.changeset.reason})`);
  else if (r.changeset.level && r.changeset.level !== 'none')
    parts.push(`changeset bumps ${r.changeset.package} ${r.changeset.level}`);
  if (r.fixes.length) parts.push(`${r.fixes.length} value${r.fixes.length === 1 ? '' : 's'} fixed`);
  parts.push(
    `${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'} (${seconds.toFixed(2)} s)`,
  );
  return `version-check: ${parts.join('; ')}`;
}

export const versionCheckCommand: DacCommand = {
  register(program: Command, setExit: (code: number) => void) {
    program
      .command('version-check')
      .description(
        'Check detection versions and dates against a git base ref (matched by id), and that a changeset bumps the content package',
      )
      .requiredOption('--base <ref>', 'git ref to compare with, e.g. origin/main')
      .option('--content <dir>', 'content root', '.')
      .option('--fix', 'rewrite version: and date: in place to the required values')
      .option('--allow-removal', 'accept deleted detections (a major bump) instead of requiring status: deprecated')
      .addOption(new Option('--format <format>', 'output format').choices(['text', 'json', 'github']).default('text'))
      .action((opts: VersionCheckCliOptions) => {
        const started = performance.now();
        const out = (s: string) => process.stdout.write(`${s}\n`);
        const root = resolve(opts.content);
        let result: VersionCheckResult;
        try {
          result = checkVersions({
            contentRoot: root,
            base: opts.base,
            fix: opts.fix,
            allowRemoval: opts.allowRemoval,
          });
        } catch (e) {
          if (!(e instanceof VersioningError)) throw e;
          if (opts.format === 'json')
            out(JSON.stringify({ diagnostics: [], summary: { errors: 1, warnings: 0 }, error: e.message }));
          else if (opts.format === 'github') out(workflowCommand('error', { title: 'dac version-check' }, e.message));
          process.stderr.write(`dac version-check: error: ${e.message}\n`);
          setExit(EXIT_USAGE);
          return;
        }
        const seconds = (performance.now() - started) / 1000;
        const errors = result.diagnostics.filter((d) => d.severity === 'error').length;
        const warnings = result.diagnostics.length - errors;
        if (opts.format === 'json') {
          const n = { new: 0, changed: 0, unchanged: 0, removed: 0 };
          for (const d of result.detections) n[d.change]++;
          out(
            JSON.stringify({
              diagnostics: result.diagnostics,
              summary: {
                errors,
                warnings,
                seconds: Math.round(seconds * 1000) / 1000,
                base: result.base,
                today: result.today,
                detections: { compared: result.detections.length, ...n },
                suggestedBump: result.suggestedBump ?? null,
                changeset: result.changeset,
                contentChanges: result.contentChanges,
                fixes: result.fixes,
              },
            }),
          );
        } else {
          for (const f of result.fixes)
            out(`${displayPath(f.file, root)}:${f.line}:${f.column}: fixed: ${f.key} ${f.from} → ${f.to}`);
          for (const d of result.diagnostics) out(formatDiagnostic(d, opts.format, root));
          out(versionSummaryLine(result, errors, warnings, seconds));
        }
        setExit(errors > 0 ? EXIT_FAILED : EXIT_OK);
      });
  },
};
