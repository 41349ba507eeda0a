import type { RawFields } from '@dac/normalise';

/**
 * A single-pass extractor for one Windows-event-log XML `<Event>` as Splunk's XmlWinEventLog input
 * (and Sysmon for Linux) writes it. Why hand-written: it is the replay's hot loop, the shape is
 * narrow (System + EventData/UserData), and it must do exactly what Splunk's regex extractions do
 * — not what a conforming XML parser does — while still rejecting structurally broken events
 * (see the throughput comparison in docs/replay.md).
 *
 * What it produces, following Splunk_TA_windows / TA-microsoft-sysmon (splunk-semantics.md §4.1–4.2):
 * - every leaf element of `<System>` as a field (`EventID`, `Channel`, `Computer`, …), and every
 *   attribute of a `<System>` element as a field (`SystemTime`, `ProcessID`, `ThreadID`, `UserID`,
 *   the provider's `Name` and `Guid`); `EventCode` = `EventID`;
 * - every `<Data Name='X'>v</Data>` (single or double quotes) as field `X`; `<Data Name='X'/>` as
 *   `X` = ''; `<Data>` without a Name as the multivalue field `Data`; leaf elements of `<UserData>`
 *   by element name. `<RenderingInfo>` is ignored.
 * - values are NOT entity-decoded by default, because the add-ons do not decode them (`&amp;`
 *   stays literal in CommandLine, §1.11); `decodeEntities` decodes only the five predefined XML
 *   entities and numeric character references. There is no DTD or external-entity processing at
 *   all: `<!DOCTYPE`, `<!ENTITY` and CDATA make the event malformed.
 */
export interface ParsedXmlEvent {
  fields: RawFields;
  /** `TimeCreated/@SystemTime` in epoch seconds. */
  time?: number;
}

const PREDEFINED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Decodes the five predefined XML entities and numeric character references; others stay literal. */
export function decodeXmlEntities(s: string): string {
  if (s.indexOf('&') < 0) return s;
  return s.replace(/&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z]{2,4});/g, (m, body: string) => {
    if (body[0] === '#') {
      const cp = body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      return cp > 0 && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff) ? String.fromCodePoint(cp) : m;
    }
    return PREDEFINED[body] ?? m;
  });
}

