import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ChunkContext } from './binxml.js';
import { CHUNK_SIZE, type EvtxIssue, type EvtxRecord, readChunk } from './chunk.js';
import { FILE_HEADER_SIZE } from './file-header.js';
import type { RenderOptions } from './render.js';

// readChunk keeps one chunk context and renderer from chunk to chunk (Renderer.bind): nothing of
// one chunk may leak into the next, and a chunk read from inside another chunk's sink must get a
// pair of its own. Checked against each chunk read on its own, in a fresh order.
const samples = join(import.meta.dirname, '..', '..', '..', '..', '..', 'test', 'evtx', 'samples');
const firstChunk = (name: string) =>
  readFileSync(join(samples, `${name}.evtx`)).subarray(FILE_HEADER_SIZE, FILE_HEADER_SIZE + CHUNK_SIZE);
const CHUNKS = [
  'powershell-800-4103-4104-clear-log',
  'security-4698-4699-atexec',
  'sysmon-1-wmiexec',
  'rdp-1149-no-template',
  'application-15457-sql-cmdshell',
].map(firstChunk);

const OPTS: RenderOptions[] = [
  { fields: true, maxLength: 1 << 22 },
  { fields: true, decodeEntities: true, maxLength: 1 << 22 },
  { fields: false, maxLength: 1 << 22 },
  { fields: true, maxLength: 1 << 22, plans: false },
];

function read(chunk: Buffer, opts: RenderOptions, onRecord?: () => void) {
  const records: EvtxRecord[] = [];
  const issues: EvtxIssue[] = [];
  const result = readChunk(Buffer.from(chunk), chunk.length, FILE_HEADER_SIZE, opts, {
    record: (r) => {
      records.push(r);
      onRecord?.();
    },
    issue: (i) => issues.push(i),
  });
  return { records, issues, result };
}

describe('readChunk with its reused context and renderer', () => {
  it('reads every chunk the same whatever was read before it, with any options', () => {
    const alone = CHUNKS.map((c, i) => read(c, OPTS[i % OPTS.length]!));
    for (const o of alone) expect(o.records.length).toBeGreaterThan(0);
    for (let round = 0; round < 3; round++)
      for (let k = CHUNKS.length - 1; k >= 0; k--) {
        const i = (k + round) % CHUNKS.length;
        // An unrelated chunk with other options in between.
        read(CHUNKS[(i + 1) % CHUNKS.length]!, OPTS[(i + round + 1) % OPTS.length]!);
        expect(read(CHUNKS[i]!, OPTS[i % OPTS.length]!)).toEqual(alone[i]);
      }
  });

  it('reads a chunk from inside another chunk\u2019s sink as if on its own', () => {
    const outer = read(CHUNKS[0]!, OPTS[0]!);
    const inner = read(CHUNKS[1]!, OPTS[1]!);
    const nested: ReturnType<typeof read>[] = [];
    const both = read(CHUNKS[0]!, OPTS[0]!, () => {
      if (nested.length < 2) nested.push(read(CHUNKS[1]!, OPTS[1]!));
    });
    expect(both).toEqual(outer);
    expect(nested).toEqual([inner, inner]);
  });
});

describe('ChunkContext.reuse', () => {
  /** A chunk-sized buffer holding one name structure (next, hash, count, UTF-16, NUL) at `off`. */
  function withName(name: string, off: number): Buffer {
    const b = Buffer.alloc(1024);
    b.writeUInt16LE(name.length, off + 6);
    b.write(name, off + 8, 'utf16le');
    return b;
  }

  it('forgets the names, templates and plans of the chunk before', () => {
    const ctx = new ChunkContext(withName('System', 100));
    expect(ctx.name(100, 1024)).toBe('System');
    ctx.plans.set(5, null as never);
    ctx.reuse(withName('Other', 100));
    expect(ctx.name(100, 1024)).toBe('Other');
    expect(ctx.plans.size).toBe(0);
  });
});
