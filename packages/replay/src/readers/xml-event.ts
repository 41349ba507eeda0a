import { shapeFactory, type RawFields, type ShapeFactory } from '@dac/normalise';

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
 * - with `wanted`, only those fields are stored (the replay passes the raw fields its normalisers
 *   read: fewer string slices and property stores on the hot path; `SystemTime` is always kept);
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

/** Positions of the digits in `YYYY-MM-DDTHH:MM:SS`. */
const ISO_DIGITS = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18];
let lastIsoKey = -1;
let lastIsoSeconds = 0;

/** `2021-01-14T23:41:40.145335200Z` → epoch seconds (fraction kept to microseconds). No zone = UTC. */
export function isoToEpochSeconds(s: string): number | undefined {
  // Fast path for the Windows form `YYYY-MM-DDTHH:MM:SS[.fraction]Z` (every XmlWinEventLog event).
  const n = s.length;
  if (n >= 20 && s.charCodeAt(4) === 45 && s.charCodeAt(10) === 84 && s.charCodeAt(n - 1) === 90) {
    const d = (i: number) => s.charCodeAt(i) - 48;
    const y = d(0) * 1000 + d(1) * 100 + d(2) * 10 + d(3);
    const mo = d(5) * 10 + d(6),
      day = d(8) * 10 + d(9),
      h = d(11) * 10 + d(12),
      mi = d(14) * 10 + d(15),
      se = d(17) * 10 + d(18);
    let frac = 0;
    let ok =
      y >= 0 &&
      mo >= 1 &&
      mo <= 12 &&
      day >= 1 &&
      day <= 31 &&
      h <= 23 &&
      mi <= 59 &&
      se <= 60 &&
      s.charCodeAt(7) === 45 &&
      s.charCodeAt(13) === 58 &&
      s.charCodeAt(16) === 58;
    if (ok && n > 20) {
      ok = s.charCodeAt(19) === 46 && n > 21;
      let scale = 0.1;
      for (let i = 20; ok && i < n - 1; i++) {
        const c = d(i);
        if (c < 0 || c > 9) ok = false;
        else if (i < 26) {
          frac += c * scale;
          scale /= 10;
        }
      }
    }
    for (let k = 0; ok && k < ISO_DIGITS.length; k++) {
      const c = d(ISO_DIGITS[k]!);
      if (c < 0 || c > 9) ok = false;
    }
    if (ok) {
      // Events come in runs within the same second: the last second's Date.UTC is kept.
      const key = ((((y * 13 + mo) * 32 + day) * 24 + h) * 60 + mi) * 61 + se;
      if (key !== lastIsoKey) {
        lastIsoKey = key;
        lastIsoSeconds = Date.UTC(y, mo - 1, day, h, mi, se) / 1000;
      }
      return lastIsoSeconds + Math.round(frac * 1e6) / 1e6;
    }
  }
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
  const frac = m[7] ? Number(`0.${m[7].slice(0, 6)}`) : 0;
  return ms / 1000 + frac;
}

function isNameEnd(c: number): boolean {
  // space, tab, LF, CR, '/', '>', '='
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 47 || c === 62 || c === 61;
}
function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

/**
 * `xml.startsWith(s, pos)` by char codes: V8's startsWith with a position was the single hottest
 * spot of the replay profile (it is not inlined), this loop is.
 */
function at(xml: string, pos: number, s: string): boolean {
  if (pos + s.length > xml.length) return false;
  for (let i = 0; i < s.length; i++) if (xml.charCodeAt(pos + i) !== s.charCodeAt(i)) return false;
  return true;
}

/** For a literal that is usually there: gate on its first character, then one native indexOf. */
function atLikely(xml: string, pos: number, s: string): boolean {
  return xml.charCodeAt(pos) === s.charCodeAt(0) && xml.indexOf(s, pos) === pos;
}

