import type { RawFields } from '@dac/normalise';
import { decodeXmlEntities } from '../xml-event.js';
import {
  BinXmlError,
  type ChunkContext,
  N_CDATA,
  N_CHARREF,
  N_ELEMENT,
  N_ENTITY,
  N_PI,
  N_SUBST,
  N_TEMPLATE,
  N_TEXT,
  type ElementNode,
  isValueToken,
  MAX_ELEMENT_DEPTH,
  type Node,
  parseBinXmlValue,
  type Values,
} from './binxml.js';
import { escapeAttr, escapeText, isPlainName } from './escape.js';
import {
  P_ELEMENT,
  P_STATIC,
  type PAttr,
  type PElement,
  type Plan,
  type PNode,
  S_DATA,
  S_NONE,
  S_SKIP,
  S_SYSTEM,
  sectionFor,
} from './plan.js';
import { planAt } from './plan-cache.js';
import {
  arrayItems,
  isStringType,
  scalarText,
  T_ARRAY,
  T_BINXML,
  T_NULL,
  u16,
  u32,
  utf16,
  ValueError,
} from './values.js';

/**
 * Renders a parsed record as the single-line XML Splunk's `XmlWinEventLog` input indexes — the
 * text of Windows' EvtRender (splunk-semantics.md §5.1–5.2, the certutil `.raw` lines):
 * `<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='…' Guid='{…}'/>…`
 * - attributes in single quotes; no whitespace between elements; empty elements as `<X/>`
 *   (`<Correlation/>`, `<Security/>`) when the binary XML closes them empty, `<X></X>` when it
 *   has content that renders empty (`<Data Name='RuleName'></Data>`);
 * - an attribute whose optional substitution is null is left out (`<EventID>1</EventID>`, not
 *   `Qualifiers=''`; `<Correlation/>` without ActivityID), and so is an element whose content is
 *   an optional substitution with a null value (a classic event's `<Binary>` without data) — the
 *   meaning of the optional-substitution token (libyal's EVTX notes; libevtx does the same);
 * - text escapes `&`, `<`, `>` only (double quotes stay literal, §5.1); attribute values also
 *   escape `'` and `"`. Non-ASCII stays as is (UTF-8 when written). No `<RenderingInfo>` (no
 *   message tables offline);
 * - an array substitution repeats its element once per item (MS-EVEN6; libevtx does the same);
 *   in an attribute the items are joined by spaces [uncertain: no sample has one];
 * - a CDATA section is written as escaped text (the same XML value; the replay's XML reader
 *   rejects CDATA markup).
 *
 * Alongside the text, the renderer can hand over the fields directly, exactly as `parseEventXml`
 * would extract them from that text (System leaves and attributes, `<Data Name='X'>`, UserData
 * leaves; values escaped as in the text unless entities are decoded): values are collected while
 * they are written, so nothing is parsed twice. Anything `parseEventXml` would read differently or
 * reject (a root that is not `<Event>`, text beside the root, an element or attribute name that is
 * not a plain XML name) marks the event `unusual`, and the reader parses the text instead.
 */

export interface RenderOptions {
  /** Collect fields while rendering (the fast path). */
  fields: boolean;
  wanted?: ReadonlySet<string>;
  decodeEntities?: boolean;
  /** Longest rendered event in UTF-16 units; longer events are reported, not kept. */
  maxLength: number;
  /** Render records through compiled template plans (default); false: the reference renderer only. */
  plans?: boolean;
}

export class RenderError extends Error {
  constructor(
    message: string,
    readonly at: number,
  ) {
    super(message);
  }
}

function addField(fields: RawFields, name: string, value: string): void {
  const prev = fields[name];
  if (prev === undefined) fields[name] = value;
  else if (typeof prev === 'string') fields[name] = [prev, value];
  else prev.push(value);
}

/** Direct text of the element being written, and whether it had child elements. */
interface Acc {
  text: string;
  child: boolean;
}

/**
 * Value arrays of the plan path, shared by all renderers: rendering a record is synchronous and
 * never re-entered by another renderer, so one set (and one per BinXml nesting level) serves all
 * chunks and files without allocation.
 */
