/**
 * Escaping of values for Splunk `.conf` files.
 *
 * Facts (splunk-semantics.md §6.1, escu-app-format.md §4.3):
 * - a physical line ending in `\` continues on the next line, and the newline is kept in the value;
 * - contentctl's `escapeNewlines` strips the value (Python `str.strip()`) and writes every `\n`
 *   as ` \` + newline (space, backslash, newline). Nothing else is escaped: `"`, `<`, `>`, `&`,
 *   `'`, `$`, `%` reach the file unchanged;
 * - an unescaped CR/LF lets following text start a new `key = …` line or `[stanza]`; a value that
 *   ends in `\` swallows the next line.
 *
 * The rules here are a superset of contentctl's, identical on every value ESCU ships:
 * 1. lone UTF-16 surrogates become U+FFFD (they cannot be written as UTF-8 and read back);
 * 2. CRLF and lone CR become LF (a CR is never written);
 * 3. leading/trailing whitespace is stripped with Python's `str.strip()` set (contentctl parity);
 * 4. a value that would end in `\` gets one trailing space, so its last line never ends in a
 *    backslash (splunk-semantics.md §6.1: whitespace after the backslash breaks the continuation;
 *    whether splunkd then trims that space is unverified — harmless for SPL and prose);
 * 5. every LF is written as ` \` + LF.
 * Because of the space in rule 5, no physical line of a multi-line value can end in a backslash
 * that belongs to the value, and the reader (./conf-reader.ts) joins continuations before it
 * classifies lines, so a continued line starting with `[` or `key =` stays inside the value.
 */

/**
 * Control characters a .conf file cannot carry: C0 controls other than tab, LF and CR (LF is
 * written as a continuation, CR as LF), and DEL. The format has no escape for them (a backslash
 * only continues a line, splunk-semantics.md §6.1) and splunkd's handling of NUL, VT or FF is not
 * documented, so dac does not write them in any form: validation reports each one at its
 * position (rule conf-control-character) and the escaping functions below refuse them
 * (ConfValueError), so no path can put one into a file. Refusing rather than dropping or
 * replacing: a changed character silently changes what a search matches.
 */
const CONF_CONTROL_RE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
/**
 * The same test for the usual answer (none): a whole-string match of the negated class, which V8
 * runs as one loop over the string, about twice as fast as looking for the class at each
 * position (measured on the ESCU corpus' text). CONF_CONTROL_RE then finds the offset.
 */
const FREE_OF_CONF_CONTROLS = /^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]*$/;

const CONTROL_NAMES: Record<number, string> = { 0: 'NUL', 11: 'VT', 12: 'FF', 27: 'ESC', 127: 'DEL' };

/** Offset of the first control character a .conf file cannot carry, or -1. */
export function confControlCharacterAt(value: string): number {
  if (FREE_OF_CONF_CONTROLS.test(value)) return -1;
  const m = CONF_CONTROL_RE.exec(value);
  return m ? m.index : -1;
}

/** `U+000B (VT)`: how messages name a control character. */
export function controlCharacterName(ch: string): string {
  const c = ch.charCodeAt(0);
  const name = CONTROL_NAMES[c];
  return `U+${c.toString(16).toUpperCase().padStart(4, '0')}${name ? ` (${name})` : ''}`;
}

/** Why a value cannot be written into a .conf file because of a control character, or undefined. */
export function confControlProblem(value: string): string | undefined {
  const at = confControlCharacterAt(value);
  if (at < 0) return undefined;
  return `contains the control character ${controlCharacterName(value[at]!)} at offset ${at}; .conf files have no escape for it, so it cannot be written (remove it)`;
}

/** Characters Python's `str.isspace()` accepts, i.e. what contentctl's `value.strip()` removes. */
const LONE_SURROGATE_RE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const CR_RE = /\r\n?/g;
const HAS_LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/**
 * Text without any character rules 1–2 or the control-character refusal act on (surrogates, CR,
 * the refused controls; the class contains CONF_CONTROL_RE's), matched as FREE_OF_CONF_CONTROLS
 * is. Such text (nearly every value) takes one scan instead of four: nothing to replace and
 * nothing to refuse, and stripping (rule 3) only removes characters, so none can appear.
 */
const UNTOUCHED_BY_RULES_1_2_AND_REFUSAL = /^[^\u0000-\u0008\u000b-\u001f\u007f\uD800-\uDFFF]*$/;

const PY_WS_SET = new Set<number>([
  0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x85, 0xa0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003,
  0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000,
]);

/** Python `str.strip()` with no argument (a scan from both ends; a regex anchored at `$` is slow on long SPL). */
export function pyStrip(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && PY_WS_SET.has(s.charCodeAt(start))) start++;
  while (end > start && PY_WS_SET.has(s.charCodeAt(end - 1))) end--;
  return start === 0 && end === s.length ? s : s.slice(start, end);
}

