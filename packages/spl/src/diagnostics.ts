/**
 * Diagnostics of the SPL front end. Offsets are UTF-16 offsets into a search string; which string
 * (original or expanded) is stated by the function that returns them.
 *
 * A diagnostic carries what it is about as data (`code` and the names it concerns, e.g. the macro
 * of an `undefined-macro`), and its `message` is rendered from that data (renderSplMessage), so a
 * consumer that needs a name reads the field instead of parsing the sentence.
 */
export type SplRule = 'spl-syntax' | 'spl-undefined-macro' | 'spl-macro-cycle' | 'spl-macro-args' | 'spl-unsupported';

/** What a diagnostic is about, by code. */
export type SplIssue =
  /** The parser's own description of a syntax problem (`text`). */
  | { code: 'syntax'; text: string }
  /** A search beyond the front end's safety limits (nesting depth), described by `text`. */
  | { code: 'too-complex'; text: string }
  /** A macro call whose own syntax is broken (`problem`: empty name, missing `)`, …). */
  | { code: 'macro-call'; problem: string }
  | { code: 'unterminated-comment' }
  | { code: 'unterminated-macro' }
  /** No macro `name` (`key` is `name` or `name(N)`); `suggestion` is the closest defined name. */
  | { code: 'undefined-macro'; macro: string; key: string; suggestion?: string }
  /** `macro` exists, but with `parameters`, not with `given` arguments. */
  | { code: 'macro-arguments'; macro: string; parameters: string[]; given: number }
  /** Expanding `chain[0]` leads back to the last key of the chain. */
  | { code: 'macro-cycle'; chain: string[] }
  | { code: 'macro-nesting'; key: string; limit: number }
  | { code: 'macro-size'; key: string; limit: number };

export type SplCode = SplIssue['code'];

/** A macro expansion a nested problem was found in (innermost first). */
export interface MacroFrame {
  key: string;
  /** Where the macro is defined (a file), when known. */
  source?: string;
}

interface SplDiagnosticBase {
  start: number;
  end: number;
  severity: 'error' | 'warning';
  rule: SplRule | (string & {});
  /** Rendered from the issue and the frames (renderSplMessage). */
  message: string;
  /** For a problem inside a macro's definition: the expansions it came from, innermost first. */
  expandedFrom?: MacroFrame[];
}

export type SplDiagnostic = SplDiagnosticBase & SplIssue;

/** The rule (configurable severity class) of each code. */
export const SPL_RULE_OF: Readonly<Record<SplCode, SplRule>> = {
  syntax: 'spl-syntax',
  'too-complex': 'spl-unsupported',
  'macro-call': 'spl-syntax',
  'unterminated-comment': 'spl-syntax',
  'unterminated-macro': 'spl-syntax',
  'undefined-macro': 'spl-undefined-macro',
  'macro-arguments': 'spl-macro-args',
  'macro-cycle': 'spl-macro-cycle',
  'macro-nesting': 'spl-unsupported',
  'macro-size': 'spl-unsupported',
};

/** The sentence for an issue (without the expansion it was found in). */
export function describeSplIssue(issue: SplIssue): string {
  switch (issue.code) {
    case 'syntax':
    case 'too-complex':
      return issue.text;
    case 'macro-call':
      return issue.problem;
    case 'unterminated-comment':
      return 'unterminated ``` comment';
    case 'unterminated-macro':
      return 'unterminated macro call: no closing backtick';
    case 'undefined-macro':
      return `undefined macro \`${issue.key}\`${issue.suggestion ? ` (did you mean \`${issue.suggestion}\`?)` : ''}`;
    case 'macro-arguments': {
      const n = issue.parameters.length;
      return `macro \`${issue.macro}\` takes ${n} argument${n === 1 ? '' : 's'}${n ? ` (${issue.parameters.join(', ')})` : ''}, but is called with ${issue.given}`;
    }
    case 'macro-cycle':
      return `macro cycle: ${issue.chain.map((k) => `\`${k}\``).join(' → ')}`;
    case 'macro-nesting':
      return `macro nesting deeper than ${issue.limit} at \`${issue.key}\``;
    case 'macro-size':
      return `macro expansion exceeds ${issue.limit} characters at \`${issue.key}\``;
  }
}

/** ` (in the expansion of \`k\` from f)` for each frame, innermost first. */
export function describeExpansion(frames: readonly MacroFrame[] | undefined): string {
  let s = '';
  for (const f of frames ?? []) s += ` (in the expansion of \`${f.key}\`${f.source ? ` from ${f.source}` : ''})`;
  return s;
}

/** The message of an issue found in the given expansions. */
export function renderSplMessage(issue: SplIssue, frames?: readonly MacroFrame[]): string {
  return describeSplIssue(issue) + describeExpansion(frames);
}

/** A diagnostic for an issue at [start, end), its rule and message derived from the issue. */
export function splDiagnostic(
  issue: SplIssue,
  start: number,
  end: number,
  severity: 'error' | 'warning' = 'error',
  expandedFrom?: MacroFrame[],
): SplDiagnostic {
  const d: SplDiagnostic = {
    ...issue,
    start,
    end: Math.max(start, end),
    severity,
    rule: SPL_RULE_OF[issue.code],
    message: renderSplMessage(issue, expandedFrom),
  };
  if (expandedFrom?.length) d.expandedFrom = expandedFrom;
  return d;
}

/** A parser error: `spl-syntax` (code `syntax`) or `spl-unsupported` (code `too-complex`). */
export function splError(rule: 'spl-syntax' | 'spl-unsupported', start: number, end: number, message: string) {
  return splDiagnostic({ code: rule === 'spl-unsupported' ? 'too-complex' : 'syntax', text: message }, start, end);
}

/** A parser warning (`spl-syntax`, code `syntax`). */
export function splWarning(_rule: 'spl-syntax', start: number, end: number, message: string): SplDiagnostic {
  return splDiagnostic({ code: 'syntax', text: message }, start, end, 'warning');
}

/** Shortens user text quoted in a message (messages stay one short line). */
export function excerpt(text: string, max = 60): string {
  const oneLine = text.replace(/\s+/g, ' ');
  return oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine;
}
