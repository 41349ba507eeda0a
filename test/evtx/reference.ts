/**
 * Independent check of the EVTX reader against reference implementations' renderings:
 * `evtxexport -f xml` (libevtx, Debian libevtx-utils) and `evtx_dump.py` (python-evtx, Debian
 * python3-evtx). Their XML is parsed by a conforming XML parser (saxes) — not by the replay's own
 * XML reader — and fields are taken from the tree by the rules of Splunk's XML extraction
 * (splunk-semantics.md §4.1–4.2), written here a second time, independently of render.ts.
 *
 * Known rendering differences, each the reference departing from what Windows (and so Splunk's
 * XmlWinEventLog input) writes, are normalised before comparing — and counted, so the summary says
 * how often each applied:
 * - `hex-padding`: both references zero-pad hexadecimal integers to 8/16 digits
 *   (`0x00000000000003e7`); Windows writes `0x3e7` (real XmlWinEventLog line: `LogonId 0x49732`).
 *   Compared as numbers.
 * - `guid-case` (python-evtx): lower-case GUIDs; Windows writes them upper-case
 *   (`Guid='{5770385F-C22A-43E0-BF4C-06F5698FFBD9}'`). Compared case-insensitively.
 * - `time-precision` (python-evtx): FILETIMEs as `2021-04-26 15:03:05.992229`, converted through a
 *   float (microseconds, off by up to ~3 µs); Windows writes all seven digits. Compared to 4 µs.
 * - `empty-attribute` (python-evtx): a null optional substitution written as an empty attribute
 *   (`Qualifiers=""`, `ActivityID=""`, `UserID=""`); Windows and libevtx leave the attribute out.
 * - `binary-base64` (python-evtx): Binary values in base64; Windows writes hexadecimal.
 * - `string-array` (python-evtx): a string array written as one element holding escaped
 *   `<string>…</string>` lines, split by a byte regex that misplaces empty strings and drops
 *   characters whose low byte is 0 such as `─` (compared without them); Windows and libevtx repeat the element once per item.
 * - `bool-case` (python-evtx): Booleans as Python prints them (`True`); Windows writes `true`.
 * - `control-chars-dropped` (python-evtx): C0/C1 control characters are deleted from values
 *   (its `RESTRICTED_CHARS`); they are part of the value.
 */
import { SaxesParser } from 'saxes';

export type Fields = Record<string, string | string[]>;

interface El {
  name: string;
  attrs: Record<string, string>;
  children: El[];
  text: string;
}

/**
 * Parses the `<Event>` elements of a reference's output (wrapped here in one root; python-evtx
 * writes its own `<Events>` root, evtxexport none). Output cut short (a reference that crashed
 * part-way) yields the events completed before the cut, and the parse error.
 * Raw C0 control characters, which evtxexport writes unescaped (not well-formed XML), are turned
 * into the character references XML 1.1 allows for them, so the text means what the tool wrote.
 */
export function parseEvents(xml: string): { events: El[]; error?: string } {
  const p = new SaxesParser({ xmlns: false, defaultXMLVersion: '1.1', forceXMLVersion: true });
  const root: El = { name: '#root', attrs: {}, children: [], text: '' };
  const stack: El[] = [root];
  const events: El[] = [];
  let error: string | undefined;
  p.on('error', (e) => {
    error ??= e.message;
  });
  p.on('opentag', (t) => {
    const el: El = { name: t.name, attrs: { ...(t.attributes as Record<string, string>) }, children: [], text: '' };
    stack[stack.length - 1]!.children.push(el);
    stack.push(el);
  });
  p.on('text', (t) => {
    stack[stack.length - 1]!.text += t;
  });
  p.on('cdata', (t) => {
    stack[stack.length - 1]!.text += t;
  });
  p.on('closetag', () => {
    const el = stack.pop()!;
    if (el.name === 'Event' && !stack.some((x) => x.name === 'Event')) events.push(el);
  });
  const body = xml
    .replace(/<\?xml[^>]*\?>/g, '')
    .replace(/[\x01-\x08\x0b\x0c\x0e-\x1f]/g, (c) => `&#x${c.charCodeAt(0).toString(16)};`);
  try {
    p.write(`<Wrapper>${body}</Wrapper>`).close();
  } catch (e) {
    error ??= (e as Error).message;
  }
  return { events, ...(error ? { error } : {}) };
}

function add(f: Fields, k: string, v: string): void {
  const prev = f[k];
  if (prev === undefined) f[k] = v;
  else if (typeof prev === 'string') f[k] = [prev, v];
  else prev.push(v);
}

/**
 * Fields of one event tree, by Splunk's XML extraction rules. Applied to both sides of a
 * comparison — the reference's XML and dac's rendered XML — through the same XML parser, so that
 * serialisation choices (`<X/>` or `<X></X>`, quotes, entities, CR LF) cannot make a difference.
 */
export function fieldsOf(ev: El): Fields {
  const f: Fields = {};
  for (const sec of ev.children) {
    if (sec.name === 'System') {
      const walk = (el: El, depth: number) => {
        for (const [k, v] of Object.entries(el.attrs)) f[k] = v;
        // An empty System leaf gives no field: `<X/>` and `<X></X>` are the same XML, and
        // parseEventXml reads a field only from the latter.
        if (depth === 2 && el.children.length === 0 && el.text.trim() !== '') f[el.name] = el.text.trim();
        for (const c of el.children) walk(c, depth + 1);
      };
      for (const c of sec.children) walk(c, 2);
    } else if (sec.name === 'EventData' || sec.name === 'UserData') {
      const walk = (el: El) => {
        if (el.children.length === 0) add(f, el.attrs.Name ?? el.name, el.text);
        for (const c of el.children) walk(c);
      };
      for (const c of sec.children) walk(c);
    }
  }
  if (f.EventID !== undefined && f.EventCode === undefined) f.EventCode = f.EventID;
  return f;
}