/** Converts any field value to text the way Jinja would print it (`None` for null). */
function toText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  return String(value);
}

/**
 * The logical value after rules 1–4: what the value means, with `\n` for its line breaks.
 * Idempotent: `normalizeConfValue(normalizeConfValue(x)) === normalizeConfValue(x)`.
 */
export function normalizeConfValue(value: unknown): string {
  const text = toText(value);
  return UNTOUCHED_BY_RULES_1_2_AND_REFUSAL.test(text) ? stripConfText(text) : normalizeSpecialText(text);
}

/** Rules 1–4 on text that may hold surrogates or CRs. */
function normalizeSpecialText(text: string): string {
  return stripConfText(text.replace(LONE_SURROGATE_RE, '\uFFFD').replace(CR_RE, '\n'));
}

/** Rules 3–4: Python's strip, and a space after a final backslash. */
function stripConfText(text: string): string {
  const s = pyStrip(text);
  return s.endsWith('\\') ? `${s} ` : s;
}

/** The text written after `key = ` (rules 1–5); throws ConfValueError for a control character. */
export function escapeConfValue(value: unknown): string {
  const text = toText(value);
  let s: string;
  if (UNTOUCHED_BY_RULES_1_2_AND_REFUSAL.test(text)) s = stripConfText(text);
  else {
    s = normalizeSpecialText(text);
    const problem = confControlProblem(s);
    if (problem) throw new ConfValueError(`a .conf value ${problem}`, s);
  }
  return s.replaceAll('\n', ' \\\n');
}

/**
 * The value Splunk (and ./conf-reader.ts) reads back from `key = escapeConfValue(v)`: every line
 * break keeps the space written before the continuation backslash.
 */
export function splunkReadValue(value: unknown): string {
  return normalizeConfValue(value).replace(/\n/g, ' \n');
}

/** A value that cannot be written into a .conf file as asked (e.g. a stanza name with a newline). */
export class ConfValueError extends Error {
  constructor(
    message: string,
    readonly value: string,
  ) {
    super(message);
    this.name = 'ConfValueError';
  }
}

/**
 * Why a string cannot be a stanza name, or undefined when it can. A stanza header is one physical
 * line, so names cannot hold line breaks and cannot end in a backslash (continuation); surrounding
 * whitespace would be trimmed by readers (splunk-semantics.md §6.1).
 */
export function stanzaNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'a stanza name cannot be empty';
  if (/[\r\n]/.test(name)) return 'a stanza name cannot contain a line break';
  const control = confControlProblem(name);
  if (control) return `a stanza name ${control}`;
  if (HAS_LONE_SURROGATE.test(name)) {
    return 'a stanza name cannot contain an unpaired UTF-16 surrogate';
  }
  if (name.endsWith('\\')) return 'a stanza name cannot end with a backslash (it would continue onto the next line)';
  if (pyStrip(name) !== name) return 'a stanza name cannot start or end with whitespace';
  return undefined;
}

/** The text between `[` and `]` of a stanza header; throws ConfValueError for unusable names. */
export function escapeStanzaName(name: unknown): string {
  const s = toText(name);
  const problem = stanzaNameProblem(s);
  if (problem) throw new ConfValueError(problem, s);
  return s;
}

/**
 * Text for a `# …` comment line: line breaks become spaces (a comment cannot be continued safely:
 * whether splunkd joins a comment ending in `\` is not documented), stripped, and never ending in
 * a backslash.
 */
export function escapeConfComment(value: unknown): string {
  let s = toText(value)
    .replace(LONE_SURROGATE_RE, '\uFFFD')
    .replace(/\r\n?|\n/g, ' ');
  s = pyStrip(s);
  if (s.endsWith('\\')) s += ' ';
  const problem = confControlProblem(s);
  if (problem) throw new ConfValueError(`a .conf comment ${problem}`, s);
  return s;
}

/**
 * Why a free-text value will be changed on its way into the file in a way an author may not
 * expect (used for warnings), or undefined. Stripping and newline continuation are ESCU's normal
 * behaviour and are not reported.
 */
export function confValueWarning(value: string): string | undefined {
  if (/\r/.test(value)) return 'contains a carriage return; it is written as a line feed';
  if (pyStrip(value.replace(CR_RE, '\n')).endsWith('\\')) {
    return 'ends with a backslash, which .conf files read as a line continuation; a space is appended';
  }
  if (HAS_LONE_SURROGATE.test(value)) {
    return 'contains an unpaired UTF-16 surrogate; it is written as U+FFFD';
  }
  return undefined;
}
