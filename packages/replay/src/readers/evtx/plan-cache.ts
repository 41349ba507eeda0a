import { BinXmlError, type ChunkContext, type Node } from './binxml.js';
import { compilePlan, type Plan } from './plan.js';
import { u16, u32 } from './values.js';

/**
 * Render plans shared across chunks and files. Templates are addressed by chunk offset, so each
 * chunk defines its own — yet the same Sysmon, Security or PowerShell templates recur in every
 * chunk and file of a log. A definition is looked up by its GUID and data size, and reused only
 * when its token stream is provably the same: every byte of the definition's data equal, except
 * the name references (absolute chunk offsets), which must be inline at the same place or name
 * the same string in this chunk, and the unused hash-chain link of inline names. Same bytes and
 * same names parse to the same tree, hence the same plan. Anything else parses and compiles anew.
 */

export interface PlanEntry {
  /** The definition's data (a copy). */
  bytes: Buffer;
  refs: number[];
  refNames: string[];
  /** The parsed definition (chunk-independent: names are strings, values are substitution slots). */
  nodes: Node[];
  /** Plans by instance depth·4 + section (null: no plan). */
  plans: Map<number, Plan | null>;
}
type Entry = PlanEntry;

/** Bounded: a few hundred templates make up real logs; a hostile file cannot grow it without end. */
const MAX_ENTRIES = 4096;
const cache = new Map<string, Entry[]>();
let entries = 0;

function keyOf(b: Buffer, defOff: number, size: number): string {
  return `${u32(b, defOff + 4)}.${u32(b, defOff + 8)}.${u32(b, defOff + 12)}.${u32(b, defOff + 16)}.${size}`;
}

function matches(ctx: ChunkContext, e: Entry, start: number): boolean {
  const b = ctx.buf;
  const refs = e.refs;
  let from = 0;
  let named = 0;
  for (let i = 0; i < refs.length; i += 2) {
    const rel = refs[i]!;
    const at = start + rel;
    if (rel < from) return false; // refs are in stream order; anything else is not this template
    if (rel > from && e.bytes.compare(b, start + from, at, from, rel) !== 0) return false;
    const off = u32(b, at);
    if (refs[i + 1] === 1) {
      if (off !== at + 4) return false;
      from = rel + 8; // the offset and the inline name's hash-chain link (never read)
    } else {
      if (off === at + 4) return false;
      let name: string;
      try {
        name = ctx.name(off, b.length);
      } catch (err) {
        if (err instanceof BinXmlError) return false;
        throw err;
      }
      if (name !== e.refNames[named++]) return false;
      from = rel + 4;
    }
  }
  const size = e.bytes.length;
  return from >= size || e.bytes.compare(b, start + from, start + size, from, size) === 0;
}

/** Inline names lie wholly inside the definition's data (so comparing that data covers them). */
function inlineNamesInside(b: Buffer, start: number, size: number, refs: number[]): boolean {
  for (let i = 0; i < refs.length; i += 2) {
    if (refs[i + 1] !== 1) continue;
    const name = start + refs[i]! + 4;
    if (name + 8 > start + size || name + 8 + 2 * u16(b, name + 6) + 2 > start + size) return false;
  }
  return true;
}

/**
 * The plan for the template defined at `defOff` of this chunk instantiated at `depth` in
 * `section`, or null when it takes the reference renderer. Throws BinXmlError where the
 * definition does not parse (as the reference does).
 */
export function planAt(
  ctx: ChunkContext,
  defOff: number,
  nesting: number,
  depth: number,
  section: number,
): Plan | null {
  let e = ctx.plans.get(defOff);
  if (e === undefined) {
    e = entryAt(ctx, defOff, nesting);
    ctx.plans.set(defOff, e);
  }
  const key = depth * 4 + section;
  let plan = e.plans.get(key);
  if (plan === undefined) {
    plan = compilePlan(e.nodes, depth, section);
    e.plans.set(key, plan);
  }
  return plan;
}

function entryAt(ctx: ChunkContext, defOff: number, nesting: number): Entry {
  const b = ctx.buf;
  if (defOff + 24 <= b.length) {
    const size = u32(b, defOff + 20);
    const start = defOff + 24;
    if (start + size <= b.length) {
      const key = keyOf(b, defOff, size);
      const list = cache.get(key);
      if (list) for (const e of list) if (matches(ctx, e, start)) return e;
      const t = ctx.template(defOff, b.length, nesting);
      const e: Entry = {
        bytes: Buffer.from(b.subarray(start, start + size)),
        refs: t.refs,
        refNames: t.refNames,
        nodes: t.nodes,
        plans: new Map(),
      };
      if (inlineNamesInside(b, start, size, t.refs)) {
        if (entries >= MAX_ENTRIES) {
          cache.clear();
          entries = 0;
        }
        const l = cache.get(key);
        if (l) l.push(e);
        else cache.set(key, [e]);
        entries++;
      }
      return e;
    }
  }
  ctx.template(defOff, b.length, nesting); // throws the reference's error
  throw new BinXmlError(`template definition at 0x${defOff.toString(16)} out of bounds`, defOff);
}
