/**
 * The SPL lexer, shared by both expression grammars, and the structural scanner that finds pipes
 * and subsearch brackets. Everything here is linear in the input; nothing backtracks.
 *
 * One scanner, two token grammars:
 * - `search` (the `search` command, the implied base search, tstats): words run up to a breaker,
 *   so `Processes.process_name`, `*\\ngrok.exe` and `x=*(x86)*` pieces are words; it never fails
 *   (an unclosed quote, bracket or macro is a token marked `closed: false` for the parser to report);
 * - `eval` (eval and where): numbers, identifiers, `'quoted field'` names and arithmetic operators;
 *   it stops at the first character the grammar has no token for and returns that as `error`.
 * Both share whitespace, ``` comments, double-quoted strings with Splunk's escapes, `[subsearch]`
 * brackets, `` `macro` `` calls, parentheses and commas.
 */
import { Ch, isSpace, isTripleBacktick, skipQuoted, unescapeSpl } from './text.js';

export type Grammar = 'search' | 'eval';

export type TokenKind =
  | 'lparen'
  | 'rparen'
  | 'comma'
  /** `"…"`: `value` without quotes, Splunk's escapes applied. */
  | 'quoted'
  /** `[…]`: `innerStart`/`innerEnd` delimit the text between the brackets. */
  | 'subsearch'
  /** `` `…` ``: an unexpanded macro call; `value` is the raw text with backticks. */
  | 'macro'
  /** An operator: `value` is it (`=`, `!=`, …; in eval also `+ - * / % . !`; in search a stray `]`). */
  | 'op'
  /** search: a word up to a breaker; `value` after Splunk's escapes. */
  | 'word'
  /** eval: a number literal. */
  | 'number'
  /** eval: an identifier (field or function name, keyword). */
  | 'ident'
  /** eval: a `'single-quoted'` field name; `value` without quotes, `\'` and `\\` unescaped. */
  | 'quotedField'
  | 'eof';

export interface Token {
  kind: TokenKind;
  start: number;
  end: number;
  /** Raw text as written. */
  raw: string;
  value: string;
  /** `subsearch`: offsets of the text between the brackets. */
  innerStart?: number;
  innerEnd?: number;
  /** `quoted`/`macro`/`subsearch`: false when the closing delimiter is missing (search grammar only). */
  closed?: boolean;
}

/** The eval grammar's first lexical error; tokens after it are not produced. */
export interface LexError {
  start: number;
  end: number;
  message: string;
}

/**
 * Offset of the `]` matching the `[` at `open`, or -1. Skips quoted strings, macro calls and
 * ``` comments; nesting is tracked with a counter (no recursion).
 */
export function findCloseBracket(text: string, open: number, end: number): number {
  let depth = 0;
  let i = open;
  while (i < end) {
    const c = text.charCodeAt(i);
    if (c === Ch.Quote) {
      const e = skipQuoted(text, i, end);
      if (e < 0) return -1;
      i = e;
      continue;
    }
    if (c === Ch.Backtick) {
      i = skipBacktick(text, i, end);
      continue;
    }
    if (c === Ch.LBracket) depth++;
    else if (c === Ch.RBracket) {
      depth--;
      if (depth === 0) return i;
    }
    i++;
  }
  return -1;
}

/** Skips a ``` comment or a `macro` atom starting at i; an unclosed one is skipped as one character. */
export function skipBacktick(text: string, i: number, end: number): number {
  if (isTripleBacktick(text, i)) {
    const close = text.indexOf('```', i + 3);
    return close < 0 || close + 3 > end ? i + 3 : close + 3;
  }
  const close = text.indexOf('`', i + 1);
  return close < 0 || close >= end ? i + 1 : close + 1;
}

const WORD_BREAK = new Uint8Array(128);
for (const ch of ' \t\n\r\f\v()"[],=<>`|') WORD_BREAK[ch.charCodeAt(0)] = 1;

