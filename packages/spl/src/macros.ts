/**
 * Search-macro tables and expansion (splunk-semantics.md §6.2, escu-corpus.md §5).
 *
 * Expansion is textual, as in Splunk: a `` `name` `` or `` `name(a, b)` `` call outside double
 * quotes is replaced by the definition of the stanza `name` / `name(2)`, with `$arg$` substituted
 * everywhere (also inside quotes), and the result is expanded again. Triple-backtick comments are
 * removed. A source map leads every offset of the expanded text back to the original string: text
 * copied from the original maps one to one, text produced by a macro maps to its call.
 */
import { type MacroFrame, type SplDiagnostic, type SplIssue, excerpt, splDiagnostic, splError } from './diagnostics.js';
import { closestName } from './suggest.js';
import { Ch, isSpace, isTripleBacktick, skipQuoted } from './text.js';

export interface MacroDefinition {
  name: string;
  args: string[];
  definition: string;
  /** Where the macro is defined (a file), for messages. */
  source?: string;
}

/** Macros keyed by `macroKey(name, args.length)`. */
export type MacroTable = Map<string, MacroDefinition>;

/** Splunk's stanza naming: `name` without arguments, `name(N)` with N arguments. */
export function macroKey(name: string, arity: number): string {
  return arity === 0 ? name : `${name}(${arity})`;
}

/** Builds a table; a later definition of the same key replaces an earlier one. */
export function macroTableFrom(defs: Iterable<MacroDefinition>): MacroTable {
  const table: MacroTable = new Map();
  for (const d of defs) table.set(macroKey(d.name, d.args.length), d);
  return table;
}

export interface Expansion {
  /** The expanded search. */
  text: string;
  /** Maps an offset of `text` to an offset of the original search. */
  toOriginal(offset: number): number;
  /** Keys (`macroKey`) of every macro expanded, at any depth, in first-use order. */
  usedMacros: string[];
  /** Offsets into the ORIGINAL search. */
  diagnostics: SplDiagnostic[];
}

export interface ExpandOptions {
  /**
   * The detection's filter macro (e.g. `windows_ngrok_reverse_proxy_usage_filter`): when the table
   * does not define it, it expands to `search *` as contentctl generates it (escu-corpus.md §5).
   */
  filterMacro?: string;
  /** Maximum nesting of macro calls (default 64). */
  maxDepth?: number;
  /** Maximum number of characters produced by expansion, all levels together (default 1,000,000). */
  maxLength?: number;
}

/**
 * Quoted macro arguments: `` `m("a, b")` `` passes `a, b` (quotes removed, `\"` → `"`). Splunk's
 * docs show quoting an argument to protect commas and escaping inner quotes
 * (`mymacro("He said \"hello!\"")`); CIM's own `` `drop_dm_object_name("Modular_Actions")` `` with
 * definition `rename "$object$.*" as *` only works when the quotes are removed [likely; not
 * verified against splunkd]. Set to false to pass quoted arguments verbatim.
 */
export const STRIP_QUOTES_FROM_MACRO_ARGUMENTS = true;

const INTERESTING = /["`]/g;

/** Splunk's built-in `comment(1)` macro (search app) expands to nothing. */
const BUILTIN_COMMENT_MACRO = 'comment';

interface Segment {
  /** Start in the expanded text. */
  out: number;
  /** Start in the original text. */
  orig: number;
  /** End in the original text (exclusive). */
  origEnd: number;
  /** Copied text maps one to one; produced text maps to the whole call. */
  identity: boolean;
}

interface Ctx {
  macros: MacroTable;
  filterMacro?: string;
  maxDepth: number;
  maxLength: number;
  produced: number;
  overflow: boolean;
  used: Set<string>;
  diagnostics: SplDiagnostic[];
}

interface MacroCall {
  name: string;
  /** Arguments after trimming and quote removal. */
  args: string[];
  /** `name=value` arguments, when every argument is written that way (else undefined). */
  named?: Map<string, string>;
  /** Error in the call's own syntax, if any. */
  error?: string;
}

/** Parses the text between the backticks of a macro call. */
export function parseMacroCall(inner: string): MacroCall {
  const open = inner.indexOf('(');
  const nameRaw = open < 0 ? inner : inner.slice(0, open);
  const name = nameRaw.trim();
  if (name === '') return { name, args: [], error: 'empty macro name' };
  for (let i = 0; i < name.length; i++) {
    if (isSpace(name.charCodeAt(i))) return { name, args: [], error: `invalid macro name "${excerpt(name)}"` };
  }
  if (open < 0) return { name, args: [] };
  const body = inner.slice(open + 1);
  const trimmedEnd = body.trimEnd();
  if (!trimmedEnd.endsWith(')'))
    return { name, args: [], error: `macro call "${excerpt(inner)}" lacks its closing ")"` };
  const argText = trimmedEnd.slice(0, -1);
  if (argText.trim() === '') return { name, args: [] };
  const args: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < argText.length; i++) {
    const c = argText.charCodeAt(i);
    if (c === Ch.Quote) {
      const e = skipQuoted(argText, i);
      if (e < 0) return { name, args: [], error: `unterminated quoted argument in macro call "${excerpt(inner)}"` };
      i = e - 1;
    } else if (c === Ch.LParen) depth++;
    else if (c === Ch.RParen) depth--;
    else if (c === Ch.Comma && depth === 0) {
      args.push(argText.slice(start, i));
      start = i + 1;
    }
  }
  args.push(argText.slice(start));
  const named = new Map<string, string>();
  for (const a of args) {
    const m = /^\s*([A-Za-z0-9_-]+)\s*=(?!=)([\s\S]*)$/.exec(a);
    if (!m || named.has(m[1])) break;
    named.set(m[1], normaliseArgument(m[2]));
  }
  return { name, args: args.map(normaliseArgument), named: named.size === args.length ? named : undefined };
}