const SCRATCH = {
  types: new Uint8Array(256) as Uint8Array,
  offs: new Uint32Array(256) as Uint32Array,
  sizes: new Uint16Array(256) as Uint16Array,
  levels: [] as { types: Uint8Array; offs: Uint32Array; sizes: Uint16Array }[],
};

const unchanged = (s: string): string => s;

export class Renderer {
  out = '';
  fields: RawFields | undefined;
  unusual = false;
  private roots = 0;
  private dec: (s: string) => string = unchanged;
  /** Array substitution currently expanded: its index and the item to use. */
  private arrIndex = -1;
  private arrValues: Values | null = null;
  private arrItem = '';
  /** The record's substitution values on the plan path (reused from record to record). */
  private pCount = 0;
  private pTypes: Uint8Array = SCRATCH.types;
  private pOffs: Uint32Array = SCRATCH.offs;
  private pSizes: Uint16Array = SCRATCH.sizes;
  /** Array substitution being repeated on the plan path (-1: none) and its item. */
  private pArr = -1;
  private pArrItem = '';
  private decoding = false;
  private ctx: ChunkContext;
  private opts: RenderOptions;

  constructor(ctx: ChunkContext, opts: RenderOptions) {
    this.ctx = ctx;
    this.opts = opts;
    this.bind(ctx, opts);
  }

  /**
   * Points the renderer at another chunk (and options). The chunk reader keeps one renderer from
   * chunk to chunk and file to file instead of a new one per chunk: besides the allocation, a
   * class's object shape dies with its last instance at a full collection, and every optimised
   * function that relied on it is thrown away and compiled again (V8's "weak objects"
   * deoptimisation, measured once per pass of the floor bench over ~20 functions).
   */
  bind(ctx: ChunkContext, opts: RenderOptions): void {
    this.ctx = ctx;
    this.opts = opts;
    this.dec = opts.decodeEntities ? decodeXmlEntities : unchanged;
    this.decoding = opts.decodeEntities === true;
    // Everything else as a new renderer has it.
    this.out = '';
    this.fields = undefined;
    this.unusual = false;
    this.roots = 0;
    this.arrIndex = -1;
    this.arrValues = null;
    this.arrItem = '';
    this.pCount = 0;
    this.pTypes = SCRATCH.types;
    this.pOffs = SCRATCH.offs;
    this.pSizes = SCRATCH.sizes;
    this.pArr = -1;
    this.pArrItem = '';
    this.pLevel = 0;
    this.pChild = false;
  }

  reset(): void {
    this.out = '';
    this.fields = this.opts.fields ? (Object.create(null) as RawFields) : undefined;
    this.unusual = false;
    this.roots = 0;
  }

  private emit(s: string, acc: Acc | null): void {
    this.out += s;
    if (acc) acc.text += s;
    if (this.out.length > this.opts.maxLength)
      throw new RenderError(`rendered event longer than ${this.opts.maxLength} characters`, -1);
  }

  /** Renders the nodes of one document (a record, or a BinXml value) at element depth `depth`. */
  document(
    nodes: Node[],
    values: Values | null,
    depth: number,
    section: number,
    acc: Acc | null,
    nesting: number,
  ): void {
    for (const n of nodes) this.node(n, values, depth, section, acc, nesting);
  }

  private node(n: Node, values: Values | null, depth: number, section: number, acc: Acc | null, nesting: number): void {
    switch (n.k) {
      case N_ELEMENT:
        if (acc) acc.child = true;
        if (depth === 0) {
          this.roots++;
          if (this.roots > 1 || n.name !== 'Event') this.unusual = true;
        }
        this.element(n, values, depth, section, nesting);
        return;
      case N_TEMPLATE:
        this.document(n.template.nodes, n.values, depth, section, acc, nesting + 1);
        return;
      case N_TEXT:
        if (depth === 0) this.unusual = true;
        this.emit(escapeText(n.text), acc);
        return;
      case N_CDATA:
        if (depth === 0) this.unusual = true;
        this.emit(escapeText(n.text), acc);
        return;
      case N_CHARREF:
        if (depth === 0) this.unusual = true;
        this.emit(`&#${n.code};`, acc);
        return;
      case N_ENTITY:
        if (depth === 0 || !isPlainName(n.name)) this.unusual = true;
        this.emit(`&${n.name};`, acc);
        return;
      case N_PI:
        if (!isPlainName(n.target) || n.data.includes('?>')) this.unusual = true;
        this.emit(`<?${n.target}${n.data ? ` ${n.data}` : ''}?>`, acc);
        return;
      case N_SUBST:
        this.subst(n.index, n.optional, values, depth, section, acc, nesting);
        return;
    }
  }

