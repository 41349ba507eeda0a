import { BinXmlError, type ChunkContext } from './binxml.js';
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

interface Entry {
  /** The definition's data (a copy). */
  bytes: Buffer;
  refs: number[];
  refNames: string[];
  plan: Plan | null;
}

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
 * The plan for the template defined at `defOff` of this chunk, or null when its records take the
 * reference renderer. Throws BinXmlError where the definition does not parse (as the reference).
 */
export function planAt(ctx: ChunkContext, defOff: number, nesting: number): Plan | null {
  const known = ctx.plans.get(defOff);
  if (known !== undefined) return known;
  const b = ctx.buf;
  let plan: Plan | null = null;
  if (defOff + 24 <= b.length) {
    const size = u32(b, defOff + 20);
    const start = defOff + 24;
    if (start + size <= b.length) {
      const key = keyOf(b, defOff, size);
      const list = cache.get(key);
      let hit: Entry | undefined;
      if (list) for (const e of list) if (matches(ctx, e, start)) hit = e;
      if (hit) plan = hit.plan;
      else {
        const t = ctx.template(defOff, b.length, nesting);
        plan = compilePlan(t);
        if (entries >= MAX_ENTRIES) {
          cache.clear();
          entries = 0;
        }
        if (inlineNamesInside(b, start, size, t.refs)) {
          const e: Entry = {
            bytes: Buffer.from(b.subarray(start, start + size)),
            refs: t.refs,
            refNames: t.refNames,
            plan,
          };
          const l = cache.get(key);
          if (l) l.push(e);
          else cache.set(key, [e]);
          entries++;
        }
      }
    } else ctx.template(defOff, b.length, nesting); // throws the reference's error
  } else ctx.template(defOff, b.length, nesting);
  ctx.plans.set(defOff, plan);
  return plan;
}
