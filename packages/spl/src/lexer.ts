/**
 * Tokens of the search language (the `search` command, the implied base search and tstats), and
 * the structural scanner that finds pipes and subsearch brackets. Everything here is linear in
 * the input; nothing backtracks.
 */
import { Ch, isSpace, isTripleBacktick, skipQuoted, unescapeSpl } from './text.js';

export type TokenKind = 'word' | 'quoted' | 'lparen' | 'rparen' | 'comma' | 'op' | 'subsearch' | 'macro' | 'eof';

export interface Token {
  kind: TokenKind;
  start: number;
  end: number;
  /** Raw text as written. */
  raw: string;
  /** `word`/`quoted`: the value after Splunk's escapes (and without quotes). `op`: the operator. */
  value: string;
  /** `subsearch`: offsets of the text between the brackets. */
  innerStart?: number;
  innerEnd?: number;
  /** `quoted`/`macro`/`subsearch`: false when the closing delimiter is missing. */
  closed?: boolean;
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

/**
 * Lexes [start, end) as search-language tokens. Subsearches become single `subsearch` tokens
 * (their content is parsed separately); ``` comments are skipped like whitespace.
 */
export function lexSearch(text: string, start: number, end: number): Token[] {
  const tokens: Token[] = [];
  let i = start;
  const push = (kind: TokenKind, s: number, e: number, value: string, extra?: Partial<Token>) => {
    tokens.push({ kind, start: s, end: e, raw: text.slice(s, e), value, ...extra });
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
          push('subsearch', i, end, '', { innerStart: i + 1, innerEnd: end, closed: false });
          i = end;
        } else {
          push('subsearch', i, close + 1, '', { innerStart: i + 1, innerEnd: close, closed: true });
          i = close + 1;
        }
        continue;
      }
      case Ch.RBracket:
        // Only reachable in malformed text; the parser reports it.
        push('op', i, i + 1, ']');
        i++;
        continue;
      case Ch.Backtick: {
        if (isTripleBacktick(text, i)) {
          const close = text.indexOf('```', i + 3);
          i = close < 0 || close + 3 > end ? end : close + 3;
          continue;
        }
        const close = text.indexOf('`', i + 1);
        if (close < 0 || close >= end) {
          push('macro', i, end, text.slice(i, end), { closed: false });
          i = end;
        } else {
          push('macro', i, close + 1, text.slice(i, close + 1), { closed: true });
          i = close + 1;
        }
        continue;
      }
      case 33 /* ! */:
        if (text.charCodeAt(i + 1) === Ch.Equals) {
          push('op', i, i + 2, '!=');
          i += 2;
          continue;
        }
        break;
      case Ch.Equals:
        if (text.charCodeAt(i + 1) === Ch.Equals) {
          push('op', i, i + 2, '==');
          i += 2;
        } else {
          push('op', i, i + 1, '=');
          i++;
        }
        continue;
      case 60 /* < */:
      case 62 /* > */:
        if (text.charCodeAt(i + 1) === Ch.Equals) {
          push('op', i, i + 2, c === 60 ? '<=' : '>=');
          i += 2;
        } else {
          push('op', i, i + 1, c === 60 ? '<' : '>');
          i++;
        }
        continue;
      default:
        break;
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
    i = j;
  }
  tokens.push({ kind: 'eof', start: end, end, raw: '', value: '' });
  return tokens;
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