const UNTERMINATED_FIELD = -2;
const EVAL_NUMBER = /^(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/;
const EVAL_OPERATORS = '=<>+-*/%.!';

/**
 * Lexes [start, end) in one grammar. Subsearches become single `subsearch` tokens (their content
 * is parsed separately); ``` comments are skipped like whitespace. The token list ends with `eof`.
 */
export function lex(
  text: string,
  start: number,
  end: number,
  grammar: Grammar,
  options: LexOptions = {},
): { tokens: Token[]; error?: LexError } {
  const tokens: Token[] = [];
  const templates = options.foreachTemplates === true;
  const evalGrammar = grammar === 'eval';
  let i = start;
  const push = (kind: TokenKind, s: number, e: number, value: string, extra?: Partial<Token>) => {
    tokens.push({ kind, start: s, end: e, raw: text.slice(s, e), value, ...extra });
  };
  const fail = (s: number, e: number, message: string) => {
    tokens.push({ kind: 'eof', start: end, end, raw: '', value: '' });
    return { tokens, error: { start: s, end: e, message } };
  };
  while (i < end) {
    const c = text.charCodeAt(i);
    if (isSpace(c)) {
      i++;
      continue;
    }
    switch (c) {
      case Ch.LParen:
        push('lparen', i, i + 1, '(');
        i++;
        continue;
      case Ch.RParen:
        push('rparen', i, i + 1, ')');
        i++;
        continue;
      case Ch.Comma:
        push('comma', i, i + 1, ',');
        i++;
        continue;
      case Ch.Quote: {
        const e = skipQuoted(text, i, end);
        if (e < 0) {
          if (evalGrammar) return fail(i, end, 'unterminated quoted string');
          push('quoted', i, end, unescapeSpl(text.slice(i + 1, end)), { closed: false });
          i = end;
        } else {
          push('quoted', i, e, unescapeSpl(text.slice(i + 1, e - 1)), { closed: true });
          i = e;
        }
        continue;
      }
      case Ch.LBracket: {
        const close = findCloseBracket(text, i, end);
        if (close < 0) {
          if (evalGrammar) return fail(i, i + 1, 'unclosed "[": subsearch has no closing "]"');
          push('subsearch', i, end, '', { innerStart: i + 1, innerEnd: end, closed: false });
          i = end;
        } else {
          push('subsearch', i, close + 1, '', { innerStart: i + 1, innerEnd: close, closed: true });
          i = close + 1;
        }
        continue;
      }
      case Ch.Backtick: {
        if (isTripleBacktick(text, i)) {
          // An unclosed ``` ends the search text; in an eval expression it is skipped by itself.
          const close = text.indexOf('```', i + 3);
          i = close >= 0 && close + 3 <= end ? close + 3 : evalGrammar ? i + 3 : end;
          continue;
        }
        const close = text.indexOf('`', i + 1);
        if (close >= 0 && close < end) {
          push('macro', i, close + 1, text.slice(i, close + 1), { closed: true });
          i = close + 1;
        } else if (evalGrammar) {
          // An unclosed backtick stands for itself (the expander has reported it).
          push('macro', i, i + 1, '`', { closed: false });
          i++;
        } else {
          push('macro', i, end, text.slice(i, end), { closed: false });
          i = end;
        }
        continue;
      }
      default:
        break;
    }
    const j = evalGrammar ? evalToken(text, i, end, push, templates) : searchToken(text, i, end, push);
    if (j === UNTERMINATED_FIELD) return fail(i, end, 'unterminated single-quoted field name');
    if (j < 0) return fail(i, i + 1, `unexpected character "${text[i]}" in expression`);
    i = j;
  }
  tokens.push({ kind: 'eof', start: end, end, raw: '', value: '' });
  return { tokens };
}

export interface LexOptions {
  /**
   * Inside the bracket of `foreach`: `<<FIELD>>`, `<<MATCHSTR>>`, `<<MATCHSEG1>>`…, `<<ITEM>>` and
   * `<<ITER>>` are replaced by Splunk before the subcommand runs (Search Reference, foreach), so
   * in the eval grammar they are parts of identifiers (`<<FIELD>>`, `x_<<MATCHSTR>>`).
   */
  foreachTemplates?: boolean;
}

const FOREACH_TOKEN = /<<(?:FIELD|MATCHSTR|MATCHSEG[1-9]|ITEM|ITER)>>/y;

/** Length of the foreach template token at i, or 0. */
function foreachTokenAt(text: string, i: number, end: number): number {
  if (text.charCodeAt(i) !== 60 /* < */ || text.charCodeAt(i + 1) !== 60) return 0;
  FOREACH_TOKEN.lastIndex = i;
  const m = FOREACH_TOKEN.exec(text);
  return m && i + m[0].length <= end ? m[0].length : 0;
}

type Push = (kind: TokenKind, s: number, e: number, value: string, extra?: Partial<Token>) => void;

/** A search-grammar operator or word at i; returns the offset after it. */
function searchToken(text: string, i: number, end: number, push: Push): number {
  const c = text.charCodeAt(i);
  const next = text.charCodeAt(i + 1);
  if (c === Ch.RBracket) {
    // Only reachable in malformed text; the parser reports it.
    push('op', i, i + 1, ']');
    return i + 1;
  }
  if (c === 33 /* ! */ && next === Ch.Equals) {
    push('op', i, i + 2, '!=');
    return i + 2;
  }
  if (c === Ch.Equals) {
    const two = next === Ch.Equals;
    push('op', i, i + (two ? 2 : 1), two ? '==' : '=');
    return i + (two ? 2 : 1);
  }
  if (c === 60 /* < */ || c === 62 /* > */) {
    const two = next === Ch.Equals;
    const op = (c === 60 ? '<' : '>') + (two ? '=' : '');
    push('op', i, i + op.length, op);
    return i + op.length;
  }
  // A word: up to a breaker; a backslash takes the next character with it (`\"`, `\\`).
  let j = i;
  while (j < end) {
    const d = text.charCodeAt(j);
    if (d === Ch.Backslash) {
      j = Math.min(j + 2, end);
      continue;
    }
    if (d < 128 && WORD_BREAK[d]) break;
    if (d === 33 && text.charCodeAt(j + 1) === Ch.Equals) break;
    if (d >= 128 && isSpace(d)) break;
    j++;
  }
  if (j === i) j = i + 1; // a lone `!` and similar: one-character word
  push('word', i, j, unescapeSpl(text.slice(i, j)));
  return j;
}

/** An eval-grammar token at i; returns the offset after it, or -1 for a character it has no token for. */
function evalToken(text: string, i: number, end: number, push: Push, templates: boolean): number {
  if (text.charCodeAt(i) === 39 /* ' */) {
    let j = i + 1;
    while (j < end && text.charCodeAt(j) !== 39) j += text.charCodeAt(j) === Ch.Backslash ? 2 : 1;
    if (j >= end) return UNTERMINATED_FIELD;
    push('quotedField', i, j + 1, text.slice(i + 1, j).replace(/\\(['\\])/g, '$1'));
    return j + 1;
  }
  const num = EVAL_NUMBER.exec(text.slice(i, Math.min(end, i + 64)));
  const afterNum = num ? i + num[0].length : i;
  if (num && !/[A-Za-z_]/.test(text[afterNum] ?? '') && !(templates && foreachTokenAt(text, afterNum, end) > 0)) {
    push('number', i, i + num[0].length, num[0]);
    return i + num[0].length;
  }
  if (/[A-Za-z_@$0-9{]/.test(text[i]!) || (templates && foreachTokenAt(text, i, end) > 0)) {
    // Identifier; a `.` joins only when followed by an identifier character (`a.b` is a field,
    // `a." "` and `a . b` concatenate). `{}` belongs to names (spath's `a{}.b`).
    let j = i;
    while (j < end) {
      const ch = text[j]!;
      const tl = templates ? foreachTokenAt(text, j, end) : 0;
      if (tl > 0) j += tl;
      else if (/[A-Za-z0-9_@$:{}]/.test(ch)) j++;
      else if (
        ch === '.' &&
        j + 1 < end &&
        j > i &&
        (/[A-Za-z0-9_@${]/.test(text[j + 1]!) || (templates && foreachTokenAt(text, j + 1, end) > 0))
      )
        j++;
      else break;
    }
    push('ident', i, j, text.slice(i, j));
    return j;
  }
  const two = text.slice(i, i + 2);
  if (two === '==' || two === '!=' || two === '<=' || two === '>=') {
    push('op', i, i + 2, two);
    return i + 2;
  }
  if (EVAL_OPERATORS.includes(text[i]!)) {
    push('op', i, i + 1, text[i]!);
    return i + 1;
  }
  return -1;
}

/** Token cursor: `peek` looks ahead, `next` consumes; both stay on `eof` at the end. */
export class TokenStream {
  i = 0;
  constructor(readonly tokens: Token[]) {}
  peek(k = 0): Token {
    return this.tokens[Math.min(this.i + k, this.tokens.length - 1)]!;
  }
  next(): Token {
    const t = this.tokens[this.i]!;
    if (this.i < this.tokens.length - 1) this.i++;
    return t;
  }
}

/** Splits [start, end) at top-level `|` (outside quotes, brackets, macro atoms and comments). */
export function splitPipes(text: string, start: number, end: number): { start: number; end: number }[] {
  const parts: { start: number; end: number }[] = [];
  let segStart = start;
  let i = start;
  while (i < end) {
    const c = text.charCodeAt(i);
    if (c === Ch.Quote) {
      const e = skipQuoted(text, i, end);
      i = e < 0 ? end : e;
      continue;
    }
    if (c === Ch.Backtick) {
      i = skipBacktick(text, i, end);
      continue;
    }
    if (c === Ch.LBracket) {
      const close = findCloseBracket(text, i, end);
      i = close < 0 ? end : close + 1;
      continue;
    }
    if (c === Ch.Pipe) {
      parts.push({ start: segStart, end: i });
      segStart = i + 1;
    }
    i++;
  }
  parts.push({ start: segStart, end });
  return parts;
}
