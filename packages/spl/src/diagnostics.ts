/**
 * Diagnostics of the SPL front end. Offsets are UTF-16 offsets into a search string; which string
 * (original or expanded) is stated by the function that returns them.
 */
export type SplRule = 'spl-syntax' | 'spl-undefined-macro' | 'spl-macro-cycle' | 'spl-macro-args' | 'spl-unsupported';

export interface SplDiagnostic {
  start: number;
  end: number;
  severity: 'error' | 'warning';
  rule: SplRule | (string & {});
  message: string;
}

export function splError(rule: SplRule, start: number, end: number, message: string): SplDiagnostic {
  return { start, end: Math.max(start, end), severity: 'error', rule, message };
}

export function splWarning(rule: SplRule, start: number, end: number, message: string): SplDiagnostic {
  return { start, end: Math.max(start, end), severity: 'warning', rule, message };
}

/** Shortens user text quoted in a message (messages stay one short line). */
export function excerpt(text: string, max = 60): string {
  const oneLine = text.replace(/\s+/g, ' ');
  return oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine;
}