  private valueAt(values: Values | null, index: number): { type: number; off: number; size: number } | null {
    if (!values || index >= values.types.length) return null;
    return { type: values.types[index]!, off: values.offsets[index]!, size: values.sizes[index]! };
  }

  private subst(
    index: number,
    _optional: boolean,
    values: Values | null,
    depth: number,
    section: number,
    acc: Acc | null,
    nesting: number,
  ): void {
    if (values === this.arrValues && index === this.arrIndex) {
      this.emit(escapeText(this.arrItem), acc);
      return;
    }
    const v = this.valueAt(values, index);
    // A substitution beyond the instance's values renders as nothing (as a Null value).
    if (!v || v.type === T_NULL) return;
    if (v.type === T_BINXML) {
      let nodes: Node[];
      try {
        nodes = parseBinXmlValue(this.ctx, v.off, v.size, nesting);
      } catch (e) {
        if (e instanceof BinXmlError) throw e;
        throw e;
      }
      this.document(nodes, null, depth, section, acc, nesting + 1);
      return;
    }
    let text: string;
    try {
      text =
        v.type & T_ARRAY
          ? arrayItems(this.ctx.buf, v.off, v.size, v.type).join(' ')
          : scalarText(this.ctx.buf, v.off, v.size, v.type);
    } catch (e) {
      if (e instanceof ValueError) throw new RenderError(`substitution ${index}: ${e.message}`, v.off);
      throw e;
    }
    this.emit(escapeText(text), acc);
  }

  /** The first direct-child substitution whose value is an array, with its items. */
  private arrayChild(el: ElementNode, values: Values | null): { index: number; items: string[] } | null {
    if (!el.children || !values) return null;
    for (const c of el.children) {
      if (c.k !== N_SUBST) continue;
      const v = this.valueAt(values, c.index);
      if (v && v.type & T_ARRAY && v.type !== (T_ARRAY | T_BINXML)) {
        try {
          return { index: c.index, items: arrayItems(this.ctx.buf, v.off, v.size, v.type) };
        } catch (e) {
          if (e instanceof ValueError) throw new RenderError(`substitution ${c.index}: ${e.message}`, v.off);
          throw e;
        }
      }
    }
    return null;
  }

  private element(el: ElementNode, values: Values | null, depth: number, parentSection: number, nesting: number): void {
    const arr = this.arrayChild(el, values);
    if (!arr) {
      this.elementOnce(el, values, depth, parentSection, nesting);
      return;
    }
    const saved = [this.arrIndex, this.arrValues, this.arrItem] as const;
    const items = arr.items.length ? arr.items : [''];
    for (const item of items) {
      this.arrIndex = arr.index;
      this.arrValues = values;
      this.arrItem = item;
      this.elementOnce(el, values, depth, parentSection, nesting);
    }
    [this.arrIndex, this.arrValues, this.arrItem] = saved;
  }

  /** An attribute's value text, or undefined when it is left out (optional substitution, null). */
  private attrValue(nodes: Node[], values: Values | null): string | undefined {
    let s = '';
    let nullOptional = false;
    for (const n of nodes) {
      switch (n.k) {
        case N_TEXT:
          s += escapeAttr(n.text);
          break;
        case N_CHARREF:
          s += `&#${n.code};`;
          break;
        case N_ENTITY:
          if (!isPlainName(n.name)) this.unusual = true;
          s += `&${n.name};`;
          break;
        case N_SUBST: {
          const v = this.valueAt(values, n.index);
          if (!v || v.type === T_NULL) {
            if (n.optional) nullOptional = true;
            break;
          }
          if (v.type === T_BINXML) {
            // Markup cannot stand in an attribute value: what parseEventXml would make of it is undefined.
            this.unusual = true;
            break;
          }
          try {
            s += escapeAttr(
              v.type & T_ARRAY
                ? arrayItems(this.ctx.buf, v.off, v.size, v.type).join(' ')
                : scalarText(this.ctx.buf, v.off, v.size, v.type),
            );
          } catch (e) {
            if (e instanceof ValueError) throw new RenderError(`substitution ${n.index}: ${e.message}`, v.off);
            throw e;
          }
          break;
        }
        default:
          this.unusual = true;
      }
    }
    return nullOptional && s === '' ? undefined : s;
  }

