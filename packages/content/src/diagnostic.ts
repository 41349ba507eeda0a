/** Severity of a diagnostic; `off` only appears in rule configuration, never on a diagnostic. */
export type Severity = 'error' | 'warning';

/**
 * A problem found in content, always positioned. Stages return diagnostics as values;
 * only the CLI decides what they mean for the exit code.
 */
export interface Diagnostic {
  /** Path relative to the content root, with forward slashes. */
  file: string;
  /** 1-based line of the offending node. */
  line: number;
  /** 1-based column of the offending node. */
  column: number;
  severity: Severity;
  /** Stable rule id, e.g. `yaml-syntax`, `schema`, `risk-score`. */
  rule: string;
  message: string;
}

export function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  return (
    (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) ||
    a.line - b.line ||
    a.column - b.column ||
    (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0) ||
    (a.message < b.message ? -1 : a.message > b.message ? 1 : 0)
  );
}
