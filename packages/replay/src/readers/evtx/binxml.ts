import type { PlanEntry } from './plan-cache.js';
import { u16, u32, utf16 } from './values.js';

/**
 * The binary XML token stream of EVTX (MS-EVEN6 §3.1.4.7 "BinXml"; libyal's EVTX notes
 * §"Binary XML"), parsed into a small tree. Template definitions are parsed once per chunk (they
 * are addressed by chunk offset) and shared by every record that instantiates them; a record then
 * contributes only its substitution values.
 *
 * Safety: every read is bounds-checked against the region being parsed (the chunk, the record, a
 * template's declared data, a BinXml value); every token consumes at least one byte, so no loop
 * can spin; element nesting and template/BinXml nesting are capped (`MAX_ELEMENT_DEPTH`,
 * `MAX_NESTING`), and a template definition may not instantiate a template. Any violation throws a
 * `BinXmlError` carrying the chunk offset, which the chunk reader reports with the record.
 */

export const N_ELEMENT = 0;
export const N_TEXT = 1;
export const N_SUBST = 2;
export const N_CHARREF = 3;
export const N_ENTITY = 4;
export const N_CDATA = 5;
export const N_PI = 6;
export const N_TEMPLATE = 7;

export interface ElementNode {
  k: typeof N_ELEMENT;
  name: string;
  attrs: AttributeNode[];
  /** Null for an empty element (`<X/>`, close-empty-element token). */
  children: Node[] | null;
}
export interface AttributeNode {
  name: string;
  value: Node[];
}
export interface TextNode {
  k: typeof N_TEXT;
  text: string;
}
export interface SubstNode {
  k: typeof N_SUBST;
  index: number;
  optional: boolean;
  type: number;
}
export interface CharRefNode {
  k: typeof N_CHARREF;
  code: number;
}
export interface EntityNode {
  k: typeof N_ENTITY;
  name: string;
}
export interface CDataNode {
  k: typeof N_CDATA;
  text: string;
}
export interface PINode {
  k: typeof N_PI;
  target: string;
  data: string;
}
/** A template instance: the shared definition plus this instance's values (offsets into the chunk). */
export interface TemplateNode {
  k: typeof N_TEMPLATE;
  template: Template;
  values: Values;
}
export type Node = ElementNode | TextNode | SubstNode | CharRefNode | EntityNode | CDataNode | PINode | TemplateNode;

export interface Template {
  /** Chunk offset of the definition. */
  offset: number;
  guid: string;
  nodes: Node[];
  /**
   * The name references of the definition, for the cross-file plan cache (plan-cache.ts): pairs of
   * (offset of the name's u32 relative to the definition's data, 1 = the name is stored inline
   * right after it / 0 = it refers elsewhere); `refNames` holds the names of the latter, in order.
   */
  refs: number[];
  refNames: string[];
}

/** Substitution values of one template instance: type, chunk offset and size of each. */
export interface Values {
  types: Uint8Array;
  offsets: Uint32Array;
  sizes: Uint16Array;
}

export class BinXmlError extends Error {
  constructor(
    message: string,
    /** Offset in the chunk where the problem was found. */
    readonly at: number,
  ) {
    super(message);
  }
}

/** Deepest element nesting accepted (Windows events nest 3–6 deep). */
export const MAX_ELEMENT_DEPTH = 64;
/** Deepest nesting of template instances and BinXml values inside one record. */
export const MAX_NESTING = 16;

/** Parsing state for one 64 KiB chunk: the chunk's names and templates, read once. */
export class ChunkContext {
  private readonly names = new Map<number, string>();
  private readonly templates = new Map<number, Template>();
  /** Plan-cache entries of this chunk's templates by definition offset. */
  readonly plans = new Map<number, PlanEntry>();
  constructor(public buf: Buffer) {}

  /** Starts over on another chunk's bytes (the chunk reader reuses one context, see Renderer.bind). */
  reuse(buf: Buffer): void {
    this.buf = buf;
    this.names.clear();
    this.templates.clear();
    this.plans.clear();
  }

  /** Name structure at `off`: u32 next, u16 hash, u16 count, UTF-16 text, u16 NUL. Returns [name, size]. */
  name(off: number, limit: number): string {
    const cached = this.names.get(off);
    if (cached !== undefined) return cached;
    if (off < 0 || off + 8 > limit) throw new BinXmlError(`name offset 0x${off.toString(16)} out of bounds`, off);
    const n = u16(this.buf, off + 6);
    if (off + 8 + 2 * n + 2 > limit)
      throw new BinXmlError(`name of ${n} characters at 0x${off.toString(16)} runs past its data`, off);
    const s = utf16(this.buf, off + 8, n);
    this.names.set(off, s);
    return s;
  }

