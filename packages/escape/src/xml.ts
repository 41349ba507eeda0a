import { visibleEscape } from './terminal.js';

/**
 * XML 1.0 escaping (JUnit reports). XML 1.0 §2.2 allows only tab, LF, CR, U+0020–U+D7FF,
 * U+E000–U+FFFD and U+10000–U+10FFFF, even as character references; anything else makes the whole
 * report unreadable to a CI's JUnit parser. Those characters (NUL, ESC, form feed, unpaired
 * surrogates, U+FFFE/U+FFFF) are written as visible escapes (`\x1b`), so the reader still sees
 * that something was there; the C1 controls U+007F–U+009F, which XML 1.0 allows but discourages
 * (§2.2), likewise. `&`, `<`, `>` become entity references; in attribute values also `"`, `'`
 * and the white space that attribute-value normalisation (§3.3.3) would turn into spaces
 * (tab, LF, CR → `&#9;`, `&#10;`, `&#13;`).
 */

const NOT_XML =
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

const TEXT_ENTITY: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };
const ATTR_ENTITY: Record<string, string> = {
  ...TEXT_ENTITY,
  '"': '&quot;',
  "'": '&apos;',
  '\t': '&#9;',
  '\n': '&#10;',
  '\r': '&#13;',
};

/** Text content of an element. A CR is written as `&#13;` so that end-of-line handling keeps it. */
export function escapeXmlText(text: string): string {
  return text
    .replace(NOT_XML, visibleEscape)
    .replace(/[&<>]/g, (c) => TEXT_ENTITY[c]!)
    .replace(/\r/g, '&#13;');
}

/** An attribute value (for either quote character). */
export function escapeXmlAttribute(text: string): string {
  return text.replace(NOT_XML, visibleEscape).replace(/[&<>"'\t\n\r]/g, (c) => ATTR_ENTITY[c]!);
}