function normaliseArgument(raw: string): string {
  const a = raw.trim();
  if (
    STRIP_QUOTES_FROM_MACRO_ARGUMENTS &&
    a.length >= 2 &&
    a.charCodeAt(0) === Ch.Quote &&
    skipQuoted(a, 0) === a.length
  ) {
    return a.slice(1, -1).replace(/\\"/g, '"');
  }
  return a;
}

/** The defined macro name closest to a misspelt one (for "did you mean"), if any is close. */
function closestMacro(macros: MacroTable, name: string): string | undefined {
  return closestName(name, new Set(Array.from(macros.values(), (m) => m.name)));
}

/**
 * `$name$` substitution in one linear pass; unknown `$tokens$` are left alone. Arguments bind by
 * position, or by name when every argument is written `name=value` with exactly the macro's
 * argument names (`` `get_subject(subjectField=src, bestmatch=1.2.3.4)` ``) [likely; Splunk
 * documents named macro arguments, the exact rule is not verified].
 */
function substituteArgs(def: MacroDefinition, call: MacroCall): string {
  if (def.args.length === 0) return def.definition;
  const byName = new Map<string, string>();
  const named = call.named;
  if (named && def.args.every((a) => named.has(a))) def.args.forEach((a) => byName.set(a, named.get(a) ?? ''));
  else def.args.forEach((a, i) => byName.set(a, call.args[i] ?? ''));
  return def.definition.replace(/\$([A-Za-z0-9_-]+)\$/g, (m, n: string) => byName.get(n) ?? m);
}

/**
 * Expands `text`; calls `emit` for each piece with whether it is copied verbatim (with its offset in
 * `text`) or produced by a macro call (with the call's span in `text`). Returns nothing: output goes
 * through `emit` so that only the top level needs a source map.
 */
function expandInto(
  ctx: Ctx,
  text: string,
  depth: number,
  stack: string[],
  emit: (piece: string, copied: boolean, start: number, end: number) => void,
  report: (start: number, end: number, issue: SplIssue, frames: MacroFrame[]) => void,
): void {
  let copyFrom = 0;
  const flushCopy = (upTo: number) => {
    if (upTo > copyFrom) emit(text.slice(copyFrom, upTo), true, copyFrom, upTo);
  };
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === Ch.Quote) {
      // Macros inside quoted strings are not expanded (Splunk docs, "Use search macros").
      const e = skipQuoted(text, i);
      i = e < 0 ? n : e;
      continue;
    }
    if (c !== Ch.Backtick) {
      // Jump to the next quote or backtick: nothing else matters to expansion.
      INTERESTING.lastIndex = i + 1;
      const m = INTERESTING.exec(text);
      i = m ? m.index : n;
      continue;
    }
    if (isTripleBacktick(text, i)) {
      const close = text.indexOf('```', i + 3);
      flushCopy(i);
      if (close < 0) {
        report(i, n, { code: 'unterminated-comment' }, []);
        emit(' ', false, i, n);
        copyFrom = i = n;
      } else {
        emit(' ', false, i, close + 3);
        copyFrom = i = close + 3;
      }
      continue;
    }
    // A macro call: find the closing backtick, skipping quoted arguments.
    let j = i + 1;
    let close = -1;
    while (j < n) {
      const d = text.charCodeAt(j);
      if (d === Ch.Backtick) {
        close = j;
        break;
      }
      if (d === Ch.Quote) {
        const e = skipQuoted(text, j);
        if (e < 0) break;
        j = e;
        continue;
      }
      j++;
    }
    if (close < 0) {
      report(i, n, { code: 'unterminated-macro' }, []);
      i = n;
      break;
    }
    const callEnd = close + 1;
    const inner = text.slice(i + 1, close);
    const call = parseMacroCall(inner);
    if (call.error) {
      report(i, callEnd, { code: 'macro-call', problem: call.error }, []);
      i = callEnd;
      continue;
    }
    const key = macroKey(call.name, call.args.length);
    let def = ctx.macros.get(key);
    if (!def && call.args.length === 0 && ctx.filterMacro !== undefined && call.name === ctx.filterMacro) {
      def = { name: call.name, args: [], definition: 'search *', source: 'contentctl default filter macro' };
    }
    if (!def && call.name === BUILTIN_COMMENT_MACRO && call.args.length === 1) {
      def = { name: call.name, args: ['text'], definition: '', source: 'Splunk search app' };
    }
    if (!def) {
      const other = [...ctx.macros.values()].find((m) => m.name === call.name);
      if (other) {
        report(
          i,
          callEnd,
          { code: 'macro-arguments', macro: call.name, parameters: other.args, given: call.args.length },
          [],
        );
      } else {
        const suggestion = closestMacro(ctx.macros, call.name);
        report(
          i,
          callEnd,
          { code: 'undefined-macro', macro: call.name, key, ...(suggestion ? { suggestion } : {}) },
          [],
        );
      }
      i = callEnd;
      continue;
    }
    if (stack.includes(key)) {
      report(i, callEnd, { code: 'macro-cycle', chain: [...stack, key] }, []);
      i = callEnd;
      continue;
    }
    if (depth >= ctx.maxDepth) {
      report(i, callEnd, { code: 'macro-nesting', key, limit: ctx.maxDepth }, []);
      i = callEnd;
      continue;
    }
    if (ctx.overflow) {
      i = callEnd;
      continue;
    }
    ctx.used.add(key);
    const body = substituteArgs(def, call);
    flushCopy(i);
    const parts: string[] = [];
    expandInto(
      ctx,
      body,
      depth + 1,
      [...stack, key],
      (piece) => {
        parts.push(piece);
      },
      (_s, _e, issue, frames) => report(i, callEnd, issue, [...frames, { key, source: def.source }]),
    );
    const produced = parts.join('');
    ctx.produced += produced.length;
    if (ctx.produced > ctx.maxLength) {
      if (!ctx.overflow) {
        report(i, callEnd, { code: 'macro-size', key, limit: ctx.maxLength }, []);
      }
      ctx.overflow = true;
      copyFrom = i;
      i = callEnd;
      continue;
    }
    emit(produced, false, i, callEnd);
    copyFrom = i = callEnd;
  }
  flushCopy(n);
}