/**
 * Recognises known names in place (by length, then `startsWith`) and returns the one constant
 * string for each, so the hot loop neither allocates name slices nor makes V8 hash and intern a
 * fresh key for every property store. Measured: ~2x on the per-event cost (docs/replay.md).
 */
export class NameTable {
  private readonly byLength = new Map<number, string[]>();
  constructor(names: Iterable<string>) {
    for (const n of names) {
      const l = this.byLength.get(n.length);
      if (!l) this.byLength.set(n.length, [n]);
      else if (!l.includes(n)) l.push(n);
    }
  }
  /** The known name spelled by `xml[start, end)`, or undefined. */
  find(xml: string, start: number, end: number): string | undefined {
    const l = this.byLength.get(end - start);
    if (l === undefined) return undefined;
    const c0 = xml.charCodeAt(start);
    const cz = xml.charCodeAt(end - 1);
    for (let i = 0; i < l.length; i++) {
      const n = l[i]!;
      if (n.charCodeAt(0) === c0 && n.charCodeAt(n.length - 1) === cz && at(xml, start, n)) return n;
    }
    return undefined;
  }
}

const TAGS = new NameTable([
  'Event',
  'System',
  'Provider',
  'EventID',
  'Version',
  'Level',
  'Task',
  'Opcode',
  'Keywords',
  'TimeCreated',
  'EventRecordID',
  'Correlation',
  'Execution',
  'Channel',
  'Computer',
  'Security',
  'EventData',
  'Data',
  'UserData',
  'RenderingInfo',
]);

const wantedTables = new WeakMap<ReadonlySet<string>, { names: NameTable; shape: ShapeFactory }>();
function tableFor(wanted: ReadonlySet<string>): { names: NameTable; shape: ShapeFactory } {
  let t = wantedTables.get(wanted);
  if (!t) {
    // SystemTime is always kept (the event time); EventID feeds EventCode.
    const names = [...wanted, 'SystemTime', ...(wanted.has('EventCode') ? ['EventID'] : [])];
    t = { names: new NameTable(names), shape: shapeFactory([...names, 'EventCode']) };
    wantedTables.set(wanted, t);
  }
  return t;
}

function addField(fields: RawFields, name: string, value: string): void {
  const prev = fields[name];
  if (prev === undefined) fields[name] = value;
  else if (typeof prev === 'string') fields[name] = [prev, value];
  else prev.push(value);
}

/**
 * The tight loop for a run of `<Data Name='X'>v</Data>` / `<Data Name='X'/>` elements (the bulk
 * of an event): consumes as many as follow `pos` and returns where it stopped; anything else is
 * left to the generic scanner. Same fields as the generic path.
 */
function dataRun(
  xml: string,
  pos: number,
  fields: RawFields,
  names: NameTable | undefined,
  wanted: ReadonlySet<string> | undefined,
  dec: (s: string) => string,
): number {
  for (;;) {
    let lt = pos;
    while (isSpace(xml.charCodeAt(lt))) lt++;
    if (xml.charCodeAt(lt) !== 60 || xml.charCodeAt(lt + 1) !== 68 || xml.indexOf('Data Name=', lt + 1) !== lt + 1)
      return pos;
    const q = xml.charCodeAt(lt + 11);
    if (q !== 39 && q !== 34) return pos;
    const nameEnd = xml.indexOf(q === 39 ? "'" : '"', lt + 12);
    if (nameEnd < 0) return pos;
    const c = xml.charCodeAt(nameEnd + 1);
    let vEnd = -1;
    let next: number;
    if (c === 62 /* > */) {
      vEnd = xml.indexOf('<', nameEnd + 2);
      if (vEnd < 0 || xml.charCodeAt(vEnd + 1) !== 47 || xml.indexOf('</Data>', vEnd) !== vEnd) return pos;
      next = vEnd + 7;
    } else if (c === 47 /* / */ && xml.charCodeAt(nameEnd + 2) === 62) {
      next = nameEnd + 3;
    } else return pos;
    if (names) {
      const name = names.find(xml, lt + 12, nameEnd);
      if (name !== undefined) addField(fields, name, vEnd < 0 ? '' : xml.slice(nameEnd + 2, vEnd));
    } else {
      const name = dec(xml.slice(lt + 12, nameEnd));
      if (!wanted || wanted.has(name)) addField(fields, name, vEnd < 0 ? '' : dec(xml.slice(nameEnd + 2, vEnd)));
    }
    pos = next;
  }
}