const ISO = /^(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(?:\.(\d+))?(Z|[+-]\d\d:?\d\d)?$/;

/** `2021-01-14T23:41:40.145335200Z` → epoch seconds (fraction kept to microseconds). No zone = UTC. */
export function isoToEpochSeconds(s: string): number | undefined {
  const m = ISO.exec(s.trim());
  if (!m) return undefined;
  let ms = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
  if (Number.isNaN(ms)) return undefined;
  const tz = m[8];
  if (tz && tz !== 'Z') {
    const sign = tz[0] === '-' ? -1 : 1;
    const digits = tz.slice(1).replace(':', '');
    ms -= sign * (+digits.slice(0, 2) * 60 + +digits.slice(2, 4)) * 60_000;
  }
  const frac = m[7] ? Number('0.' + m[7].slice(0, 6)) : 0;
  return ms / 1000 + frac;
}

function isNameEnd(c: number): boolean {
  // space, tab, LF, CR, '/', '>', '='
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 47 || c === 62 || c === 61;
}
function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

function addField(fields: RawFields, name: string, value: string): void {
  const prev = fields[name];
  if (prev === undefined) fields[name] = value;
  else if (typeof prev === 'string') fields[name] = [prev, value];
  else prev.push(value);
}

// Sections of the event: which subtree the scanner is in.
const S_NONE = 0;
const S_SYSTEM = 1;
const S_DATA = 2;
const S_SKIP = 3;

/**
 * Parses one `<Event …>…</Event>` string. Returns an error message (never throws) when the text is
 * not a well-formed event of this shape: unbalanced or mismatched tags, unterminated attribute
 * values, markup declarations, trailing garbage.
 */
export function parseEventXml(xml: string, decodeEntities = false): ParsedXmlEvent | { error: string } {
  const dec = decodeEntities ? decodeXmlEntities : (s: string) => s;
  const fields: RawFields = {};
  const stack: string[] = [];
  let section = S_NONE;
  let pos = 0;
  const n = xml.length;
  while (pos < n && isSpace(xml.charCodeAt(pos))) pos++;
  if (!xml.startsWith('<Event', pos) || !isNameEnd(xml.charCodeAt(pos + 6))) return { error: 'does not start with <Event>' };
  // Per open element: whether it had child elements, its Data Name, where its text starts.
  let leaf = false;
  let dataName: string | undefined;
  let textStart = 0;
  let sawEvent = false;
  while (pos < n) {
    const lt = xml.indexOf('<', pos);
    if (lt < 0) {
      for (let i = pos; i < n; i++) if (!isSpace(xml.charCodeAt(i))) return { error: stack.length ? `unclosed <${stack[stack.length - 1]}>` : 'text after </Event>' };
      break;
    }
    if (stack.length === 0 && sawEvent) return { error: 'content after </Event>' };
    const c1 = xml.charCodeAt(lt + 1);
    if (c1 === 47 /* / */) {
      const gt = xml.indexOf('>', lt + 2);
      if (gt < 0) return { error: 'unterminated closing tag' };
      const name = xml.slice(lt + 2, gt).trimEnd();
      const open = stack.pop();
      if (open !== name) return { error: open === undefined ? `unexpected </${name}>` : `</${name}> closes <${open}>` };
      const depth = stack.length; // depth of the closed element (Event = 0)
      if (leaf) {
        if (section === S_DATA) {
          if (dataName !== undefined) addField(fields, dataName, dec(xml.slice(textStart, lt)));
          else if (name !== 'EventData' && name !== 'UserData') addField(fields, name, dec(xml.slice(textStart, lt)));
        } else if (section === S_SYSTEM && depth === 2) {
          fields[name] = dec(xml.slice(textStart, lt).trim());
        }
      }
      if (depth === 1) section = S_NONE;
      leaf = false;
      dataName = undefined;
      pos = gt + 1;
      continue;
    }
    if (c1 === 33 /* ! */) {
      if (xml.startsWith('<!--', lt)) {
        const end = xml.indexOf('-->', lt + 4);
        if (end < 0) return { error: 'unterminated comment' };
        pos = end + 3;
        continue;
      }
      return { error: `markup declaration or CDATA not supported (no DTD processing): ${xml.slice(lt, lt + 12)}` };
    }
    if (c1 === 63 /* ? */) {
      const end = xml.indexOf('?>', lt + 2);
      if (end < 0) return { error: 'unterminated processing instruction' };
      pos = end + 2;
      continue;
    }
    // Opening tag.
    let p = lt + 1;
    while (p < n && !isNameEnd(xml.charCodeAt(p))) p++;
    const name = xml.slice(lt + 1, p);
    if (name === '') return { error: `bad tag at offset ${lt}` };
    if (stack.length === 0) {
      if (sawEvent || name !== 'Event') return { error: `unexpected <${name}> outside <Event>` };
      sawEvent = true;
    }
    const depth = stack.length; // depth of this element
    if (depth === 1) section = name === 'System' ? S_SYSTEM : name === 'EventData' || name === 'UserData' ? S_DATA : S_SKIP;
    let thisDataName: string | undefined;
    let selfClosing = false;
    // Attributes.
    for (;;) {
      while (p < n && isSpace(xml.charCodeAt(p))) p++;
      if (p >= n) return { error: `unterminated tag <${name}>` };
      const c = xml.charCodeAt(p);
      if (c === 62 /* > */) { p++; break; }
      if (c === 47 /* / */) {
        if (xml.charCodeAt(p + 1) !== 62) return { error: `bad '/' in tag <${name}>` };
        selfClosing = true;
        p += 2;
        break;
      }
      const an = p;
      while (p < n && !isNameEnd(xml.charCodeAt(p))) p++;
      const attr = xml.slice(an, p);
      while (p < n && isSpace(xml.charCodeAt(p))) p++;
      if (attr === '' || xml.charCodeAt(p) !== 61 /* = */) return { error: `attribute without value in <${name}>` };
      p++;
      while (p < n && isSpace(xml.charCodeAt(p))) p++;
      const q = xml.charCodeAt(p);
      if (q !== 39 && q !== 34) return { error: `unquoted attribute ${attr} in <${name}>` };
      const end = xml.indexOf(q === 39 ? "'" : '"', p + 1);
      if (end < 0) return { error: `unterminated attribute ${attr} in <${name}>` };
      const value = dec(xml.slice(p + 1, end));
      p = end + 1;
      if (section === S_SYSTEM && depth >= 2) fields[attr] = value;
      else if (section === S_DATA && attr === 'Name') thisDataName = value;
    }
    if (depth >= 1) leaf = false; // the parent has a child element
    if (selfClosing) {
      if (section === S_DATA && thisDataName !== undefined) addField(fields, thisDataName, '');
      if (depth === 1) section = S_NONE;
      if (depth === 0) return { error: 'empty <Event/>' };
      pos = p;
      continue;
    }
    stack.push(name);
    leaf = true;
    dataName = thisDataName;
    textStart = p;
    pos = p;
  }
  if (stack.length) return { error: `unclosed <${stack[stack.length - 1]}> (truncated event)` };
  if (!sawEvent) return { error: 'no <Event>' };
  if (fields.EventID !== undefined && fields.EventCode === undefined) fields.EventCode = fields.EventID;
  const st = fields.SystemTime;
  const time = typeof st === 'string' ? isoToEpochSeconds(st) : undefined;
  return { fields, time };
}