  template(defOff: number, limit: number, depth: number): Template {
    const cached = this.templates.get(defOff);
    if (cached) return cached;
    const b = this.buf;
    if (defOff + 24 > limit)
      throw new BinXmlError(`template definition at 0x${defOff.toString(16)} out of bounds`, defOff);
    let guid = '';
    for (let i = 0; i < 16; i++) guid += b[defOff + 4 + i]!.toString(16).padStart(2, '0');
    const size = u32(b, defOff + 20);
    const start = defOff + 24;
    if (start + size > limit)
      throw new BinXmlError(
        `template definition at 0x${defOff.toString(16)} declares ${size} bytes, past the end of its chunk`,
        defOff,
      );
    const p = new Parser(this, start, start + size, true, depth);
    p.refs = [];
    p.refNames = [];
    const nodes = p.fragment();
    const t: Template = { offset: defOff, guid, nodes, refs: p.refs, refNames: p.refNames };
    this.templates.set(defOff, t);
    return t;
  }
}

export const isValueToken = (t: number) =>
  t === 0x05 || t === 0x45 || t === 0x0d || t === 0x0e || t === 0x08 || t === 0x48 || t === 0x09 || t === 0x49;

/** A cursor over one region [pos, end) of the chunk. */
export class Parser {
  pos: number;
  /** Name references seen (template definitions only, see Template.refs). */
  refs: number[] | null = null;
  refNames: string[] | null = null;
  constructor(
    readonly ctx: ChunkContext,
    readonly start: number,
    readonly end: number,
    /** Inside a template definition: substitutions allowed, template instances not. */
    readonly inTemplate: boolean,
    /** Template/BinXml nesting level of this region. */
    readonly nesting: number,
  ) {
    this.pos = start;
    if (nesting > MAX_NESTING) throw new BinXmlError(`templates or BinXml nested deeper than ${MAX_NESTING}`, start);
  }

  private need(n: number): void {
    if (this.pos + n > this.end)
      throw new BinXmlError(`token stream ends early (needs ${n} bytes at 0x${this.pos.toString(16)})`, this.pos);
  }
  private byte(): number {
    this.need(1);
    return this.ctx.buf[this.pos++]!;
  }
  private word(): number {
    this.need(2);
    const v = u16(this.ctx.buf, this.pos);
    this.pos += 2;
    return v;
  }
  private dword(): number {
    this.need(4);
    const v = u32(this.ctx.buf, this.pos);
    this.pos += 4;
    return v;
  }
  /** Counted UTF-16 string: u16 count, then the characters. */
  private counted(): string {
    const n = this.word();
    this.need(2 * n);
    const s = utf16(this.ctx.buf, this.pos, n);
    this.pos += 2 * n;
    return s;
  }
  /** A name reference; a name stored inline (offset = here) is read and skipped. */
  private nameRef(): string {
    const off = this.dword();
    const refs = this.refs;
    if (off === this.pos) {
      const s = this.ctx.name(off, this.end);
      if (refs) refs.push(off - 4 - this.start, 1);
      this.pos += 10 + 2 * s.length;
      return s;
    }
    // Names are stored once per chunk and referenced afterwards: anywhere in the chunk.
    const s = this.ctx.name(off, this.ctx.buf.length);
    if (refs) {
      refs.push(this.pos - 4 - this.start, 0);
      this.refNames!.push(s);
    }
    return s;
  }

  /**
   * A document: fragment headers, elements or template instances, up to EOF (or the region's end).
   */
  fragment(): Node[] {
    const out: Node[] = [];
    while (this.pos < this.end) {
      const t = this.ctx.buf[this.pos]!;
      if (t === 0x00) {
        this.pos++;
        break;
      }
      if (t === 0x0f) {
        this.need(4);
        this.pos += 4;
      } else if ((t & 0xbf) === 0x01) out.push(this.element(0));
      else if (t === 0x0c) out.push(this.templateInstance());
      else if (t === 0x0a) out.push(this.pi());
      else
        throw new BinXmlError(
          `unexpected token 0x${t.toString(16)} at document level (0x${this.pos.toString(16)})`,
          this.pos,
        );
    }
    return out;
  }