  /** An element whose content holds an optional substitution with a null value is not written at all. */
  private omitted(el: ElementNode, values: Values | null): boolean {
    if (!el.children) return false;
    for (const c of el.children) {
      if (c.k !== N_SUBST || !c.optional) continue;
      if (values === this.arrValues && c.index === this.arrIndex) continue;
      const v = this.valueAt(values, c.index);
      if (!v || v.type === T_NULL) return true;
    }
    return false;
  }

  private elementOnce(
    el: ElementNode,
    values: Values | null,
    depth: number,
    parentSection: number,
    nesting: number,
  ): void {
    if (this.omitted(el, values)) return;
    const name = el.name;
    if (!isPlainName(name)) this.unusual = true;
    const section =
      depth === 1
        ? name === 'System'
          ? S_SYSTEM
          : name === 'EventData' || name === 'UserData'
            ? S_DATA
            : S_SKIP
        : depth === 0
          ? S_NONE
          : parentSection;
    const fields = this.fields;
    const wanted = this.opts.wanted;
    let dataName: string | undefined;
    this.emit(`<${name}`, null);
    for (const a of el.attrs) {
      const v = this.attrValue(a.value, values);
      if (v === undefined) continue;
      if (!isPlainName(a.name)) this.unusual = true;
      this.emit(` ${a.name}='${v}'`, null);
      if (fields) {
        if (section === S_SYSTEM && depth >= 2) {
          if (!wanted || wanted.has(a.name) || a.name === 'SystemTime') fields[a.name] = this.dec(v);
        } else if (section === S_DATA && a.name === 'Name') dataName = this.dec(v);
      }
    }
    if (el.children === null) {
      this.emit('/>', null);
      if (fields && section === S_DATA && dataName !== undefined && (!wanted || wanted.has(dataName)))
        addField(fields, dataName, '');
      return;
    }
    this.emit('>', null);
    const acc: Acc = { text: '', child: false };
    this.document(el.children, values, depth + 1, section, acc, nesting);
    this.emit(`</${name}>`, null);
    if (!fields || acc.child) return;
    if (section === S_DATA) {
      const key = dataName ?? (name !== 'EventData' && name !== 'UserData' ? name : undefined);
      if (key !== undefined && (!wanted || wanted.has(key))) addField(fields, key, this.dec(acc.text));
    } else if (section === S_SYSTEM && depth === 2) {
      if (!wanted || wanted.has(name) || (name === 'EventID' && wanted.has('EventCode')))
        fields[name] = this.dec(acc.text.trim());
    }
  }

  /**
   * The plan path for one record's binary XML [start, end): when the record is the usual fragment
   * header + one template instance whose template has a plan, renders it through the plan and
   * returns true. Returns false — with nothing rendered — for anything else, including any error:
   * the caller then takes the reference path, which renders or reports the record as it always has.
   */
  record(start: number, end: number): boolean {
    try {
      const plan = this.pInstance(start, end, 0, S_NONE, 1);
      if (plan) {
        this.pArr = -1;
        this.roots = 1;
        this.pContent(plan.nodes, 0, S_NONE);
        if (this.out.length <= this.opts.maxLength) return true;
      }
    } catch {
      // The reference path reports it.
    }
    this.reset();
    return false;
  }

  /** Nesting level of the plan path (0: the record's template; +1 per BinXml value holding a template). */
  private pLevel = 0;
  private readonly pSaved = SCRATCH.levels;

