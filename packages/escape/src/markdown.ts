import { visibleEscape } from './terminal.js';

/**
 * Markdown for the GitHub step summary (`$GITHUB_STEP_SUMMARY`, GitHub Flavored Markdown, which
 * also renders inline HTML). User text must not end a table cell (`|`), end a table row (a line
 * break), open HTML (`<img src=…>`, `<details>`), or turn into links, images, emphasis or code.
 * GFM spec: "Any ASCII punctuation character may be backslash-escaped" (§2.4), and a `|` inside a
 * cell must be escaped as `\|` (§4.10, tables extension); `&`, `<`, `>` become entity references
 * (§6.2), which is also safe inside HTML blocks. Control characters are shown as visible escapes.
 */

const CONTROLS =
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
/** Markdown's inline syntax characters (the backslash first, so it is not escaped twice). */
const MARKDOWN_PUNCTUATION = /[\\`*_{}[\]()#+\-.!|~]/g;
const HTML_SPECIAL = /[&<>"]/g;
const HTML_ENTITY: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };

/** User text as inline Markdown on one line: no syntax, no HTML, line breaks as spaces. */
export function escapeMarkdownText(text: string): string {
  return text
    .replace(CONTROLS, visibleEscape)
    .replace(/\r\n|[\r\n\u2028\u2029]/g, ' ')
    .replace(MARKDOWN_PUNCTUATION, '\\$&')
    .replace(HTML_SPECIAL, (c) => HTML_ENTITY[c]!);
}

/** User text in a GFM table cell (the same as inline text: `|` is among the escaped characters). */
export function escapeMarkdownCell(text: string): string {
  return escapeMarkdownText(text);
}

/**
 * User text as an inline code span: backticks cannot be escaped inside one, so the fence is one
 * backtick longer than the longest run of backticks in the text (CommonMark §6.1), padded with
 * spaces when the text starts or ends with a backtick. `|` is escaped, which GFM tables require
 * even inside code; line breaks become spaces; HTML is not interpreted in code spans.
 */
export function markdownCode(text: string): string {
  const s = text
    .replace(CONTROLS, visibleEscape)
    .replace(/\r\n|[\r\n\u2028\u2029]/g, ' ')
    .replace(/\|/g, '\\|');
  let longest = 0;
  for (const m of s.matchAll(/`+/g)) longest = Math.max(longest, m[0].length);
  const fence = '`'.repeat(longest + 1);
  const pad = s.startsWith('`') || s.endsWith('`') || s === '' ? ' ' : '';
  return `${fence}${pad}${s}${pad}${fence}`;
}