  private element(depth: number): ElementNode {
    if (depth >= MAX_ELEMENT_DEPTH) throw new BinXmlError(`elements nested deeper than ${MAX_ELEMENT_DEPTH}`, this.pos);
    const tok = this.byte();
    // The dependency identifier exists only in template definitions: records without a template and
    // BinXml values start with the data size (checked on the corpus; libyal's notes say the same for BinXml).
    if (this.inTemplate) this.word();
    const size = this.dword();
    const dataEnd = this.pos + size;
    if (dataEnd > this.end)
      throw new BinXmlError(
        `element declares ${size} bytes, past the end of its data (0x${this.end.toString(16)})`,
        this.pos,
      );
    const name = this.nameRef();
    const attrs: AttributeNode[] = [];
    if (tok & 0x40) {
      this.dword(); // attribute list size
      while (this.pos < this.end && (this.ctx.buf[this.pos]! & 0xbf) === 0x06) {
        this.pos++;
        const an = this.nameRef();
        const value: Node[] = [];
        while (this.pos < this.end && isValueToken(this.ctx.buf[this.pos]!)) value.push(this.value());
        attrs.push({ name: an, value });
      }
    }
    const close = this.byte();
    if (close === 0x03) return { k: N_ELEMENT, name, attrs, children: null };
    if (close !== 0x02)
      throw new BinXmlError(
        `expected the end of the start tag of <${name}>, got token 0x${close.toString(16)}`,
        this.pos - 1,
      );
    const children = this.content(depth, name);
    return { k: N_ELEMENT, name, attrs, children };
  }

  private content(depth: number, name: string): Node[] {
    const out: Node[] = [];
    for (;;) {
      if (this.pos >= this.end) throw new BinXmlError(`<${name}> is not closed before its data ends`, this.pos);
      const t = this.ctx.buf[this.pos]!;
      if (t === 0x04) {
        this.pos++;
        return out;
      }
      if ((t & 0xbf) === 0x01) out.push(this.element(depth + 1));
      else if (isValueToken(t)) out.push(this.value());
      else if ((t & 0xbf) === 0x07) {
        this.pos++;
        out.push({ k: N_CDATA, text: this.counted() });
      } else if (t === 0x0a) out.push(this.pi());
      else if (t === 0x0c) out.push(this.templateInstance());
      else
        throw new BinXmlError(
          `unexpected token 0x${t.toString(16)} in <${name}> (0x${this.pos.toString(16)})`,
          this.pos,
        );
    }
  }

  /** Text, substitution, character or entity reference. */
  private value(): Node {
    const t = this.byte();
    switch (t & 0xbf) {
      case 0x05: {
        const vt = this.byte();
        if (vt !== 0x01)
          throw new BinXmlError(`value token of type 0x${vt.toString(16)} (only strings are defined)`, this.pos - 1);
        return { k: N_TEXT, text: this.counted() };
      }
      case 0x0d:
      case 0x0e: {
        if (!this.inTemplate) throw new BinXmlError('substitution outside a template definition', this.pos - 1);
        const index = this.word();
        const type = this.byte();
        return { k: N_SUBST, index, optional: t === 0x0e, type };
      }
      case 0x08:
        return { k: N_CHARREF, code: this.word() };
      default:
        return { k: N_ENTITY, name: this.nameRef() };
    }
  }

  private pi(): PINode {
    this.pos++;
    const target = this.nameRef();
    let data = '';
    if (this.pos < this.end && this.ctx.buf[this.pos] === 0x0b) {
      this.pos++;
      data = this.counted();
    }
    return { k: N_PI, target, data };
  }

  /** Template instance: definition (inline or by offset) followed by this instance's values. */
  private templateInstance(): TemplateNode {
    const at = this.pos;
    if (this.inTemplate) throw new BinXmlError('template instance inside a template definition', at);
    this.pos++;
    this.byte(); // unknown (1)
    this.dword(); // template identifier
    const defOff = this.dword();
    const template = this.ctx.template(defOff, this.ctx.buf.length, this.nesting + 1);
    if (defOff === this.pos) {
      // Inline definition: skip it (next-offset, GUID, size, data).
      this.need(24);
      const size = u32(this.ctx.buf, this.pos + 20);
      this.need(24 + size);
      this.pos += 24 + size;
    }
    const count = this.dword();
    if (count * 4 > this.end - this.pos)
      throw new BinXmlError(`template instance declares ${count} values, more than its data holds`, at);
    const types = new Uint8Array(count);
    const sizes = new Uint16Array(count);
    const offsets = new Uint32Array(count);
    const b = this.ctx.buf;
    for (let i = 0; i < count; i++) {
      sizes[i] = u16(b, this.pos);
      types[i] = b[this.pos + 2]!;
      this.pos += 4;
    }
    for (let i = 0; i < count; i++) {
      offsets[i] = this.pos;
      this.need(sizes[i]!);
      this.pos += sizes[i]!;
    }
    return { k: N_TEMPLATE, template, values: { types, offsets, sizes } };
  }
}

/** Parses a BinXml (0x21) substitution value: a fragment of its own, one nesting level down. */
export function parseBinXmlValue(ctx: ChunkContext, off: number, size: number, nesting: number): Node[] {
  return new Parser(ctx, off, off + size, false, nesting + 1).fragment();
}
