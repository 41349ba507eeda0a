import { readFileSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readEvtx, type EvtxIssue, type EvtxRecord } from '@dac/replay';

// Damaged inputs are made from the real samples (test/evtx/samples, CC0) by the mutations named in
// each test; the crafted token streams at the end are hand-written and labelled as such.
const dir = join(import.meta.dirname, 'samples');
const load = (n: string) => readFileSync(join(dir, `${n}.evtx`));
const H = 4096;
const C = 65536;

/** A three-chunk file: the header of the first sample, then the chunks of three samples (6 + 2 + 1 records). */
function threeChunks(): Buffer {
  const a = load('powershell-800-4103-4104-clear-log');
  const b = load('security-4698-4699-atexec');
  const c = load('sysmon-1-wmiexec');
  return Buffer.concat([a.subarray(0, H + C), b.subarray(H, H + C), c.subarray(H, H + C)]);
}

async function collect(buf: Buffer, pieceSize = 1 << 20) {
  const records: EvtxRecord[] = [];
  const issues: EvtxIssue[] = [];
  async function* pieces() {
    for (let i = 0; i < buf.length; i += pieceSize) yield buf.subarray(i, i + pieceSize);
  }
  const stats = await readEvtx(
    pieces(),
    { record: (r) => records.push(r), issue: (i) => issues.push(i) },
    { fields: true },
  );
  return { records, issues, stats, damaged: issues.filter((i) => i.kind === 'damaged') };
}

/** Recomputes a chunk's header and records checksums (for crafted chunks). */
function seal(chunk: Buffer): Buffer {
  const free = chunk.readUInt32LE(48);
  chunk.writeUInt32LE(crc32(chunk.subarray(512, free)), 52);
  chunk.writeUInt32LE(crc32(chunk.subarray(128, 512), crc32(chunk.subarray(0, 120))), 124);
  return chunk;
}