  /**
   * Reads a fragment holding one template instance, [start, end), into the current value arrays:
   * returns the template's plan at `depth`/`section`, or null when the region is anything else or
   * the template has no plan. `nesting` is the reference parser's nesting of the definition.
   */
  private pInstance(start: number, end: number, depth: number, section: number, nesting: number): Plan | null {
    const b = this.ctx.buf;
    let pos = start;
    while (pos < end && b[pos] === 0x0f) {
      if (pos + 4 > end) return null;
      pos += 4;
    }
    if (pos + 14 > end || b[pos] !== 0x0c) return null;
    pos += 6;
    const defOff = u32(b, pos);
    pos += 4;
    const plan = planAt(this.ctx, defOff, nesting, depth, section);
    if (!plan) return null;
    if (defOff === pos) {
      if (pos + 24 > end) return null;
      pos += 24 + u32(b, pos + 20);
      if (pos + 4 > end) return null;
    }
    const count = u32(b, pos);
    pos += 4;
    if (count * 4 > end - pos) return null;
    if (count > this.pTypes.length) {
      this.pTypes = new Uint8Array(count);
      this.pOffs = new Uint32Array(count);
      this.pSizes = new Uint16Array(count);
      if (this.pLevel === 0) {
        SCRATCH.types = this.pTypes;
        SCRATCH.offs = this.pOffs;
        SCRATCH.sizes = this.pSizes;
      }
    }
    const types = this.pTypes;
    const sizes = this.pSizes;
    const offs = this.pOffs;
    for (let i = 0; i < count; i++) {
      sizes[i] = u16(b, pos);
      types[i] = b[pos + 2]!;
      pos += 4;
    }
    for (let i = 0; i < count; i++) {
      offs[i] = pos;
      pos += sizes[i]!;
    }
    if (pos > end || (pos < end && b[pos] !== 0x00)) return null;
    this.pCount = count;
    return plan;
  }

  /**
   * Content nodes at `depth` in `section` on the plan path; returns their direct text (what the
   * reference collects in the element's Acc) and sets `pChild` when an element was written.
   */
  private pChild = false;
  private pContent(nodes: PNode[], depth: number, section: number): string {
    let text = '';
    let child = false;
    for (let j = 0; j < nodes.length; j++) {
      const c = nodes[j]!;
      if (c.k === P_STATIC) {
        this.out += c.text;
        text += c.text;
        continue;
      }
      if (c.k === P_ELEMENT) {
        child = true;
        const i = c.leafIndex;
        if (i >= 0) {
          const t = i < this.pCount ? this.pTypes[i]! : T_NULL;
          if (i !== this.pArr && (t & T_ARRAY) === 0 && t !== T_BINXML) {
            // One step for the usual leaf (same text and field as pElement → pOnce).
            let v = '';
            if (t === T_NULL) {
              if (c.leafOptional) continue; // left out, as pOnce
            } else v = this.pText(i, false);
            this.out += c.leafOpen + v + c.close;
            const fields = this.fields;
            if (fields !== undefined && c.leafKey !== undefined) {
              const wanted = this.opts.wanted;
              if (c.section === S_DATA) {
                const key = this.decoding ? c.leafKeyDecoded! : c.leafKey;
                if (!wanted || wanted.has(key)) addField(fields, key, this.dec(v));
              } else if (!wanted || wanted.has(c.name) || (c.name === 'EventID' && wanted.has('EventCode')))
                fields[c.name] = this.dec(v.trim());
            }
            continue;
          }
        }
        this.pElement(c);
        continue;
      }
      const i = c.index;
      if (i === this.pArr) {
        const s = escapeText(this.pArrItem);
        this.out += s;
        text += s;
        continue;
      }
      const t = i < this.pCount ? this.pTypes[i]! : T_NULL;
      if (t === T_NULL) continue;
      if (t === T_BINXML) {
        text += this.pBinXml(this.pOffs[i]!, this.pSizes[i]!, depth, section);
        if (this.pChild) child = true;
        continue;
      }
      const s = this.pText(i, false);
      this.out += s;
      text += s;
    }
    this.pChild = child;
    return text;
  }

