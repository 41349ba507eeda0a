/**
 * Terminal escaping: user text (a test name, a YAML value quoted in a message, a file name) shown
 * on a terminal or in a CI log must not be able to move the cursor, change colours, set the window
 * title, print a hyperlink (OSC 8), clear the screen or start a new line. So every control
 * character is shown as a visible escape, as `\x1b` (C-style, unambiguous in logs):
 * - C0 controls U+0000–U+001F except tab (which only moves the cursor right): `\0`, `\n`, `\r`,
 *   `\x1b`, others `\xNN`. A line feed is what lets user text start a GitHub workflow command
 *   (`::error …`) on a line of its own, so it is never printed raw.
 * - DEL U+007F and the C1 controls U+0080–U+009F (U+009B is a one-byte CSI on terminals that
 *   honour 8-bit controls, U+009D a one-byte OSC): `\x7f`, `\u009b`.
 * - Unicode line and paragraph separators U+2028/U+2029 and the bidirectional overrides and
 *   isolates U+202A–U+202E, U+2066–U+2069 ("Trojan Source", CVE-2021-42574): `\u202e`.
 * - Unpaired UTF-16 surrogates (not printable as UTF-8): `\ud800`.
 * Everything else, including backslashes and non-ASCII letters, is printed unchanged.
 */

const UNSAFE_TERMINAL =
  /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

const NAMED: Record<string, string> = { '\0': '\\0', '\n': '\\n', '\r': '\\r', '\x1b': '\\x1b' };

/** The visible escape of one unsafe character (`\n`, `\x1b`, `\u009b`, `\u202e`). */
export function visibleEscape(ch: string): string {
  const named = NAMED[ch];
  if (named) return named;
  const c = ch.charCodeAt(0);
  return c < 0x80 ? `\\x${c.toString(16).padStart(2, '0')}` : `\\u${c.toString(16).padStart(4, '0')}`;
}

/** User text made safe to print on a terminal or into a CI log: one line, no escape sequences. */
export function escapeTerminal(text: string): string {
  UNSAFE_TERMINAL.lastIndex = 0;
  return UNSAFE_TERMINAL.test(text) ? text.replace(UNSAFE_TERMINAL, visibleEscape) : text;
}

/** True when `escapeTerminal` would change the text. */
export function hasTerminalControls(text: string): boolean {
  UNSAFE_TERMINAL.lastIndex = 0;
  return UNSAFE_TERMINAL.test(text);
}
