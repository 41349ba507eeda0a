import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type EvtxReadOptions,
  evtxFileSource,
  FILE_READ_SIZE,
  parseEventXml,
  readEvtx,
  readEvtxFile,
} from '@dac/replay';
import { evtxFiles, stable } from './corpus.js';
import type { Fields } from './reference.js';

// The plan path (templates compiled once into render plans, shared across chunks and files) and
// the streaming path of template-less records must give exactly what the reference renderer gives
// (the parsed node tree rendered, `plans: false`): the same records, text, fields, time and reports.
// Inputs: every record of the committed real samples (CC0, test/evtx/samples), mutations of them,
// and — when ../shared is present — every record of the 281 corpus files.
const dir = join(import.meta.dirname, 'samples');
const SAMPLES = [
  'sysmon-1-wmiexec',
  'security-4698-4699-atexec',
  'system-1-sysmon-driver-unload',
  'powershell-800-4103-4104-clear-log',
  'application-15457-sql-cmdshell',
  'rdp-1149-no-template',
];
const load = (n: string) => readFileSync(join(dir, `${n}.evtx`));

/** Everything a read hands over, as one comparable string per record / report. */
async function readAll(source: Buffer | string, opts: EvtxReadOptions, pieceSize = 1 << 20) {
  const out: string[] = [];
  async function* pieces(buf: Buffer) {
    for (let i = 0; i < buf.length; i += pieceSize) yield buf.subarray(i, i + pieceSize);
  }
  const sink = {
    record: (r: { ordinal: number; offset: number; recordId: number; xml: string; fields?: unknown; time?: number }) =>
      out.push(
        JSON.stringify([
          r.ordinal,
          r.offset,
          r.recordId,
          r.xml,
          r.fields ? stable(r.fields as Fields) : null,
          r.time ?? null,
        ]),
      ),
    issue: (i: { offset: number; kind: string; message: string }) => out.push(`${i.offset} ${i.kind} ${i.message}`),
  };
  const stats =
    typeof source === 'string' ? await readEvtxFile(source, sink, opts) : await readEvtx(pieces(source), sink, opts);
  return { out, stats };
}

const OPTION_SETS: EvtxReadOptions[] = [
  { fields: true },
  { fields: false },
  { fields: true, decodeEntities: true },
  { fields: true, wanted: new Set(['EventCode', 'CommandLine', 'Image', 'Channel', 'Data', 'SubjectUserName']) },
];

/** Three real chunks after the first sample's header (9 records; different providers). */
function threeChunks(): Buffer {
  const a = load('powershell-800-4103-4104-clear-log');
  const b = load('security-4698-4699-atexec');
  const c = load('rdp-1149-no-template');
  return Buffer.concat([a.subarray(0, 4096 + 65536), b.subarray(4096, 4096 + 65536), c.subarray(4096, 4096 + 65536)]);
}

describe('EVTX fast paths equal the reference renderer', () => {
  for (const name of SAMPLES)
    it(`${name}: every record, every option set`, async () => {
      for (const opts of OPTION_SETS) {
        const fast = await readAll(load(name), opts);
        const ref = await readAll(load(name), { ...opts, plans: false });
        expect(fast.out).toEqual(ref.out);
        expect(ref.stats.planned).toBe(0);
      }
      // The fields of the fast path are also those parseEventXml takes from the text.
      const f = await readAll(load(name), { fields: true });
      for (const line of f.out) {
        const [, , , xml, fields, time] = JSON.parse(line) as [number, number, number, string, string, number];
        const p = parseEventXml(xml);
        if ('error' in p) throw new Error(p.error);
        expect(fields).toBe(stable({ ...p.fields } as Fields));
        expect(time).toBe(p.time ?? null);
      }
    });

  it('most records take a fast path (plans shared across files: the second read compiles nothing new)', async () => {
    const a = await readAll(load('sysmon-1-wmiexec'), { fields: true });
    expect(a.stats.planned).toBe(a.stats.records);
    const b = await readAll(load('powershell-800-4103-4104-clear-log'), { fields: true });
    expect(b.stats.planned).toBe(b.stats.records);
  });

  it('on mutated real files (flipped bytes, zeroed runs, cuts, any piece size): same records and reports', async () => {
    const original = threeChunks();
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ at: fc.nat(original.length - 1), byte: fc.integer({ min: 0, max: 255 }) }), {
          maxLength: 30,
        }),
        fc.option(fc.nat(original.length), { nil: undefined }),
        fc.option(fc.record({ at: fc.nat(original.length - 1), len: fc.nat(3000) }), { nil: undefined }),
        fc.integer({ min: 1, max: 70000 }),
        fc.constantFrom(...OPTION_SETS),
        async (flips, cut, zero, piece, opts) => {
          const buf = Buffer.from(original);
          // Most flips land in the records (the part the renderers read), some anywhere.
          for (const f of flips) buf[4096 + 512 + (f.at % (3 * 65536 - 512))] = f.byte;
          if (zero) buf.fill(0, zero.at, Math.min(buf.length, zero.at + zero.len));
          const input = cut === undefined ? buf : buf.subarray(0, cut);
          const fast = await readAll(input, opts, piece);
          const ref = await readAll(input, { ...opts, plans: false }, piece);
          expect(fast.out).toEqual(ref.out);
        },
      ),
      { numRuns: 200 },
    );
  });

  const corpus = join(import.meta.dirname, '..', '..', '..', 'shared', 'data', 'evtx');
  it.skipIf(!existsSync(corpus))(
    'every record of the shared corpus (281 files): fast = reference',
    async () => {
      let records = 0;
      let planned = 0;
      for (const file of evtxFiles(corpus)) {
        const fast = await readAll(file, { fields: true });
        const ref = await readAll(file, { fields: true, plans: false });
        expect(fast.out).toEqual(ref.out);
        records += fast.stats.records;
        planned += fast.stats.planned;
      }
      expect(records).toBe(10015);
      expect(planned).toBeGreaterThan(0.8 * records);
    },
    120_000,
  );
});

describe('evtxFileSource: memory flat in the file size', () => {
  it('reads a 2.7 MB file in aligned pieces of at most 1 MiB, all in one reused buffer, and every record of it', async () => {
    // Derived from a real sample: its header, then its one chunk 40 times (the reader takes each
    // chunk on its own, so repeated record ids do not matter here).
    const one = load('powershell-800-4103-4104-clear-log');
    const chunk = one.subarray(4096, 4096 + 65536);
    const big = Buffer.concat([one.subarray(0, 4096), ...Array.from({ length: 40 }, () => chunk)]);
    const tmp = mkdtempSync(join(tmpdir(), 'dac-evtx-'));
    try {
      const path = join(tmp, 'big.evtx');
      writeFileSync(path, big);
      const buffers = new Set<ArrayBufferLike>();
      const sizes: number[] = [];
      for await (const piece of evtxFileSource(path)) {
        buffers.add(piece.buffer);
        sizes.push(piece.length);
      }
      expect(sizes[0]).toBe(4096);
      expect(sizes.slice(1).every((n) => n <= FILE_READ_SIZE && n % 65536 === 0)).toBe(true);
      expect(sizes.reduce((a, n) => a + n, 0)).toBe(big.length);
      expect(buffers.size).toBe(1);
      const r = await readAll(path, { fields: true });
      expect(r.stats.chunks).toBe(40);
      expect(r.stats.records).toBe(40 * 6);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