/** Reference output → field maps, one per event (and why the output stopped, if it did). */
export function referenceFields(xml: string): { fields: Fields[]; error?: string } {
  const r = parseEvents(xml);
  return { fields: r.events.map(fieldsOf), ...(r.error ? { error: r.error } : {}) };
}

/** `evtxexport -f xml` prints its banner line before the events. */
export function stripEvtxexportBanner(out: string): string {
  return out.replace(/^evtxexport [^\n]*\n/, '');
}

const HEX = /^0x[0-9a-fA-F]+$/;
const GUID = /^\{[0-9a-fA-F-]{36}\}$/;
const ISO_FT = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d)\.(\d{7})00Z$/;
const PY_TIME = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)(?:\.(\d{1,6}))?$/;
const PY_ARRAY = /^(?:<string>[\s\S]*?<\/string>\n?)+$/;

export type Rule =
  | 'hex-padding'
  | 'guid-case'
  | 'time-precision'
  | 'empty-attribute'
  | 'binary-base64'
  | 'string-array'
  | 'control-chars-dropped'
  | 'bool-case';

const PY_RESTRICTED = /[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f]/g;

/** Why two values are equal, or false. */
function sameValue(mine: string, ref: string, python: boolean): Rule | 'exact' | false {
  if (mine === ref) return 'exact';
  if (HEX.test(mine) && HEX.test(ref) && BigInt(mine) === BigInt(ref)) return 'hex-padding';
  if (!python) return false;
  if (GUID.test(mine) && GUID.test(ref) && mine.toUpperCase() === ref.toUpperCase()) return 'guid-case';
  const a = ISO_FT.exec(mine);
  const b = PY_TIME.exec(ref);
  if (a && b) {
    const ta = Date.parse(`${a[1]}T${a[2]}Z`) * 1000 + Number(a[3]!.slice(0, 6)) + Number(a[3]![6]) / 10;
    const tb = Date.parse(`${b[1]}T${b[2]}Z`) * 1000 + Number((b[3] ?? '').padEnd(6, '0'));
    if (Math.abs(ta - tb) <= 4) return 'time-precision';
  }
  if (/^([0-9A-F]{2})+$/.test(mine) && Buffer.from(mine, 'hex').toString('base64') === ref) return 'binary-base64';
  if ((mine === 'true' && ref === 'True') || (mine === 'false' && ref === 'False')) return 'bool-case';
  const stripped = mine.replace(PY_RESTRICTED, '');
  if (stripped !== mine && stripped === ref) return 'control-chars-dropped';
  return false;
}

export interface Mismatch {
  record: number;
  field: string;
  mine: string | string[] | undefined;
  ref: string | string[] | undefined;
}

export interface Comparison {
  fields: number;
  equal: number;
  rules: Partial<Record<Rule, number>>;
  mismatches: Mismatch[];
}

const asList = (v: string | string[] | undefined): string[] => (v === undefined ? [] : typeof v === 'string' ? [v] : v);

/** Field-by-field comparison of my events' fields with a reference's, record by record. */
export function compareFields(mine: Fields[], ref: Fields[], python: boolean, into?: Comparison): Comparison {
  const c: Comparison = into ?? { fields: 0, equal: 0, rules: {}, mismatches: [] };
  const bump = (r: Rule) => {
    c.rules[r] = (c.rules[r] ?? 0) + 1;
  };
  const n = Math.max(mine.length, ref.length);
  for (let i = 0; i < n; i++) {
    const m = mine[i] ?? {};
    const r = ref[i] ?? {};
    for (const k of new Set([...Object.keys(m), ...Object.keys(r)])) {
      c.fields++;
      let mv = asList(m[k]);
      let rv = asList(r[k]);
      let used: Rule | undefined;
      if (python && mv.length === 0 && rv.length === 1 && rv[0] === '') {
        bump('empty-attribute');
        c.equal++;
        continue;
      }
      if (python && rv.some((x) => PY_ARRAY.test(x)) && mv.length >= rv.length) {
        rv = rv.flatMap((x) =>
          PY_ARRAY.test(x) ? [...x.matchAll(/<string>([\s\S]*?)<\/string>/g)].map((m) => m[1]!) : [x],
        );
        used = 'string-array';
        // python-evtx splits arrays with a byte regex that misplaces empty strings: compare the rest.
        mv = mv.filter((x) => x !== '');
        rv = rv.filter((x) => x !== '');
      }
      let ok = mv.length === rv.length;
      if (!ok && used === 'string-array') {
        // Its regex `(?:[^\x00].)+` over UTF-16LE bytes also splits at (and drops) every character
        // whose low byte is 0 (`─` U+2500): compare the text without them.
        const squash = (xs: string[]) => [...xs.join('')].filter((ch) => (ch.charCodeAt(0) & 0xff) !== 0).join('');
        if (squash(mv) === squash(rv)) {
          mv = [];
          rv = [];
          ok = true;
        }
      }
      const why: Rule[] = [];
      for (let j = 0; ok && j < mv.length; j++) {
        const s = sameValue(mv[j]!, rv[j]!, python);
        if (s === false) ok = false;
        else if (s !== 'exact') why.push(s);
      }
      if (ok) {
        c.equal++;
        if (used) bump(used);
        for (const w of new Set(why)) bump(w);
      } else if (c.mismatches.length < 200) c.mismatches.push({ record: i + 1, field: k, mine: m[k], ref: r[k] });
      mv = [];
    }
  }
  return c;
}
