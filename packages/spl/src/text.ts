/**
 * Character-level helpers shared by the macro expander and the parser. All scanners are linear
 * and never backtrack.
 */

export enum Ch {
  Quote = 34, // "
  Backslash = 92,
  Backtick = 96,
  LBracket = 91,
  RBracket = 93,
  LParen = 40,
  RParen = 41,
  Pipe = 124,
  Comma = 44,
  Equals = 61,
}

export function isSpace(c: number): boolean {
  return (
    c === 32 ||
    c === 9 ||
    c === 10 ||
    c === 13 ||
    c === 12 ||
    c === 11 ||
    c === 0xa0 ||
    c === 0xfeff ||
    c === 0x2028 ||
    c === 0x2029
  );
}

/**
 * Given `i` at an opening `"`, returns the offset just after the closing quote, or -1 when the
 * string is unterminated before `limit`. A backslash escapes the next character
 * (splunk-semantics.md §1.6: `\"` is a literal quote inside a quoted string).
 */
export function skipQuoted(text: string, i: number, limit: number = text.length): number {
  let j = i + 1;
  while (j < limit) {
    const c = text.charCodeAt(j);
    if (c === Ch.Backslash) {
      j += 2;
      continue;
    }
    if (c === Ch.Quote) return j + 1;
    j++;
  }
  return -1;
}

/** True when text at i starts a ``` comment. */
export function isTripleBacktick(text: string, i: number): boolean {
  return (
    text.charCodeAt(i) === Ch.Backtick &&
    text.charCodeAt(i + 1) === Ch.Backtick &&
    text.charCodeAt(i + 2) === Ch.Backtick
  );
}

/**
 * Splunk's string escapes (splunk-semantics.md §1.6): `\"` → `"`, `\\` → `\`, `\|` → `|`;
 * every other backslash sequence is left alone (`\s` stays `\s`, and `\*` stays `\*` because `*`
 * cannot be escaped, §1.2).
 */
export function unescapeSpl(raw: string): string {
  if (raw.indexOf('\\') < 0) return raw;
  let out = '';
  let last = 0;
  for (let i = 0; i < raw.length; i++) {
    if (raw.charCodeAt(i) !== Ch.Backslash) continue;
    const n = raw.charCodeAt(i + 1);
    if (n === Ch.Quote || n === Ch.Backslash || n === Ch.Pipe) {
      out += raw.slice(last, i) + raw[i + 1];
      last = i + 2;
      i++;
    }
  }
  return out + raw.slice(last);
}