  /** A BinXml substitution value: a nested template instance through its plan, else the reference renderer. */
  private pBinXml(off: number, size: number, depth: number, section: number): string {
    const level = this.pLevel;
    if (level < 4) {
      // Switch to this level's value arrays; the enclosing instance's are restored after.
      const saved = { types: this.pTypes, offs: this.pOffs, sizes: this.pSizes };
      const count = this.pCount;
      const arr = this.pArr;
      const item = this.pArrItem;
      const mine = this.pSaved[level];
      if (mine) {
        this.pTypes = mine.types;
        this.pOffs = mine.offs;
        this.pSizes = mine.sizes;
      } else {
        this.pTypes = new Uint8Array(64);
        this.pOffs = new Uint32Array(64);
        this.pSizes = new Uint16Array(64);
      }
      this.pLevel = level + 1;
      let text: string | undefined;
      try {
        // Reference nesting: BinXml fragment 2·level + 2, its template definition one more.
        const plan = this.pInstance(off, off + size, depth, section, 2 * level + 3);
        if (plan) {
          this.pArr = -1;
          text = this.pContent(plan.nodes, depth, section);
        }
      } finally {
        this.pSaved[level] = { types: this.pTypes, offs: this.pOffs, sizes: this.pSizes };
        this.pTypes = saved.types;
        this.pOffs = saved.offs;
        this.pSizes = saved.sizes;
        this.pCount = count;
        this.pArr = arr;
        this.pArrItem = item;
        this.pLevel = level;
      }
      if (text !== undefined) return text;
    }
    const acc: Acc = { text: '', child: false };
    const nodes = parseBinXmlValue(this.ctx, off, size, 2 * level + 1);
    this.document(nodes, null, depth, section, acc, 2 * level + 2);
    this.pChild = acc.child;
    return acc.text;
  }

  /** Substitution `i`'s text escaped for content or (`attr`) an attribute value; only strings need escaping. */
  private pText(i: number, attr: boolean): string {
    const t = this.pTypes[i]!;
    const off = this.pOffs[i]!;
    try {
      const text =
        t & T_ARRAY
          ? arrayItems(this.ctx.buf, off, this.pSizes[i]!, t).join(' ')
          : scalarText(this.ctx.buf, off, this.pSizes[i]!, t);
      if (!isStringType(t)) return text;
      return attr ? escapeAttr(text) : escapeText(text);
    } catch (e) {
      if (e instanceof ValueError) throw new RenderError(`substitution ${i}: ${e.message}`, off);
      throw e;
    }
  }

  private pElement(el: PElement): void {
    const substs = el.substs;
    for (let j = 0; j < substs.length; j++) {
      const i = substs[j]!.index;
      if (i >= this.pCount) continue;
      const t = this.pTypes[i]!;
      if (t & T_ARRAY && t !== (T_ARRAY | T_BINXML)) {
        let items: string[];
        try {
          items = arrayItems(this.ctx.buf, this.pOffs[i]!, this.pSizes[i]!, t);
        } catch (e) {
          if (e instanceof ValueError) throw new RenderError(`substitution ${i}: ${e.message}`, this.pOffs[i]!);
          throw e;
        }
        const savedArr = this.pArr;
        const savedItem = this.pArrItem;
        if (items.length === 0) items = [''];
        for (const item of items) {
          this.pArr = i;
          this.pArrItem = item;
          this.pOnce(el);
        }
        this.pArr = savedArr;
        this.pArrItem = savedItem;
        return;
      }
    }
    this.pOnce(el);
  }

  /** An attribute's value on the plan path, or undefined when it is left out (as attrValue). */
  private pAttr(a: PAttr): string | undefined {
    let s = '';
    let nullOptional = false;
    const parts = a.parts;
    for (let j = 0; j < parts.length; j++) {
      const p = parts[j]!;
      if (typeof p === 'string') {
        s += p;
        continue;
      }
      const i = p.index;
      const t = i < this.pCount ? this.pTypes[i]! : T_NULL;
      if (t === T_NULL) {
        if (p.optional) nullOptional = true;
        continue;
      }
      if (t === T_BINXML) {
        this.unusual = true;
        continue;
      }
      s += this.pText(i, true);
    }
    return nullOptional && s === '' ? undefined : s;
  }

