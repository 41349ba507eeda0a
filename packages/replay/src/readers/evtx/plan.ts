import { decodeXmlEntities } from '../xml-event.js';
import { N_CDATA, N_CHARREF, N_ELEMENT, N_SUBST, N_TEXT, type ElementNode, type Node } from './binxml.js';
import { escapeAttr, escapeText, isPlainName } from './escape.js';

/**
 * Render plans: a template definition compiled once into what the renderer needs for every record
 * that instantiates it — the markup between substitutions as ready-escaped strings, each element's
 * section (System / EventData / UserData) and field role, the direct substitutions an element
 * holds (for array repetition and optional-null omission). Executing a plan (`Renderer.plan`)
 * produces exactly the text and fields the reference renderer (`Renderer.document` over the parsed
 * node tree) produces for the same record: the property tests check that on every record of the
 * corpus and on mutated files.
 *
 * A template whose shape the fast fields would not mirror exactly (a root that is not one
 * `<Event>`, names that are not plain XML names, entities, processing instructions, CDATA or
 * markup at document level) gets no plan: its records take the reference renderer.
 */

export const S_NONE = 0;
export const S_SYSTEM = 1;
export const S_DATA = 2;
export const S_SKIP = 3;

export const P_STATIC = 0;
export const P_ELEMENT = 1;
export const P_SUBST = 2;

export interface PStatic {
  k: typeof P_STATIC;
  /** Escaped markup or text, appended to the output and to the element's direct text. */
  text: string;
}
export interface PSubst {
  k: typeof P_SUBST;
  index: number;
  optional: boolean;
}
/** Attribute roles: 0 none, 1 a System field (`Name` → fields[Name]), 2 the `<Data Name=…>` key. */
export interface PAttr {
  name: string;
  /** ` Name='` */
  prefix: string;
  /** The whole ` Name='value'` when the value has no substitution. */
  whole: string | undefined;
  /** Static value (escaped) and its entity-decoded form, when `whole` is set. */
  value: string;
  valueDecoded: string;
  parts: (string | PSubst)[];
  role: 0 | 1 | 2;
}
export interface PElement {
  k: typeof P_ELEMENT;
  name: string;
  open: string;
  close: string;
  attrs: PAttr[];
  children: PNode[] | null;
  /** Direct substitution children, in order. */
  substs: PSubst[];
  hasOptional: boolean;
  /** Has a child element in the template itself (so it is never a leaf field). */
  elementChild: boolean;
  depth: number;
  section: number;
  /** Field name of a leaf in EventData/UserData without a Name attribute. */
  dataKey: string | undefined;
  /**
   * A leaf: static attributes (none a System field) and exactly one substitution as content —
   * `<Data Name='Image'>%7</Data>`, `<EventID>%3</EventID>`, most of an event. The renderer takes
   * it in one step unless the value is an array, BinXml, or the array item being repeated.
   */
  leaf: boolean;
  /** A leaf's substitution index (-1: not a leaf) and whether it is optional (read once here, not through children[0]). */
  leafIndex: number;
  leafOptional: boolean;
  /** `<Name attrs>` of a leaf. */
  leafOpen: string;
  /** The leaf's field (S_DATA: the Name attribute or the element name; S_SYSTEM: the element name), raw and decoded. */
  leafKey: string | undefined;
  leafKeyDecoded: string | undefined;
}
export type PNode = PStatic | PElement | PSubst;

export interface Plan {
  /** The nodes at the instance's depth: the `<Event>` root for a record; any content in a BinXml value. */
  nodes: PNode[];
}

class NoPlan extends Error {}

export function sectionFor(depth: number, name: string, parent: number): number {
  if (depth === 1) return name === 'System' ? S_SYSTEM : name === 'EventData' || name === 'UserData' ? S_DATA : S_SKIP;
  return depth === 0 ? S_NONE : parent;
}

