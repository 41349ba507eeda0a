import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { Diagnostic } from '@dac/content';
import { escapeGithubData, escapeGithubProperty, escapeMarkdownCell, escapeTerminal, githubCommand } from '@dac/escape';

/**
 * The CLI's one output module: paths as compilers print them, colour on a terminal, progress on a
 * terminal, and GitHub workflow commands (annotations) with their escaping. Every command prints
 * through these helpers, so the same thing looks the same everywhere.
 */

/**
 * A path as the user should see it, as compilers print them: relative to the current folder
 * (`../x` included), forward slashes; absolute only when no relative path exists (another drive).
 */
export function displayPath(path: string, base: string = process.cwd(), cwd: string = process.cwd()): string {
  const abs = resolve(base, path);
  const rel = relative(cwd, abs);
  return (rel === '' ? '.' : isAbsolute(rel) ? abs : rel).split(sep).join('/');
}

/** A diagnostic's file (content-relative) as displayPath shows it. */
export function diagnosticPath(d: Pick<Diagnostic, 'file'>, contentRoot: string): string {
  return displayPath(d.file, contentRoot);
}

interface ColourStream {
  isTTY?: boolean;
}

/**
 * Whether to colour output written to this stream: FORCE_COLOR (any value but `0`/`false`) forces
 * it, NO_COLOR (any non-empty value, https://no-color.org) forbids it, otherwise only on a terminal.
 */
export function colourEnabled(stream: ColourStream, env: NodeJS.ProcessEnv = process.env): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== '') return force !== '0' && force !== 'false';
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.TERM === 'dumb') return false;
  return stream.isTTY === true;
}

const SGR = { red: 31, yellow: 33, green: 32, cyan: 36, bold: 1, dim: 2 } as const;
export type Colour = keyof typeof SGR;

/** Paints text for one stream: a no-op when colour is off. */
export function painter(
  stream: ColourStream = process.stderr,
  env?: NodeJS.ProcessEnv,
): (c: Colour, s: string) => string {
  const on = colourEnabled(stream, env);
  return (c, s) => (on ? `\x1b[${SGR[c]}m${s}\x1b[0m` : s);
}

/** Text for a terminal line: control characters (a newline in a quoted value, ESC) shown as visible escapes (@dac/escape). */
export function oneLine(s: string): string {
  return escapeTerminal(s);
}

/** `path:line:col: severity: message [rule]`, the format every command prints diagnostics in. */
export function formatDiagnosticLine(
  d: Diagnostic,
  contentRoot: string,
  paint: (c: Colour, s: string) => string = (_c, s) => s,
  /** Printed instead of the severity (e.g. `note: already at the base`). */
  label?: string,
): string {
  const sev =
    label !== undefined
      ? paint('cyan', label)
      : d.severity === 'error'
        ? paint('red', 'error')
        : paint('yellow', 'warning');
  return `${paint('bold', `${oneLine(diagnosticPath(d, contentRoot))}:${d.line}:${d.column}`)}: ${sev}: ${oneLine(d.message)} ${paint('dim', `[${oneLine(d.rule)}]`)}`;
}

// ── GitHub Actions workflow commands ───────────────────────────────────────────────────────────

/**
 * Escaping of GitHub workflow commands is @dac/escape's (actions/toolkit `command.ts`: `%`, CR, LF
 * in the message; also `:` and `,` in property values, so a `::` or a comma in a file name or
 * title cannot end the property list or start the message). Every command line goes through
 * `workflowCommand` below.
 */
export const escapeWorkflowData = escapeGithubData;
export const escapeWorkflowProperty = escapeGithubProperty;

export type AnnotationLevel = 'error' | 'warning' | 'notice';

export interface AnnotationProps {
  file?: string;
  line?: number;
  col?: number;
  endLine?: number;
  title?: string;
}

/** One `::error file=…,line=…,col=…,title=…::message` line (no trailing newline); every value escaped. */
export function workflowCommand(level: AnnotationLevel, props: AnnotationProps, message: string): string {
  const n = (v: number | undefined) => (v === undefined ? undefined : Math.max(1, Math.trunc(v)));
  return githubCommand(
    level,
    { file: props.file, line: n(props.line), endLine: n(props.endLine), col: n(props.col), title: props.title },
    message,
  );
}

/** A diagnostic as a GitHub annotation at its file (relative to the workspace = current folder). */
export function diagnosticAnnotation(d: Diagnostic, contentRoot: string, level?: AnnotationLevel): string {
  return workflowCommand(
    level ?? (d.severity === 'error' ? 'error' : 'warning'),
    { file: diagnosticPath(d, contentRoot), line: d.line, col: d.column, title: `dac ${d.rule}` },
    d.message,
  );
}

/** A Markdown table cell (@dac/escape: no syntax, no HTML, one line). */
export const markdownCell = escapeMarkdownCell;

// ── progress ───────────────────────────────────────────────────────────────────────────────────

export interface Progress {
  /** Reports `done` of `total` units, with what is being worked on. */
  update(done: number, total: number, what?: string): void;
  /** Clears the progress line. */
  done(): void;
}

interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(s: string): unknown;
}

/**
 * A one-line progress indicator on stderr for commands that can take more than a second: shown
 * only on a terminal, and only once the work has run for `delayMs` (short runs print nothing);
 * redrawn at most every 100 ms; silent when stderr is not a terminal (CI logs, pipes).
 */
export function progress(label: string, stream: ProgressStream = process.stderr, delayMs = 1000): Progress {
  if (stream.isTTY !== true) return { update() {}, done() {} };
  const started = performance.now();
  let last = 0;
  let shown = false;
  return {
    update(done, total, what) {
      const now = performance.now();
      if (now - started < delayMs || now - last < 100) return;
      last = now;
      shown = true;
      const width = Math.max(20, (stream.columns ?? 80) - 1);
      const text = `${label} [${done}/${total}]${what ? ` ${what}` : ''}`.replace(/[\x00-\x1f\x7f]/g, ' ');
      stream.write(`\r\x1b[K${text.slice(0, width)}`);
    },
    done() {
      if (shown) stream.write('\r\x1b[K');
      shown = false;
    },
  };
}

/**
 * A status line for one synchronous phase that reports no counts (type-checking, packing): shown
 * at once on a terminal (a synchronous call gives no chance to wait a second first), cleared by
 * the returned function; nothing when stderr is not a terminal.
 */
export function statusLine(label: string, stream: ProgressStream = process.stderr): () => void {
  if (stream.isTTY !== true) return () => {};
  stream.write(`\r\x1b[K${label.replace(/[\x00-\x1f\x7f]/g, ' ')} …`);
  return () => stream.write('\r\x1b[K');
}

/**
 * Progress for work that reports no counts (one long call): a spinner-less "label …" line shown
 * after `delayMs` on a terminal and cleared when the promise settles.
 */
export async function withProgress<T>(
  label: string,
  work: () => Promise<T> | T,
  stream: ProgressStream = process.stderr,
  delayMs = 1000,
): Promise<T> {
  if (stream.isTTY !== true) return work();
  let shown = false;
  const timer = setTimeout(() => {
    shown = true;
    stream.write(`\r\x1b[K${label} …`);
  }, delayMs);
  try {
    return await work();
  } finally {
    clearTimeout(timer);
    if (shown) stream.write('\r\x1b[K');
  }
}