  private pOnce(el: PElement): void {
    const substs = el.substs;
    if (el.hasOptional)
      for (let j = 0; j < substs.length; j++) {
        const c = substs[j]!;
        if (!c.optional || c.index === this.pArr) continue;
        if (c.index >= this.pCount || this.pTypes[c.index] === T_NULL) return;
      }
    const fields = this.fields;
    const wanted = this.opts.wanted;
    const section = el.section;
    let dataName: string | undefined;
    this.out += el.open;
    const attrs = el.attrs;
    for (let j = 0; j < attrs.length; j++) {
      const a = attrs[j]!;
      let v: string | undefined;
      if (a.whole !== undefined) {
        this.out += a.whole;
        if (fields === undefined || a.role === 0) continue;
        v = this.decoding ? a.valueDecoded : a.value;
      } else {
        const raw = this.pAttr(a);
        if (raw === undefined) continue;
        this.out += `${a.prefix}${raw}'`;
        if (fields === undefined || a.role === 0) continue;
        v = this.dec(raw);
      }
      if (a.role === 1) {
        if (!wanted || wanted.has(a.name) || a.name === 'SystemTime') fields[a.name] = v;
      } else dataName = v;
    }
    const children = el.children;
    if (children === null) {
      this.out += '/>';
      if (fields && section === S_DATA && dataName !== undefined && (!wanted || wanted.has(dataName)))
        addField(fields, dataName, '');
      return;
    }
    this.out += '>';
    const text = this.pContent(children, el.depth + 1, section);
    const child = this.pChild;
    this.out += el.close;
    if (this.out.length > this.opts.maxLength)
      throw new RenderError(`rendered event longer than ${this.opts.maxLength} characters`, -1);
    if (!fields || child) return;
    if (section === S_DATA) {
      const key = dataName ?? el.dataKey;
      if (key !== undefined && (!wanted || wanted.has(key))) addField(fields, key, this.dec(text));
    } else if (section === S_SYSTEM && el.depth === 2) {
      const name = el.name;
      if (!wanted || wanted.has(name) || (name === 'EventID' && wanted.has('EventCode')))
        fields[name] = this.dec(text.trim());
    }
  }

  /** Cursor of the streaming path. */
  private sPos = 0;
  private sEnd = 0;

  /**
   * The streaming path for records stored without templates (Event Viewer's "Save as"): the token
   * stream is rendered as it is read, with no node tree — the same checks as the Parser, the same
   * output as the reference renderer. Returns false, with nothing rendered, for anything it does
   * not take (a template instance, a processing instruction at document level) or any error: the
   * caller then takes the reference path.
   */
  stream(start: number, end: number): boolean {
    const b = this.ctx.buf;
    this.sPos = start;
    this.sEnd = end;
    try {
      while (this.sPos < end) {
        const t = b[this.sPos]!;
        if (t === 0x00) {
          this.sPos++;
          break;
        }
        if (t === 0x0f) {
          if (this.sPos + 4 > end) throw new BinXmlError('fragment header', this.sPos);
          this.sPos += 4;
        } else if ((t & 0xbf) === 0x01) {
          this.roots++;
          const name = this.sElement(0, S_NONE);
          if (this.roots > 1 || name !== 'Event') this.unusual = true;
        } else throw new BinXmlError('not streamed', this.sPos);
      }
      if (this.out.length <= this.opts.maxLength) return true;
    } catch {
      // The reference path renders or reports it.
    }
    this.reset();
    return false;
  }

  private sNeed(n: number): void {
    if (this.sPos + n > this.sEnd) throw new BinXmlError('token stream ends early', this.sPos);
  }
  private sWord(): number {
    this.sNeed(2);
    const v = u16(this.ctx.buf, this.sPos);
    this.sPos += 2;
    return v;
  }
  private sDword(): number {
    this.sNeed(4);
    const v = u32(this.ctx.buf, this.sPos);
    this.sPos += 4;
    return v;
  }
  private sCounted(): string {
    const n = this.sWord();
    this.sNeed(2 * n);
    const s = utf16(this.ctx.buf, this.sPos, n);
    this.sPos += 2 * n;
    return s;
  }
  private sName(): string {
    const off = this.sDword();
    if (off === this.sPos) {
      const s = this.ctx.name(off, this.sEnd);
      this.sPos += 10 + 2 * s.length;
      return s;
    }
    return this.ctx.name(off, this.ctx.buf.length);
  }
  /** A value token in an attribute or content: its escaped text (as the reference renders it). */
  private sValue(attr: boolean): string {
    const b = this.ctx.buf;
    this.sNeed(1);
    const t = b[this.sPos++]!;
    switch (t & 0xbf) {
      case 0x05: {
        this.sNeed(1);
        if (b[this.sPos++] !== 0x01) throw new BinXmlError('value type', this.sPos - 1);
        const text = this.sCounted();
        return attr ? escapeAttr(text) : escapeText(text);
      }
      case 0x08:
        return `&#${this.sWord()};`;
      case 0x09: {
        const n = this.sName();
        if (!isPlainName(n)) this.unusual = true;
        return `&${n};`;
      }
      default:
        throw new BinXmlError('substitution outside a template definition', this.sPos - 1);
    }
  }

