import { isAbsolute, join, relative, sep } from 'node:path';
import type { Diagnostic } from '@dac/content';
import { escapeGithubData, escapeGithubProperty, escapeTerminal } from '@dac/escape';
import type { ValidationResult } from './validate.js';

export interface FormatOptions {
  /** Content root the diagnostics' `file` is relative to. */
  root: string;
  /** Directory paths are shown relative to (text and github formats); default: process.cwd(). */
  cwd?: string;
}

/** Path of a diagnostic's file relative to cwd, forward slashes (what terminals and GitHub resolve). */
function displayPath(d: Diagnostic, o: FormatOptions): string {
  const abs = join(o.root, d.file);
  const rel = relative(o.cwd ?? process.cwd(), abs);
  return (rel === '' || isAbsolute(rel) ? abs : rel).split(sep).join('/');
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function summaryLine(r: ValidationResult): string {
  return `${plural(r.files, 'file')} checked: ${plural(r.errors, 'error')}, ${plural(r.warnings, 'warning')} (${(r.durationMs / 1000).toFixed(2)}s)`;
}

/** `path:line:col: error|warning: message [rule-id]` per diagnostic, then a one-line summary. */
export function formatText(r: ValidationResult, o: FormatOptions): string {
  const lines = r.diagnostics.map(
    (d) =>
      `${escapeTerminal(displayPath(d, o))}:${d.line}:${d.column}: ${d.severity}: ${escapeTerminal(d.message)} [${escapeTerminal(d.rule)}]`,
  );
  lines.push(summaryLine(r));
  return `${lines.join('\n')}\n`;
}

/** `{"diagnostics":[{file,line,column,severity,rule,message}],"summary":{files,errors,warnings}}`, file relative to the content root. */
export function formatJson(r: ValidationResult): string {
  return `${JSON.stringify({
    diagnostics: r.diagnostics.map((d) => ({
      file: d.file,
      line: d.line,
      column: d.column,
      severity: d.severity,
      rule: d.rule,
      message: d.message,
    })),
    summary: { files: r.files, errors: r.errors, warnings: r.warnings },
  })}\n`;
}

// The escaping of each channel lives in @dac/escape; re-exported for existing callers.
export { escapeGithubData, escapeGithubProperty };

/** GitHub Actions annotations `::error file=…,line=…,col=…::message [rule]`, then the summary as a plain line. */
export function formatGithub(r: ValidationResult, o: FormatOptions): string {
  const lines = r.diagnostics.map(
    (d) =>
      `::${d.severity} file=${escapeGithubProperty(displayPath(d, o))},line=${d.line},col=${d.column}::${escapeGithubData(`${d.message} [${d.rule}]`)}`,
  );
  lines.push(summaryLine(r));
  return `${lines.join('\n')}\n`;
}
