/**
 * YAML syntax errors in words a content author understands. The `yaml` library's messages
 * describe its grammar ("Implicit keys need to be on a single line"); these say what the author
 * most likely wrote and how to write it instead, keyed by the library's error code (and, where one
 * code covers several mistakes, its message and the text at the error). The parser's own message
 * stays at the end, in parentheses, for anyone who knows YAML.
 */

export interface YamlErrorLike {
  code: string;
  message: string;
  /** Offsets of the error in the text. */
  pos: [number, number];
}

const QUOTE_HINT = "to use ' inside a '…' value write it twice (''), or quote the whole value with \"…\"";

/** The plain-language explanation of one parser error, or undefined when the parser's message is already plain. */
export function explainYamlError(err: YamlErrorLike, text: string): string | undefined {
  const m = err.message;
  const lineStart = text.lastIndexOf('\n', err.pos[0] - 1) + 1;
  const lineEnd = text.indexOf('\n', err.pos[0]);
  const line = text.slice(lineStart, lineEnd < 0 ? text.length : lineEnd);
  switch (err.code) {
    case 'MULTILINE_IMPLICIT_KEY':
      if (/^\s*[A-Za-z_][\w.-]*:[^\s:]/.test(line))
        return "a key's ':' must be followed by a space (write `key: value`)";
      return "a key and its ':' must be on one line; a value that spans lines needs quotes or '|' (a block of text indented under its key), and a line that is not `key: value` cannot follow a key's value";
    case 'MISSING_CHAR':
      if (/Missing closing (["'])quote/.test(m)) {
        const q = m.includes('"quote') ? '"' : "'";
        const opened = openingQuoteLine(text, err.pos[0], q);
        const where = opened ? ` (the one opened on line ${opened})` : '';
        return q === '"'
          ? `a "…" value is never closed${where}: add the closing " (and write \\" for a " inside it)`
          : `a '…' value is never closed${where}: add the closing ' (${QUOTE_HINT})`;
      }
      if (/followed by map values/.test(m))
        return "this line is neither `key: value` nor a continuation of the value above it: a value that continues on more lines must be indented under its key, or quoted, or written as a '|' block";
      return undefined;
    case 'BLOCK_AS_IMPLICIT_KEY':
      return "this value contains ': ' (a colon followed by a space), which YAML reads as the start of another key; put the whole value in quotes, or check the indentation of the lines around it";
    case 'BAD_INDENT':
      if (/Flow (sequence|map)/.test(m))
        return `a ${m.includes('map') ? '{ … }' : '[ … ]'} that opens here is not closed where it should be: close it on the same line, or write the items as a '- item' list on their own lines`;
      return 'the keys of one mapping must all be indented by the same number of spaces; this line is indented differently from the keys before it';
    case 'UNEXPECTED_TOKEN': {
      if (/Unexpected scalar at node end/.test(m))
        return `text continues after the closing quote of this value; ${QUOTE_HINT}`;
      if (/block-seq-ind on same line/.test(m))
        return "a list item ('- …') must start on its own line, indented under its key";
      if (/^Not a YAML token/.test(m) && /:\s*[|>][-+]?\d*\s*$/.test(text.slice(lineStart, err.pos[0])))
        return "'|' and '>' start a block of text on the following lines, so nothing may follow them on this line; a search that starts with '|' must be quoted ('| tstats …'), or written on the next lines, indented";
      return undefined;
    }
    case 'BAD_SCALAR_START': {
      const ch = /character (.)\s*$/.exec(m)?.[1];
      return ch
        ? `a value that starts with ${ch} must be quoted: write '${ch}…' (YAML reserves ${ch} at the start of a plain value)`
        : 'a value that starts with this character must be quoted';
    }
    case 'BAD_DQ_ESCAPE':
      return "inside \"…\" a backslash starts an escape such as \\n or \\\"; write \\\\ for one backslash, or quote the value with '…', where a backslash is an ordinary character (SPL regular expressions usually want '…')";
    case 'TAB_AS_INDENT':
      return 'a tab is used for indentation; YAML indentation must use spaces';
    case 'KEY_OVER_1024_CHARS':
      return "YAML reads more than 1024 characters here as one key: a ':' is probably missing after a key, or a long value lost its key";
    case 'BLOCK_IN_FLOW':
      return "a '- item' list or a `key: value` block cannot appear inside [ … ] or { … }; write the whole list in one style";
    case 'BAD_ALIAS':
    case 'ALIAS_PROPS':
    case 'MULTIPLE_ANCHORS':
    case 'MULTIPLE_TAGS':
    case 'TAG_RESOLVE_FAILED':
    case 'BAD_PROP_ORDER':
      return "a value that starts with '&', '*' or '!' is read as a YAML anchor, alias or tag; put the value in quotes";
    case 'NON_STRING_KEY':
      return 'keys must be plain names (text before a colon), not lists or mappings';
    default:
      return undefined;
  }
}

/** The line of the last `key: '` / `- '` before `offset` that opens a value with quote `q`. */
function openingQuoteLine(text: string, offset: number, q: string): number | undefined {
  const before = text.slice(0, Math.min(offset + 1, text.length));
  const re = q === '"' ? /(?:^|\n)[^\n]*?(?::|^-|\n-)[ \t]+"/g : /(?:^|\n)[^\n]*?(?::|^-|\n-)[ \t]+'/g;
  let last: number | undefined;
  for (const m of before.matchAll(re)) last = m.index + (m[0].startsWith('\n') ? 1 : 0);
  return last === undefined ? undefined : before.slice(0, last).split('\n').length;
}

/** The message of a YAML syntax diagnostic: the explanation, then the parser's words. */
export function yamlSyntaxMessage(err: YamlErrorLike, text: string, parserMessage: string): string {
  const plain = explainYamlError(err, text);
  return plain ? `${plain} (YAML parser: ${parserMessage})` : parserMessage;
}