/**
 * The tight loop for the leaves of `<System>` with a projection (`names`): `<X a='v' …/>` and
 * `<X a='v' …>text</X>`; stores wanted leaf texts (trimmed) and wanted attributes. Stops (returns
 * its position) at `</System>` or at anything else, which the generic scanner then handles.
 */
function systemRun(xml: string, pos: number, fields: RawFields, names: NameTable): number {
  const n = xml.length;
  for (;;) {
    let lt = pos;
    while (isSpace(xml.charCodeAt(lt))) lt++;
    if (xml.charCodeAt(lt) !== 60) return pos;
    const c1 = xml.charCodeAt(lt + 1);
    if (c1 === 47 || c1 === 33 || c1 === 63) return pos; // </…>, <!…>, <?…>
    let p = lt + 1;
    while (p < n && !isNameEnd(xml.charCodeAt(p))) p++;
    const nameEnd = p;
    if (nameEnd === lt + 1) return pos;
    let self = false;
    for (;;) {
      while (p < n && isSpace(xml.charCodeAt(p))) p++;
      const c = xml.charCodeAt(p);
      if (c === 62) {
        p++;
        break;
      }
      if (c === 47) {
        if (xml.charCodeAt(p + 1) !== 62) return pos;
        self = true;
        p += 2;
        break;
      }
      const an = p;
      while (p < n && !isNameEnd(xml.charCodeAt(p))) p++;
      const anEnd = p;
      while (p < n && isSpace(xml.charCodeAt(p))) p++;
      if (anEnd === an || xml.charCodeAt(p) !== 61) return pos;
      p++;
      while (p < n && isSpace(xml.charCodeAt(p))) p++;
      const q = xml.charCodeAt(p);
      if (q !== 39 && q !== 34) return pos;
      const end = xml.indexOf(q === 39 ? "'" : '"', p + 1);
      if (end < 0) return pos;
      const attr = names.find(xml, an, anEnd);
      if (attr !== undefined) fields[attr] = xml.slice(p + 1, end);
      p = end + 1;
    }
    if (self) {
      pos = p;
      continue;
    }
    const te = xml.indexOf('<', p);
    if (te < 0 || xml.charCodeAt(te + 1) !== 47) return pos; // nested element: generic
    const len = nameEnd - lt - 1;
    for (let i = 1; i <= len; i++) if (xml.charCodeAt(te + 1 + i) !== xml.charCodeAt(lt + i)) return pos;
    let g = te + 2 + len;
    while (isSpace(xml.charCodeAt(g))) g++;
    if (xml.charCodeAt(g) !== 62) return pos;
    const name = names.find(xml, lt + 1, nameEnd);
    if (name !== undefined) fields[name] = xml.slice(p, te).trim();
    pos = g + 1;
  }
}

/** The opening tags Splunk's Windows input writes (attack_data) and Sysmon for Linux writes. */
const EVENT_OPENINGS = [
  "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>",
  '<Event><System>',
];

function finish(fields: RawFields): ParsedXmlEvent {
  if (fields.EventID !== undefined && fields.EventCode === undefined) fields.EventCode = fields.EventID;
  const st = fields.SystemTime;
  return { fields, time: typeof st === 'string' ? isoToEpochSeconds(st) : undefined };
}

/**
 * The whole-event fast path for the exact shape attack_data stores (one of EVENT_OPENINGS, System
 * leaves, `</System><EventData>`, a run of Data elements, `</EventData></Event>`), with a
 * projection. Anything else returns undefined and the generic scanner (authoritative, with error
 * messages) reads the event; the projection property test checks both agree.
 */