function compileAttrs(el: ElementNode, depth: number, section: number): PAttr[] {
  const out: PAttr[] = [];
  for (const a of el.attrs) {
    if (!isPlainName(a.name)) throw new NoPlan();
    const parts: (string | PSubst)[] = [];
    let stat = '';
    let dynamic = false;
    for (const n of a.value) {
      switch (n.k) {
        case N_TEXT:
          stat += escapeAttr(n.text);
          break;
        case N_CHARREF:
          stat += `&#${n.code};`;
          break;
        case N_SUBST:
          if (stat) parts.push(stat);
          stat = '';
          parts.push({ k: P_SUBST, index: n.index, optional: n.optional });
          dynamic = true;
          break;
        default:
          // Entities (and anything else) in attribute values: the reference renderer's business.
          throw new NoPlan();
      }
    }
    if (stat) parts.push(stat);
    const role = section === S_SYSTEM && depth >= 2 ? 1 : section === S_DATA && a.name === 'Name' ? 2 : 0;
    out.push({
      name: a.name,
      prefix: ` ${a.name}='`,
      whole: dynamic ? undefined : ` ${a.name}='${stat}'`,
      value: dynamic ? '' : stat,
      valueDecoded: dynamic ? '' : decodeXmlEntities(stat),
      parts,
      role,
    });
  }
  return out;
}

interface Compiled {
  children: PNode[];
  substs: PSubst[];
  elementChild: boolean;
}

/** Content nodes rendered at `depth` in `section` (an element's children, or a nested template's nodes). */
function compileContent(nodes: Node[], depth: number, section: number): Compiled {
  const children: PNode[] = [];
  const substs: PSubst[] = [];
  let elementChild = false;
  const push = (text: string) => {
    const last = children[children.length - 1];
    if (last && last.k === P_STATIC) last.text += text;
    else children.push({ k: P_STATIC, text });
  };
  for (const c of nodes)
    switch (c.k) {
      case N_ELEMENT:
        elementChild = true;
        children.push(compileElement(c, depth, section));
        break;
      case N_TEXT:
      case N_CDATA:
        push(escapeText(c.text));
        break;
      case N_CHARREF:
        push(`&#${c.code};`);
        break;
      case N_SUBST: {
        const s: PSubst = { k: P_SUBST, index: c.index, optional: c.optional };
        substs.push(s);
        children.push(s);
        break;
      }
      default:
        throw new NoPlan();
    }
  return { children, substs, elementChild };
}

function compileElement(el: ElementNode, depth: number, parentSection: number): PElement {
  if (depth > 64 || !isPlainName(el.name)) throw new NoPlan();
  const name = el.name;
  const section = sectionFor(depth, name, parentSection);
  const attrs = compileAttrs(el, depth, section);
  const c = el.children ? compileContent(el.children, depth + 1, section) : null;
  const substs = c ? c.substs : [];
  const leaf =
    c !== null &&
    c.children.length === 1 &&
    c.children[0]!.k === P_SUBST &&
    attrs.every((a) => a.whole && a.role !== 1);
  let leafKey: string | undefined;
  let leafKeyDecoded: string | undefined;
  if (leaf && section === S_DATA) {
    for (const a of attrs)
      if (a.role === 2) {
        leafKey = a.value;
        leafKeyDecoded = a.valueDecoded;
      }
    if (leafKey === undefined && name !== 'EventData' && name !== 'UserData') leafKey = leafKeyDecoded = name;
  } else if (leaf && section === S_SYSTEM && depth === 2) leafKey = leafKeyDecoded = name;
  return {
    k: P_ELEMENT,
    name,
    open: `<${name}`,
    close: `</${name}>`,
    attrs,
    children: c ? c.children : null,
    substs,
    hasOptional: substs.some((s) => s.optional),
    elementChild: c ? c.elementChild : false,
    depth,
    section,
    dataKey: name !== 'EventData' && name !== 'UserData' ? name : undefined,
    leaf,
    leafIndex: leaf ? (c!.children[0] as PSubst).index : -1,
    leafOptional: leaf ? (c!.children[0] as PSubst).optional : false,
    leafOpen: `<${name}${attrs.map((a) => a.whole).join('')}>`,
    leafKey,
    leafKeyDecoded,
  };
}

/**
 * The plan of a template instantiated at `depth` in `section`: as a record (depth 0) it must be
 * exactly one `<Event>` element; inside a BinXml value (depth ≥ 1) any content. Null: the
 * reference renderer's business.
 */
export function compilePlan(nodes: Node[], depth: number, section: number): Plan | null {
  if (depth === 0) {
    const root = nodes[0];
    if (nodes.length !== 1 || root?.k !== N_ELEMENT || root.name !== 'Event') return null;
  }
  try {
    return { nodes: compileContent(nodes, depth, section).children };
  } catch (e) {
    if (e instanceof NoPlan) return null;
    throw e;
  }
}
