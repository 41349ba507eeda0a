import { closeSync, openSync, readSync } from 'node:fs';
import { CHUNK_SIZE, type EvtxIssue, type EvtxRecord, isChunkSignature, isZero, readChunk } from './chunk.js';
import { FILE_HEADER_SIZE, headerNotes, parseFileHeader } from './file-header.js';
import type { RenderOptions } from './render.js';

/**
 * Streaming EVTX reader: the 4 KiB file header, then one 64 KiB chunk at a time, from any source of
 * bytes (a file stream, a zip member's inflate stream). Memory stays at one chunk whatever the file
 * size; records are delivered synchronously while their chunk is in memory.
 *
 * Chunks are found by their `ElfChnk\0` signature at every 64 KiB boundary after the header, not
 * by the header's chunk count (stale in dirty files). A block without the signature is reported as
 * a damaged chunk — except all-zero blocks after the last real chunk, which are the file's unused
 * preallocated space. A file cut short is reported where it ends, and the complete records of its
 * last, partial chunk are still read.
 */

export interface EvtxReadOptions {
  /** Hand over the fields with each record (see Renderer); default false (text only). */
  fields?: boolean;
  wanted?: ReadonlySet<string>;
  decodeEntities?: boolean;
  /** Longest rendered event; default 4 MiB (the XML reader's limit). */
  maxEventLength?: number;
  /** Compiled template plans (default true); false renders every record with the reference renderer. */
  plans?: boolean;
}

export interface EvtxSink {
  record(r: EvtxRecord): void;
  issue(i: EvtxIssue): void;
}

export interface EvtxStats {
  /** Bytes read from the source. */
  bytes: number;
  /** 64 KiB blocks after the header (the last may be partial). */
  blocks: number;
  chunks: number;
  damagedChunks: number;
  records: number;
  damagedRecords: number;
  /** Records rendered through compiled template plans; the others took the reference renderer. */
  planned: number;
  /** Chunk count the header declares (undefined without a valid header). */
  declaredChunks?: number;
  dirty: boolean;
}

export async function readEvtx(
  source: AsyncIterable<Uint8Array>,
  sink: EvtxSink,
  opts: EvtxReadOptions = {},
): Promise<EvtxStats> {
  const render: RenderOptions = {
    fields: opts.fields ?? false,
    wanted: opts.wanted,
    decodeEntities: opts.decodeEntities,
    maxLength: opts.maxEventLength ?? 4 * 1024 * 1024,
    plans: opts.plans ?? true,
  };
  // Counted in an object whose every property exists from the start (declaredChunks -1: no valid
  // header); the EvtxStats handed back are built from it at the end. A property added on the way
  // gave the object a shape that died with it, and the optimised reader functions with it (see
  // Renderer.bind).
  const stats = {
    bytes: 0,
    blocks: 0,
    chunks: 0,
    damagedChunks: 0,
    records: 0,
    damagedRecords: 0,
    planned: 0,
    dirty: false,
    declaredChunks: -1,
  };
  const header = Buffer.alloc(FILE_HEADER_SIZE);
  let headerFill = 0;
  /** A chunk split across pieces is put together here (allocated when one is: rare from a file). */
  let block: Buffer | undefined;
  let fill = 0;
  let blockOffset = FILE_HEADER_SIZE;
  /** All-zero blocks not yet reported: damage only if a real chunk follows them. */
  let pendingZero: number[] = [];

  const chunkSink = {
    record(r: EvtxRecord) {
      r.ordinal = ++stats.records;
      sink.record(r);
    },
    issue: (i: EvtxIssue) => sink.issue(i),
  };

  const onHeader = () => {
    const h = parseFileHeader(header);
    if (h.signatureOk) {
      stats.declaredChunks = h.chunkCount;
      stats.dirty = h.dirty;
    }
    for (const n of headerNotes(h)) sink.issue({ offset: 0, kind: 'note', message: n });
  };

  const onBlock = (b: Buffer, length: number) => {
    const off = blockOffset;
    blockOffset += CHUNK_SIZE;
    stats.blocks++;
    if (length >= 8 && isChunkSignature(b)) {
      for (const z of pendingZero) {
        stats.damagedChunks++;
        sink.issue({
          offset: z,
          kind: 'damaged',
          message: `zero-filled block where a chunk was expected at 0x${z.toString(16)}`,
        });
      }
      pendingZero = [];
      stats.chunks++;
      const r = readChunk(b, length, off, render, chunkSink);
      stats.damagedRecords += r.damagedRecords;
      stats.planned += r.planned;
      if (r.damaged) stats.damagedChunks++;
      return;
    }
    if (isZero(b, 0, length)) {
      pendingZero.push(off);
      return;
    }
    stats.damagedChunks++;
    sink.issue({
      offset: off,
      kind: 'damaged',
      message: `no chunk signature at 0x${off.toString(16)} (${length < CHUNK_SIZE ? `${length}-byte tail` : 'damaged chunk'}): skipped`,
    });
  };

  for await (const piece of source) {
    let p = Buffer.isBuffer(piece) ? piece : Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
    stats.bytes += p.length;
    if (headerFill < FILE_HEADER_SIZE) {
      const n = Math.min(FILE_HEADER_SIZE - headerFill, p.length);
      p.copy(header, headerFill, 0, n);
      headerFill += n;
      p = p.subarray(n);
      if (headerFill === FILE_HEADER_SIZE) onHeader();
    }
    while (p.length > 0) {
      if (fill === 0 && p.length >= CHUNK_SIZE) {
        // Whole chunk in the piece: read it in place (processing is synchronous, before the next read).
        onBlock(p.subarray(0, CHUNK_SIZE), CHUNK_SIZE);
        p = p.subarray(CHUNK_SIZE);
        continue;
      }
      const n = Math.min(CHUNK_SIZE - fill, p.length);
      block ??= Buffer.alloc(CHUNK_SIZE);
      p.copy(block, fill, 0, n);
      fill += n;
      p = p.subarray(n);
      if (fill === CHUNK_SIZE) {
        onBlock(block, CHUNK_SIZE);
        fill = 0;
      }
    }
  }
  if (headerFill < FILE_HEADER_SIZE) {
    sink.issue({
      offset: headerFill,
      kind: 'damaged',
      message: `file ends after ${headerFill} bytes, inside the ${FILE_HEADER_SIZE}-byte file header: no chunks`,
    });
    if (headerFill >= 8) onHeader();
    return statsOf(stats);
  }
  if (fill > 0) {
    sink.issue({
      offset: blockOffset + fill,
      kind: 'damaged',
      message: `file ends ${fill} bytes into the chunk at 0x${blockOffset.toString(16)} (truncated file)`,
    });
    block!.fill(0, fill);
    onBlock(block!, fill);
  }
  if (stats.declaredChunks >= 0 && stats.declaredChunks !== stats.chunks)
    sink.issue({
      offset: 42,
      kind: 'note',
      message: `file header declares ${stats.declaredChunks} chunks, ${stats.chunks} found`,
    });
  if (stats.chunks === 0 && stats.damagedChunks === 0)
    sink.issue({ offset: FILE_HEADER_SIZE, kind: 'note', message: 'no chunks: the log holds no events' });
  return statsOf(stats);
}