describe('EVTX reader on damaged files: positioned reports, nothing valid lost', () => {
  it('reads every chunk found by signature, whatever the header declares (dirty file: chunk count out of date)', async () => {
    const r = await collect(threeChunks());
    expect(r.records).toHaveLength(9);
    expect(r.damaged).toEqual([]);
    expect(r.issues).toContainEqual({ offset: 42, kind: 'note', message: 'file header declares 1 chunks, 3 found' });
    expect(r.stats.chunks).toBe(3);
    // The stats' own shape: declaredChunks (from a valid header only) comes last.
    expect(Object.keys(r.stats)).toEqual([
      'bytes',
      'blocks',
      'chunks',
      'damagedChunks',
      'records',
      'damagedRecords',
      'planned',
      'dirty',
      'declaredChunks',
    ]);
    expect(r.stats.declaredChunks).toBe(1);
  });

  it('truncated file: the cut is reported where it is, complete records before it are read', async () => {
    const full = threeChunks();
    const cut = H + C + 3000;
    const r = await collect(full.subarray(0, cut), 4000);
    expect(r.records.length).toBeGreaterThanOrEqual(6);
    expect(r.damaged.some((i) => i.offset === cut && /truncated file/.test(i.message))).toBe(true);
    const inHeader = await collect(full.subarray(0, 100));
    expect(inHeader.records).toEqual([]);
    expect(inHeader.damaged).toEqual([expect.objectContaining({ offset: 100 })]);
    const empty = await collect(Buffer.alloc(0));
    expect(empty.damaged).toEqual([expect.objectContaining({ offset: 0 })]);
  });

  it('flipped bytes in a chunk: its records checksum is reported at the chunk offset; the other chunks are intact', async () => {
    const buf = threeChunks();
    const at = H + C + 2000; // inside the second chunk's first record
    buf[at] ^= 0xff;
    buf[at + 1] ^= 0x55;
    const r = await collect(buf);
    expect(r.damaged.some((i) => i.offset === H + C + 52 && /records checksum mismatch/.test(i.message))).toBe(true);
    expect(r.records.filter((x) => x.offset < H + C)).toHaveLength(6);
    expect(r.records.filter((x) => x.offset >= H + 2 * C)).toHaveLength(1);
    expect(r.stats.damagedChunks).toBe(1);
  });

  it('zero-filled chunk between two good ones: reported as damaged at its offset, reading goes on', async () => {
    const buf = threeChunks();
    buf.fill(0, H + C, H + 2 * C);
    const r = await collect(buf);
    expect(r.damaged).toEqual([
      expect.objectContaining({ offset: H + C, message: expect.stringMatching(/zero-filled/) }),
    ]);
    expect(r.records).toHaveLength(7);
    // Trailing zero blocks are the file's unused space, not damage.
    const tail = await collect(Buffer.concat([load('sysmon-1-wmiexec'), Buffer.alloc(2 * C)]));
    expect(tail.damaged).toEqual([]);
    expect(tail.records).toHaveLength(1);
  });

  it('wrong magic: a bad file signature is a note (chunks are still read); a bad chunk signature skips that chunk', async () => {
    const buf = threeChunks();
    buf.write('XXXXXXXX', 0, 'latin1');
    const r = await collect(buf);
    expect(r.issues[0]).toEqual(expect.objectContaining({ offset: 0, kind: 'note' }));
    expect(r.records).toHaveLength(9);
    expect('declaredChunks' in r.stats).toBe(false);
    expect(r.stats).toEqual({
      bytes: buf.length,
      blocks: 3,
      chunks: 3,
      damagedChunks: 0,
      records: 9,
      damagedRecords: 0,
      planned: r.stats.planned,
      dirty: false,
    });
    const b2 = threeChunks();
    b2.write('ElfJunk', H + C, 'latin1');
    const r2 = await collect(b2);
    expect(r2.damaged).toEqual([
      expect.objectContaining({ offset: H + C, message: expect.stringMatching(/no chunk signature/) }),
    ]);
    expect(r2.records).toHaveLength(7);
  });

  it('huge declared sizes (record, template, value count) give positioned reports, never allocations or hangs', async () => {
    // Record size: the first record of the sysmon sample claims 4 GiB.
    const a = load('powershell-800-4103-4104-clear-log');
    a.writeUInt32LE(0xfffffff0, H + 512 + 4);
    const ra = await collect(a);
    expect(ra.damaged.some((i) => i.offset === H + 512 && /record size 4294967280/.test(i.message))).toBe(true);
    expect(ra.records).toHaveLength(5); // the reader resynchronises on the next record signature
    // Template definition size: the inline definition of the first record (record at 512, BinXml
    // at +24: fragment header 4, template instance header 10, then next 4 + GUID 16 + size 4).
    const b = load('sysmon-1-wmiexec');
    const sizeAt = H + 512 + 24 + 4 + 10 + 20;
    const tplSize = b.readUInt32LE(sizeAt);
    const countAt = sizeAt + 4 + tplSize;
    const b1 = Buffer.from(b);
    b1.writeUInt32LE(0x7fffffff, sizeAt);
    const rb = await collect(b1);
    expect(rb.records).toEqual([]);
    expect(rb.damaged.some((i) => i.offset === H + 512 && /declares 2147483647 bytes/.test(i.message))).toBe(true);
    // Number of substitution values.
    const b2 = Buffer.from(b);
    b2.writeUInt32LE(0x40000000, countAt);
    const rc = await collect(b2);
    expect(rc.damaged.some((i) => i.offset === H + 512 && /declares 1073741824 values/.test(i.message))).toBe(true);
  });

  it('hand-written token streams: element nesting past the limit and a template instantiating a template are reported', async () => {
    const base = load('sysmon-1-wmiexec');
    const chunk = Buffer.from(base.subarray(H, H + C));
    chunk.fill(0, 512);
    // Record 1 (hand-written): 100 nested <a> elements, names inline once then by reference.
    const xml: number[] = [0x0f, 1, 1, 0];
    const recStart = 512;
    const xmlStart = recStart + 24;
    let nameOff = -1;
    for (let d = 0; d < 100; d++) {
      const pos = xmlStart + xml.length;
      xml.push(0x01, 0, 0, 0, 0); // open start element, data size 0 (not checked beyond bounds)
      if (nameOff < 0) {
        nameOff = pos + 9;
        xml.push(nameOff & 0xff, (nameOff >> 8) & 0xff, 0, 0);
        xml.push(0, 0, 0, 0, 0, 0, 1, 0, 0x61, 0, 0, 0); // next, hash, 1 char "a", NUL
      } else xml.push(nameOff & 0xff, (nameOff >> 8) & 0xff, 0, 0);
      xml.push(0x02);
    }
    for (let d = 0; d < 100; d++) xml.push(0x04);
    xml.push(0x00);
    const size = 24 + xml.length + 4;
    chunk.writeUInt32LE(0x00002a2a, recStart);
    chunk.writeUInt32LE(size, recStart + 4);
    chunk.writeUInt32LE(1, recStart + 8);
    Buffer.from(xml).copy(chunk, xmlStart);
    chunk.writeUInt32LE(size, recStart + size - 4);
    chunk.writeUInt32LE(recStart + size, 48);
    const r = await collect(Buffer.concat([base.subarray(0, H), seal(chunk)]));
    expect(r.records).toEqual([]);
    expect(r.damaged).toEqual([
      expect.objectContaining({ offset: H + recStart, message: expect.stringMatching(/nested deeper than 64/) }),
    ]);
  });
});

describe('EVTX reader fuzzing (fast-check, mutated real files)', () => {
  const original = threeChunks();
  it('never throws, never hangs, every report has an offset inside the file', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ at: fc.nat(original.length - 1), byte: fc.integer({ min: 0, max: 255 }) }), {
          minLength: 1,
          maxLength: 40,
        }),
        fc.option(fc.nat(original.length), { nil: undefined }),
        fc.option(fc.record({ at: fc.nat(original.length - 1), len: fc.nat(70000) }), { nil: undefined }),
        fc.integer({ min: 1, max: 70000 }),
        async (flips, cut, zero, piece) => {
          const buf = Buffer.from(original);
          for (const f of flips) buf[f.at] = f.byte;
          if (zero) buf.fill(0, zero.at, Math.min(buf.length, zero.at + zero.len));
          const input = cut === undefined ? buf : buf.subarray(0, cut);
          const t0 = performance.now();
          const r = await collect(input, piece);
          expect(performance.now() - t0).toBeLessThan(5000);
          for (const i of r.issues) {
            expect(Number.isInteger(i.offset)).toBe(true);
            expect(i.offset).toBeGreaterThanOrEqual(0);
            expect(i.offset).toBeLessThanOrEqual(input.length);
            expect(i.message.length).toBeGreaterThan(0);
          }
          for (const x of r.records) expect(typeof x.xml).toBe('string');
          expect(r.records.length).toBeLessThanOrEqual(9 + 200);
        },
      ),
      { numRuns: 150 },
    );
  });
});