  /** One element at `depth` (cursor on its start token); returns its name. */
  private sElement(depth: number, parentSection: number): string {
    if (depth >= MAX_ELEMENT_DEPTH) throw new BinXmlError('nesting', this.sPos);
    const b = this.ctx.buf;
    const tok = b[this.sPos++]!;
    const size = this.sDword();
    if (this.sPos + size > this.sEnd) throw new BinXmlError('element size', this.sPos);
    const name = this.sName();
    if (!isPlainName(name)) this.unusual = true;
    const section = sectionFor(depth, name, parentSection);
    const fields = this.fields;
    const wanted = this.opts.wanted;
    let dataName: string | undefined;
    this.out += `<${name}`;
    if (tok & 0x40) {
      this.sDword(); // attribute list size
      while (this.sPos < this.sEnd && (b[this.sPos]! & 0xbf) === 0x06) {
        this.sPos++;
        const an = this.sName();
        let v = '';
        while (this.sPos < this.sEnd && isValueToken(b[this.sPos]!)) v += this.sValue(true);
        if (!isPlainName(an)) this.unusual = true;
        this.out += ` ${an}='${v}'`;
        if (fields) {
          if (section === S_SYSTEM && depth >= 2) {
            if (!wanted || wanted.has(an) || an === 'SystemTime') fields[an] = this.dec(v);
          } else if (section === S_DATA && an === 'Name') dataName = this.dec(v);
        }
      }
    }
    this.sNeed(1);
    const close = b[this.sPos++]!;
    if (close === 0x03) {
      this.out += '/>';
      if (fields && section === S_DATA && dataName !== undefined && (!wanted || wanted.has(dataName)))
        addField(fields, dataName, '');
      return name;
    }
    if (close !== 0x02) throw new BinXmlError('start tag', this.sPos - 1);
    this.out += '>';
    let text = '';
    let child = false;
    for (;;) {
      if (this.sPos >= this.sEnd) throw new BinXmlError('not closed', this.sPos);
      const t = b[this.sPos]!;
      if (t === 0x04) {
        this.sPos++;
        break;
      }
      let s: string;
      if ((t & 0xbf) === 0x01) {
        child = true;
        this.sElement(depth + 1, section);
        continue;
      }
      if (isValueToken(t)) s = this.sValue(false);
      else if ((t & 0xbf) === 0x07) {
        this.sPos++;
        s = escapeText(this.sCounted());
      } else if (t === 0x0a) {
        this.sPos++;
        const target = this.sName();
        let data = '';
        if (this.sPos < this.sEnd && b[this.sPos] === 0x0b) {
          this.sPos++;
          data = this.sCounted();
        }
        if (!isPlainName(target) || data.includes('?>')) this.unusual = true;
        s = `<?${target}${data ? ` ${data}` : ''}?>`;
      } else throw new BinXmlError('not streamed', this.sPos);
      this.out += s;
      text += s;
    }
    this.out += `</${name}>`;
    if (this.out.length > this.opts.maxLength)
      throw new RenderError(`rendered event longer than ${this.opts.maxLength} characters`, -1);
    if (!fields || child) return name;
    if (section === S_DATA) {
      const key = dataName ?? (name !== 'EventData' && name !== 'UserData' ? name : undefined);
      if (key !== undefined && (!wanted || wanted.has(key))) addField(fields, key, this.dec(text));
    } else if (section === S_SYSTEM && depth === 2) {
      if (!wanted || wanted.has(name) || (name === 'EventID' && wanted.has('EventCode')))
        fields[name] = this.dec(text.trim());
    }
    return name;
  }
}
