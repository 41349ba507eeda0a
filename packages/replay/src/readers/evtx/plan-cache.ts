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
  /** The template GUID as four u32 words (the cache key is only a hash of them). */
  guid0: number;
  guid1: number;
  guid2: number;
  guid3: number;
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
const cache = new Map<number, Entry[]>();
let entries = 0;

/**
 * The bucket of a definition: a small-integer hash of its GUID and data size (a number key costs
 * less than building a string per template per chunk). Different templates may share a bucket;
 * `matches` tells them apart by GUID, size and bytes, so a collision costs a comparison only.
 */
function keyOf(g0: number, g1: number, g2: number, g3: number, size: number): number {
  let h = Math.imul(g0 ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ g1 ^ (h >>> 15), 0xc2b2ae35);
  h = Math.imul(h ^ g2 ^ (h >>> 13), 0x85ebca6b);
  h = Math.imul(h ^ g3 ^ (h >>> 16), 0xc2b2ae35);
  return ((h ^ size ^ (h >>> 15)) >>> 0) & 0x3fffffff;
}

/**
 * Bytes [from, to) of `a` equal `b`'s from `bFrom`. The stretches between name references are
 * mostly a few dozen bytes: a plain loop costs less there than Buffer#compare's argument checks
 * (measured ~8% of the floor); long stretches still go native.
 */
function sameBytes(a: Buffer, from: number, to: number, b: Buffer, bFrom: number): boolean {
  const n = to - from;
  if (n > 64) return a.compare(b, bFrom, bFrom + n, from, to) === 0;
  for (let i = 0; i < n; i++) if (a[from + i] !== b[bFrom + i]) return false;
  return true;
}

function matches(ctx: ChunkContext, e: Entry, defOff: number, start: number, size: number): boolean {
  const b = ctx.buf;
  if (
    e.bytes.length !== size ||
    e.guid0 !== u32(b, defOff + 4) ||
    e.guid1 !== u32(b, defOff + 8) ||
    e.guid2 !== u32(b, defOff + 12) ||
    e.guid3 !== u32(b, defOff + 16)
  )
    return false;
  const refs = e.refs;
  let from = 0;
  let named = 0;
  for (let i = 0; i < refs.length; i += 2) {
    const rel = refs[i]!;
    const at = start + rel;
    if (rel < from) return false; // refs are in stream order; anything else is not this template
    if (rel > from && !sameBytes(e.bytes, from, rel, b, start + from)) return false;
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
  return from >= size || sameBytes(e.bytes, from, size, b, start + from);
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
      const g0 = u32(b, defOff + 4);
      const g1 = u32(b, defOff + 8);
      const g2 = u32(b, defOff + 12);
      const g3 = u32(b, defOff + 16);
      const key = keyOf(g0, g1, g2, g3, size);
      const list = cache.get(key);
      if (list) for (const e of list) if (matches(ctx, e, defOff, start, size)) return e;
      const t = ctx.template(defOff, b.length, nesting);
      const e: Entry = {
        guid0: g0,
        guid1: g1,
        guid2: g2,
        guid3: g3,
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