/** An expansion that also maps an offset of produced text to the END of its macro call. */
export interface ExpansionWithSpans extends Expansion {
  toOriginalEnd(offset: number): number;
}

/**
 * Expands every macro call of `search`. Never throws; problems become diagnostics positioned at
 * the macro call in the original string (for a problem inside a nested expansion: at the
 * outermost call that led to it). Unexpandable calls are left in the text as they are.
 */
export function expandMacros(search: string, macros: MacroTable, options: ExpandOptions = {}): ExpansionWithSpans {
  search = typeof search === 'string' ? search : String(search ?? '');
  const ctx: Ctx = {
    macros: macros instanceof Map ? macros : new Map(),
    filterMacro: options.filterMacro,
    maxDepth: options.maxDepth ?? 64,
    maxLength: options.maxLength ?? 1_000_000,
    produced: 0,
    overflow: false,
    used: new Set(),
    diagnostics: [],
  };
  const segments: Segment[] = [];
  const pieces: string[] = [];
  let outLen = 0;
  try {
    expandInto(
      ctx,
      search,
      0,
      [],
      (piece, copied, start, end) => {
        segments.push({ out: outLen, orig: start, origEnd: end, identity: copied });
        pieces.push(piece);
        outLen += piece.length;
      },
      (start, end, issue, frames) => ctx.diagnostics.push(splDiagnostic(issue, start, end, 'error', frames)),
    );
  } catch (e) {
    // Defensive: expansion is written not to throw; a bug must still not crash a validation run.
    ctx.diagnostics.push(
      splError('spl-unsupported', 0, search.length, `internal error during macro expansion: ${(e as Error).message}`),
    );
    const clamp = (o: number) => Math.max(0, Math.min(o, search.length));
    return {
      text: search,
      toOriginal: clamp,
      toOriginalEnd: clamp,
      usedMacros: [...ctx.used],
      diagnostics: ctx.diagnostics,
    };
  }
  const originalLength = search.length;
  return {
    text: pieces.join(''),
    toOriginal(offset: number): number {
      const k = findSegment(segments, offset);
      if (k < 0) return Math.max(0, Math.min(offset, originalLength));
      const s = segments[k];
      // Copied text maps one to one; produced text maps to the start of its macro call.
      return s.identity ? Math.min(s.orig + (offset - s.out), s.origEnd) : s.orig;
    },
    toOriginalEnd(offset: number): number {
      const k = findSegment(segments, offset);
      if (k < 0) return Math.max(0, Math.min(offset + 1, originalLength));
      const s = segments[k];
      return s.identity ? Math.min(s.orig + (offset - s.out) + 1, s.origEnd) : s.origEnd;
    },
    usedMacros: [...ctx.used],
    diagnostics: ctx.diagnostics,
  };
}

function findSegment(segments: Segment[], offset: number): number {
  let lo = 0;
  let hi = segments.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (segments[mid].out <= offset) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}