function parseStandardEvent(xml: string, fields: RawFields, names: NameTable): ParsedXmlEvent | undefined {
  let pos = -1;
  for (const o of EVENT_OPENINGS)
    if (xml.charCodeAt(o.length - 1) === 62 && atLikely(xml, 0, o)) {
      pos = o.length;
      break;
    }
  if (pos < 0) return undefined;
  pos = systemRun(xml, pos, fields, names);
  if (!atLikely(xml, pos, '</System><EventData>')) return undefined;
  pos = dataRun(xml, pos + 20, fields, names, undefined, (s) => s);
  if (pos !== xml.length - 20 || !atLikely(xml, pos, '</EventData></Event>')) return undefined;
  return finish(fields);
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
export function parseEventXml(
  xml: string,
  decodeEntities = false,
  wanted?: ReadonlySet<string>,
): ParsedXmlEvent | { error: string } {
  const dec = decodeEntities ? decodeXmlEntities : (s: string) => s;
  // With a projection and no entity decoding, names are matched in place against the wanted set.
  const table = wanted ? tableFor(wanted) : undefined;
  const names = table && !decodeEntities ? table.names : undefined;
  if (table && names) {
    const fast = parseStandardEvent(xml, table.shape() as unknown as RawFields, names);
    if (fast) return fast;
  }
  const fields: RawFields = table ? (table.shape() as unknown as RawFields) : (Object.create(null) as RawFields);
  const stack: string[] = [];
  let section = S_NONE;
  let pos = 0;
  const n = xml.length;
  while (pos < n && isSpace(xml.charCodeAt(pos))) pos++;
  if (!at(xml, pos, '<Event') || !isNameEnd(xml.charCodeAt(pos + 6))) return { error: 'does not start with <Event>' };
  // Per open element: whether it had child elements, its Data Name, where its text starts.
  let leaf = false;
  let dataName: string | undefined;
  let textStart = 0;
  let sawEvent = false;
  while (pos < n) {
    const lt = xml.indexOf('<', pos);
    if (lt < 0) {
      for (let i = pos; i < n; i++)
        if (!isSpace(xml.charCodeAt(i)))
          return { error: stack.length ? `unclosed <${stack[stack.length - 1]}>` : 'text after </Event>' };
      break;
    }
    if (stack.length === 0 && sawEvent) return { error: 'content after </Event>' };
    const c1 = xml.charCodeAt(lt + 1);
    if (c1 === 47 /* / */) {
      const open = stack.pop();
      // Closing tag of the open element: compare in place (no slice) — the common case.
      let gt = -1;
      if (open !== undefined && at(xml, lt + 2, open)) {
        let q = lt + 2 + open.length;
        while (q < n && isSpace(xml.charCodeAt(q))) q++;
        if (xml.charCodeAt(q) === 62) gt = q;
      }
      if (gt < 0) {
        const end = xml.indexOf('>', lt + 2);
        const name = end < 0 ? xml.slice(lt + 2, lt + 40) : xml.slice(lt + 2, end).trimEnd();
        if (end < 0) return { error: 'unterminated closing tag' };
        return { error: open === undefined ? `unexpected </${name}>` : `</${name}> closes <${open}>` };
      }
      const name = open!;
      const depth = stack.length; // depth of the closed element (Event = 0)
      if (leaf) {
        if (section === S_DATA) {
          const key = dataName ?? (name !== 'EventData' && name !== 'UserData' ? name : undefined);
          if (key !== undefined && (!wanted || wanted.has(key))) addField(fields, key, dec(xml.slice(textStart, lt)));
        } else if (
          section === S_SYSTEM &&
          depth === 2 &&
          (!wanted || wanted.has(name) || (name === 'EventID' && wanted.has('EventCode')))
        ) {
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
      if (at(xml, lt, '<!--')) {
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
    // Fast path for the bulk of an event: `<Data Name='X'>value</Data>` / `<Data Name="X"/>` inside
    // EventData, handled without the generic tag machinery (same result as the generic path).
    if (section === S_DATA && stack.length === 2 && c1 === 68 /* D */ && atLikely(xml, lt + 1, 'Data Name=')) {
      const q = xml.charCodeAt(lt + 11);
      if (q === 39 || q === 34) {
        const nameEnd = xml.indexOf(q === 39 ? "'" : '"', lt + 12);
        if (nameEnd > 0) {
          const c = xml.charCodeAt(nameEnd + 1);
          if (c === 62 /* > */) {
            const vEnd = xml.indexOf('<', nameEnd + 2);
            if (vEnd > 0 && atLikely(xml, vEnd, '</Data>')) {
              const name = names ? names.find(xml, lt + 12, nameEnd) : dec(xml.slice(lt + 12, nameEnd));
              if (name !== undefined && (!wanted || wanted.has(name)))
                addField(fields, name, dec(xml.slice(nameEnd + 2, vEnd)));
              leaf = false;
              pos = vEnd + 7;
              continue;
            }
          } else if (c === 47 /* / */ && xml.charCodeAt(nameEnd + 2) === 62) {
            const name = names ? names.find(xml, lt + 12, nameEnd) : dec(xml.slice(lt + 12, nameEnd));
            if (name !== undefined && (!wanted || wanted.has(name))) addField(fields, name, '');
            leaf = false;
            pos = nameEnd + 3;
            continue;
          }
        }
      }
    }
    // Opening tag.
    let p = lt + 1;
    while (p < n && !isNameEnd(xml.charCodeAt(p))) p++;
    const name = TAGS.find(xml, lt + 1, p) ?? xml.slice(lt + 1, p);
    if (name === '') return { error: `bad tag at offset ${lt}` };
    if (stack.length === 0) {
      if (sawEvent || name !== 'Event') return { error: `unexpected <${name}> outside <Event>` };
      sawEvent = true;
    }
    const depth = stack.length; // depth of this element
    if (depth === 1)
      section = name === 'System' ? S_SYSTEM : name === 'EventData' || name === 'UserData' ? S_DATA : S_SKIP;
    let thisDataName: string | undefined;
    let selfClosing = false;
    // Attributes.
    for (;;) {
      while (p < n && isSpace(xml.charCodeAt(p))) p++;
      if (p >= n) return { error: `unterminated tag <${name}>` };
      const c = xml.charCodeAt(p);
      if (c === 62 /* > */) {
        p++;
        break;
      }
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
      if (section === S_SYSTEM && depth >= 2) {
        if (!wanted || wanted.has(attr) || attr === 'SystemTime') fields[attr] = value;
      } else if (section === S_DATA && attr === 'Name') thisDataName = value;
    }
    if (depth >= 1) leaf = false; // the parent has a child element
    if (selfClosing) {
      if (section === S_DATA && thisDataName !== undefined && (!wanted || wanted.has(thisDataName)))
        addField(fields, thisDataName, '');
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
    if (depth === 1 && section === S_DATA) {
      const after = dataRun(xml, p, fields, names, wanted, dec);
      if (after !== p) {
        leaf = false;
        pos = after;
      }
    } else if (depth === 1 && section === S_SYSTEM && names) {
      const after = systemRun(xml, p, fields, names);
      if (after !== p) {
        leaf = false;
        pos = after;
      }
    }
  }
  if (stack.length) return { error: `unclosed <${stack[stack.length - 1]}> (truncated event)` };
  if (!sawEvent) return { error: 'no <Event>' };
  if (fields.EventID !== undefined && fields.EventCode === undefined) fields.EventCode = fields.EventID;
  const st = fields.SystemTime;
  const time = typeof st === 'string' ? isoToEpochSeconds(st) : undefined;
  return { fields, time };
}