/** The stats as readEvtx hands them back: `declaredChunks` only with a valid header, last. */
function statsOf(c: EvtxStats & { declaredChunks: number }): EvtxStats {
  const s: EvtxStats = {
    bytes: c.bytes,
    blocks: c.blocks,
    chunks: c.chunks,
    damagedChunks: c.damagedChunks,
    records: c.records,
    damagedRecords: c.damagedRecords,
    planned: c.planned,
    dirty: c.dirty,
  };
  if (c.declaredChunks >= 0) s.declaredChunks = c.declaredChunks;
  return s;
}

/** Bytes read from a file per read call: 16 chunks (the first read is the file header alone). */
export const FILE_READ_SIZE = 16 * CHUNK_SIZE;

/**
 * An EVTX file's bytes for `readEvtx`: the 4 KiB header, then reads of 1 MiB aligned on chunk
 * boundaries into ONE buffer reused from read to read and from file to file (no allocation per
 * read, so no garbage; memory stays at that buffer whatever the file size). Each piece is valid
 * only until the next is requested — right for `readEvtx`, which consumes a piece synchronously
 * before asking for more. Reads are synchronous (a read from the page cache costs less than the
 * promise machinery around an asynchronous one: measured 10 vs 60 ms of CPU for the 281 corpus
 * files); the event loop gets a turn every 8 MiB so that timers (progress) still run.
 */
export async function* evtxFileSource(path: string): AsyncGenerator<Buffer> {
  const fd = openSync(path, 'r');
  try {
    yield* evtxFdSource(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * `evtxFileSource` over a file already open (readFixture opens each file once, to sniff its kind
 * and read it). The caller owns the descriptor and closes it: a generator that is never pulled
 * never runs its `finally`, so closing here could leak it.
 */
export async function* evtxFdSource(fd: number): AsyncGenerator<Buffer> {
  const buf = takeBuffer();
  try {
    const h = readSync(fd, buf, 0, FILE_HEADER_SIZE, 0);
    if (h === 0) return;
    yield buf.subarray(0, h);
    if (h < FILE_HEADER_SIZE) return;
    let pos = FILE_HEADER_SIZE;
    for (let reads = 1; ; reads++) {
      let fill = 0;
      while (fill < FILE_READ_SIZE) {
        const n = readSync(fd, buf, fill, FILE_READ_SIZE - fill, pos + fill);
        if (n === 0) break;
        fill += n;
      }
      if (fill === 0) return;
      yield buf.subarray(0, fill);
      if (fill < FILE_READ_SIZE) return;
      pos += fill;
      if (reads % 8 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
  } finally {
    giveBuffer(buf);
  }
}

/**
 * Read buffers kept between files: a scan reads hundreds of small files one after the other, and
 * a fresh 1 MiB buffer per file is garbage the collector has to chase (measured: a fifth of the
 * CPU). Files read at the same time each take their own; at most a few are kept.
 */
const spare: Buffer[] = [];
function takeBuffer(): Buffer {
  return spare.pop() ?? Buffer.allocUnsafeSlow(FILE_READ_SIZE);
}
function giveBuffer(b: Buffer): void {
  if (spare.length < 4) spare.push(b);
}

/** `readEvtx` over a file on disk, through `evtxFileSource`. */
export function readEvtxFile(path: string, sink: EvtxSink, opts: EvtxReadOptions = {}): Promise<EvtxStats> {
  return readEvtx(evtxFileSource(path), sink, opts);
}
