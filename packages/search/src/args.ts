/**
 * Argument helpers for command modules: the generic command's words and options, Splunk
 * booleans and integers, and parsing an eval or search expression out of a command's text with
 * positions that stay offsets into the parsed search.
 */
import {
  type Argument,
  type EvalExpr,
  type GenericCommand,
  type Literal,
  parsePipeline,
  type SearchExpr,
  type SplDiagnostic,
  type Span,
} from '@dac/spl';

export interface Word {
  value: string;
  quoted: boolean;
  span: Span;
}

/** The bare words of a command, in order (options and subsearches left out). */
export function wordsOf(args: readonly Argument[]): Word[] {
  const out: Word[] = [];
  for (const a of args) if (a.kind === 'word') out.push({ value: a.value.value, quoted: a.value.quoted, span: a.span });
  return out;
}

/** Options `key=value` by lower-cased key (the last one wins, as in Splunk). */
export function optionsOf(
  args: readonly Argument[],
): Map<string, { value: string; quoted: boolean; span: Span; literal: Literal }> {
  const out = new Map<string, { value: string; quoted: boolean; span: Span; literal: Literal }>();
  for (const a of args)
    if (a.kind === 'option')
      out.set(a.key.toLowerCase(), { value: a.value.value, quoted: a.value.quoted, span: a.span, literal: a.value });
  return out;
}

/** Splunk booleans: true/false, t/f, 1/0, yes/no (case-insensitive); undefined otherwise. */
export function parseBool(v: string): boolean | undefined {
  const s = v.trim().toLowerCase();
  if (s === 'true' || s === 't' || s === '1' || s === 'yes' || s === 'y') return true;
  if (s === 'false' || s === 'f' || s === '0' || s === 'no' || s === 'n') return false;
  return undefined;
}

/** A non-negative integer argument, or undefined. */
export function parseCount(v: string): number | undefined {
  return /^\d{1,15}$/.test(v.trim()) ? Number(v.trim()) : undefined;
}

/** Splits words on commas the parser kept inside a word (`a,b`), dropping empties. */
export function fieldNames(words: readonly Word[]): Word[] {
  const out: Word[] = [];
  for (const w of words) {
    if (w.quoted) {
      out.push(w);
      continue;
    }
    let at = w.span.start;
    for (const part of w.value.split(',')) {
      if (part.trim() !== '') {
        const lead = part.length - part.trimStart().length;
        out.push({
          value: part.trim(),
          quoted: false,
          span: { start: at + lead, end: at + lead + part.trim().length },
        });
      }
      at += part.length + 1;
    }
  }
  return out;
}

const EVAL_PREFIX = '|eval _=';
const WHERE_PREFIX = '|where ';
const SEARCH_PREFIX = '|search ';

/** Adds `delta` to every span of an expression tree (for text parsed away from its offset). */
function shiftSpans<T>(node: T, delta: number): T {
  if (delta === 0) return node;
  const seen = new Set<object>();
  const walk = (x: unknown): void => {
    if (x === null || typeof x !== 'object' || seen.has(x)) return;
    seen.add(x);
    if (Array.isArray(x)) {
      for (const y of x) walk(y);
      return;
    }
    const o = x as Record<string, unknown>;
    if (typeof o.start === 'number' && typeof o.end === 'number' && Object.keys(o).length === 2) {
      o.start = (o.start as number) + delta;
      o.end = (o.end as number) + delta;
      return;
    }
    for (const k in o) walk(o[k]);
  };
  walk(node);
  return node;
}

/**
 * Parses `text`, which sits at offset `at` of the parsed search, with the parser of a command
 * whose syntax is `prefix` + text; spans come back as offsets into the search.
 */
function parseWith(
  prefix: string,
  text: string,
  at: number,
): { pipeline: ReturnType<typeof parsePipeline>['pipeline']; diagnostics: SplDiagnostic[]; delta: number } {
  // Padding with spaces keeps offsets exact without walking the tree; short offsets shift instead.
  if (at >= prefix.length) {
    const r = parsePipeline(' '.repeat(at - prefix.length) + prefix + text);
    return { ...r, delta: 0 };
  }
  const r = parsePipeline(prefix + text);
  const delta = at - prefix.length;
  return {
    pipeline: shiftSpans(r.pipeline, delta),
    diagnostics: r.diagnostics.map((d) => ({
      ...d,
      start: Math.max(0, d.start + delta),
      end: Math.max(0, d.end + delta),
    })),
    delta,
  };
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string; span: Span };

/** An eval expression written at offset `at` (e.g. the inside of `count(eval(…))`). */
export function parseEvalAt(text: string, at: number): Parsed<EvalExpr> {
  const r = parseWith(EVAL_PREFIX, text, at);
  const err = r.diagnostics.find((d) => d.severity === 'error');
  if (err) return { ok: false, message: err.message, span: { start: err.start, end: err.end } };
  const cmd = r.pipeline.commands[0];
  const a = cmd?.kind === 'command' ? cmd.assignments : undefined;
  if (a?.length !== 1)
    return { ok: false, message: 'expected one expression', span: { start: at, end: at + text.length } };
  return { ok: true, value: a[0]!.expr };
}

/** A `where`-style boolean eval expression written at offset `at`. */
export function parseWhereAt(text: string, at: number): Parsed<EvalExpr> {
  const r = parseWith(WHERE_PREFIX, text, at);
  const err = r.diagnostics.find((d) => d.severity === 'error');
  if (err) return { ok: false, message: err.message, span: { start: err.start, end: err.end } };
  const cmd = r.pipeline.commands[0];
  const e = cmd?.kind === 'command' ? cmd.expr : undefined;
  if (!e) return { ok: false, message: 'expected an expression', span: { start: at, end: at + text.length } };
  return { ok: true, value: e };
}

/** A search-language expression written at offset `at` (undefined value = matches everything). */
export function parseSearchAt(text: string, at: number): Parsed<SearchExpr | undefined> {
  const r = parseWith(SEARCH_PREFIX, text, at);
  const err = r.diagnostics.find((d) => d.severity === 'error');
  if (err) return { ok: false, message: err.message, span: { start: err.start, end: err.end } };
  const cmd = r.pipeline.commands[0];
  return { ok: true, value: cmd?.kind === 'search' ? cmd.expr : undefined };
}

/** A pipeline of commands (the body of foreach/appendpipe) written at offset `at`. */
export function parseCommandsAt(text: string, at: number): Parsed<ReturnType<typeof parsePipeline>['pipeline']> {
  const r = parseWith('|', text, at);
  const err = r.diagnostics.find((d) => d.severity === 'error');
  if (err) return { ok: false, message: err.message, span: { start: err.start, end: err.end } };
  return { ok: true, value: r.pipeline };
}

/** The text of a command between two offsets of the parsed search (using the command's own text). */
export function sliceText(cmd: GenericCommand, span: Span): string {
  const base = cmd.textSpan?.start ?? 0;
  return cmd.text.slice(span.start - base, span.end - base);
}
