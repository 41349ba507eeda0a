/**
 * The reader of Splunk `.conf` text, the only one in dac: it reads the CIM add-on's macros.conf
 * (@dac/spl builtinMacros), proves that generated files mean what the templates intended
 * (round-trip tests) and checks every generated file after rendering (@dac/splunk-app).
 *
 * Syntax (splunk-semantics.md §6.1; Kintyre/ksconf's parser agrees):
 * - physical lines are separated by LF; a line whose very last character is `\` is joined with
 *   the next one, and the newline is kept in the value. Continuations are joined *before* lines
 *   are classified, so a continued line starting with `[` or `#` belongs to the value;
 * - a logical line that is empty or whitespace is blank; one whose first non-blank character is
 *   `#` is a comment (there are no inline comments);
 * - `[name]` (greedy, the line must end with `]`) starts a stanza; settings before the first
 *   stanza are global;
 * - `key = value`: the key is trimmed; the value is everything after the first `=`, without the
 *   whitespace that follows `=`. Trailing whitespace is kept (TRIM_TRAILING_VALUE_WHITESPACE:
 *   whether splunkd trims it is unverified; the writer never produces any except after a final
 *   backslash, where keeping it shows exactly what was written).
 * - CRLF: a CR that ends a logical line is dropped, but a line ending in `\\` + CR is not a
 *   continuation (CRLF files defeat continuation, as the reference notes for ksconf).
 */

export interface ConfEntry {
  key: string;
  value: string;
  /** 1-based physical line where the setting starts. */
  line: number;
}

export interface ConfStanza {
  /** Stanza name; `null` for settings that appear before the first stanza header. */
  name: string | null;
  line: number;
  entries: ConfEntry[];
}

export interface ConfProblem {
  line: number;
  message: string;
}

export interface ConfFile {
  stanzas: ConfStanza[];
  comments: { line: number; text: string }[];
  /** Lines that are neither blank, comment, stanza header nor `key = value`. */
  problems: ConfProblem[];
}

/**
 * Whether a value loses its trailing blanks. splunk-semantics.md §6.1 marks trimming around `=` as
 * unverified; dac keeps them, so a value reads back as written (flip this to trim them).
 */
export const TRIM_TRAILING_VALUE_WHITESPACE = false;

const HEADER_RE = /^[ \t]*\[(.*)\][ \t]*$/s;
const LEADING_WS_RE = /^[ \t]+/;

export function parseConf(text: string): ConfFile {
  const physical = text.split('\n');
  // A final newline produces one empty trailing element that is not a line.
  if (physical.length > 0 && physical[physical.length - 1] === '') physical.pop();
  const out: ConfFile = { stanzas: [], comments: [], problems: [] };
  let current: ConfStanza | undefined;
  for (let i = 0; i < physical.length; i++) {
    const start = i + 1;
    let logical = physical[i]!;
    while (logical.endsWith('\\') && i + 1 < physical.length) {
      i++;
      logical = `${logical.slice(0, -1)}\n${physical[i]!}`;
    }
    if (logical.endsWith('\\')) {
      out.problems.push({ line: start, message: 'the file ends inside a line continuation' });
      logical = logical.slice(0, -1);
    }
    // A CR before the LF (a CRLF file) does not belong to the header or value, but it still
    // stopped the continuation check above.
    if (logical.endsWith('\r')) logical = logical.slice(0, -1);
    const trimmedStart = logical.replace(LEADING_WS_RE, '');
    if (trimmedStart === '') continue;
    if (trimmedStart.startsWith('#')) {
      out.comments.push({ line: start, text: logical });
      continue;
    }
    const header = HEADER_RE.exec(logical);
    if (header && !logical.includes('\n')) {
      current = { name: header[1]!, line: start, entries: [] };
      out.stanzas.push(current);
      continue;
    }
    const eq = logical.indexOf('=');
    if (eq < 0) {
      out.problems.push({
        line: start,
        message: `not a stanza header, comment or "key = value" line: ${JSON.stringify(logical.slice(0, 80))}`,
      });
      continue;
    }
    const key = logical.slice(0, eq).trim();
    if (key === '' || key.includes('\n')) {
      out.problems.push({
        line: start,
        message: `setting without a usable key: ${JSON.stringify(logical.slice(0, 80))}`,
      });
      continue;
    }
    if (!current) {
      current = { name: null, line: start, entries: [] };
      out.stanzas.push(current);
    }
    const value = logical.slice(eq + 1).replace(LEADING_WS_RE, '');
    current.entries.push({ key, value: TRIM_TRAILING_VALUE_WHITESPACE ? value.trimEnd() : value, line: start });
  }
  return out;
}

/**
 * The settings of a parsed file as stanza name → key → value, applying Splunk's "last definition
 * wins" rule. Global settings are under the empty name.
 */
export function confToMap(file: ConfFile): Map<string, Map<string, string>> {
  const map = new Map<string, Map<string, string>>();
  for (const s of file.stanzas) {
    const name = s.name ?? '';
    let m = map.get(name);
    if (!m) map.set(name, (m = new Map()));
    for (const e of s.entries) m.set(e.key, e.value);
  }
  return map;
}
