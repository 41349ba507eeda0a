import { crc32 } from 'node:zlib';
import type { RawFields } from '@dac/normalise';
import { isoToEpochSeconds } from '../xml-event.js';
import { BinXmlError, ChunkContext, Parser } from './binxml.js';
import { RECORD_SIGNATURE, recordFrame } from './record.js';
import { RenderError, type RenderOptions, Renderer } from './render.js';
import { u32 } from './values.js';

/**
 * One 64 KiB chunk (libyal's EVTX notes §"Chunk"): header with its CRC32 (bytes 0–120 and
 * 128–512), the CRC32 of the records (512 up to the free-space offset), then the records.
 *
 * Damage policy — report with the file offset, lose nothing valid:
 * - wrong chunk signature: the chunk is not read (the caller reports it, see reader.ts);
 * - header checksum wrong: the header's free-space offset is not trusted; records are read from
 *   offset 512 while they frame correctly and their ids follow each other (so stale records in
 *   the chunk's slack space, older copies Windows leaves behind, are not taken for events);
 * - records checksum wrong (a dirty file, or flipped bytes): reported, and every record that still
 *   frames and decodes is read;
 * - a record that does not frame (signature, size, copy of size): reported; reading resumes at the
 *   next record signature in the chunk's used space;
 * - a record that frames but whose binary XML is broken: reported; reading goes on after it.
 */

export const CHUNK_SIZE = 65536;
export const CHUNK_HEADER_SIZE = 512;
export const CHUNK_SIGNATURE = Buffer.from('ElfChnk\0', 'latin1');

export interface EvtxRecord {
  /** 1-based position of the record among the records read from the file. */
  ordinal: number;
  /** File offset of the record. */
  offset: number;
  recordId: number;
  /** The event as Splunk's XmlWinEventLog input writes it. */
  xml: string;
  /** The fields `parseEventXml(xml)` yields, when requested and the event has the usual shape. */
  fields?: RawFields;
  /** `TimeCreated/@SystemTime` in epoch seconds, with `fields`. */
  time?: number;
}

export interface EvtxIssue {
  /** Byte offset in the file (or zip member) where the problem is. */
  offset: number;
  /** `damaged`: something could not be read (counted); `note`: noteworthy, nothing lost. */
  kind: 'damaged' | 'note';
  message: string;
}

export interface ChunkSink {
  /** The record's `ordinal` is the reader's to set. */
  record(r: EvtxRecord): void;
  issue(i: EvtxIssue): void;
}

export interface ChunkResult {
  records: number;
  damagedRecords: number;
  /** Records rendered through a template's plan (the rest took the reference renderer). */
  planned: number;
  /** The chunk had a checksum mismatch or a damaged record. */
  damaged: boolean;
}

export function isChunkSignature(b: Uint8Array, o = 0): boolean {
  for (let i = 0; i < 8; i++) if (b[o + i] !== CHUNK_SIGNATURE[i]) return false;
  return true;
}

const RECORD_SIG = Buffer.from([0x2a, 0x2a, 0x00, 0x00]);
const ZERO = Buffer.alloc(CHUNK_SIZE);

/** Bytes [from, to) are all zero (a native comparison: unused chunks are common and large). */
export function isZero(b: Buffer, from: number, to: number): boolean {
  return to - from <= CHUNK_SIZE
    ? ZERO.compare(b, from, to, 0, to - from) === 0
    : b.subarray(from, to).every((x) => x === 0);
}

/**
 * Reads the records of one chunk. `buf` holds the chunk (`length` bytes of it are real data: less
 * than 64 KiB only for a file cut short); `fileOffset` is where the chunk starts in the file.
 */
export function readChunk(
  buf: Buffer,
  length: number,
  fileOffset: number,
  render: RenderOptions,
  sink: ChunkSink,
): ChunkResult {
  const at = (o: number) => fileOffset + o;
  const res: ChunkResult = { records: 0, damagedRecords: 0, planned: 0, damaged: false };
  const damage = (o: number, message: string) => {
    res.damaged = true;
    sink.issue({ offset: at(o), kind: 'damaged', message });
  };
  if (length < CHUNK_HEADER_SIZE) {
    damage(0, `chunk cut short: ${length} of ${CHUNK_SIZE} bytes, no room for records`);
    return res;
  }
  const storedHeaderCrc = u32(buf, 124);
  const headerCrc = crc32(buf.subarray(128, CHUNK_HEADER_SIZE), crc32(buf.subarray(0, 120)));
  const headerOk = headerCrc === storedHeaderCrc;
  const freeOff = u32(buf, 48);
  let end = length;
  let trustEnd = false;
  if (!headerOk) {
    damage(
      0,
      `chunk header checksum mismatch (stored 0x${storedHeaderCrc.toString(16)}, computed 0x${headerCrc.toString(16)}): records read while they follow each other`,
    );
  } else if (freeOff < CHUNK_HEADER_SIZE || freeOff > CHUNK_SIZE) {
    damage(
      48,
      `free-space offset 0x${freeOff.toString(16)} outside the chunk: records read while they follow each other`,
    );
  } else if (freeOff > length) {
    damage(length, `chunk cut short at ${length} of ${freeOff} bytes of records: the complete records are read`);
  } else {
    end = freeOff;
    trustEnd = true;
    const stored = u32(buf, 52);
    const computed = crc32(buf.subarray(CHUNK_HEADER_SIZE, freeOff));
    if (stored !== computed)
      damage(
        52,
        `records checksum mismatch (stored 0x${stored.toString(16)}, computed 0x${computed.toString(16)}): records checked one by one`,
      );
  }

  const chunkBytes = buf.subarray(0, length);
  // One context and renderer serve every chunk (see Renderer.bind); a chunk read while another is
  // being read (a sink that reads a chunk itself) gets its own.
  const reused = spare;
  spare = null;
  let ctx: ChunkContext;
  let renderer: Renderer;
  if (reused) {
    ctx = reused.ctx;
    ctx.reuse(chunkBytes);
    renderer = reused.renderer;
    renderer.bind(ctx, render);
  } else {
    ctx = new ChunkContext(chunkBytes);
    renderer = new Renderer(ctx, render);
  }
  try {
    readRecords(buf, end, trustEnd, fileOffset, ctx, renderer, render, sink, res, damage);
  } finally {
    // Nothing of the chunk stays reachable from the kept pair.
    ctx.reuse(EMPTY);
    renderer.bind(ctx, render);
    spare = { ctx, renderer };
  }
  return res;
}

const EMPTY = Buffer.alloc(0);
let spare: { ctx: ChunkContext; renderer: Renderer } | null = null;

function readRecords(
  buf: Buffer,
  end: number,
  trustEnd: boolean,
  fileOffset: number,
  ctx: ChunkContext,
  renderer: Renderer,
  render: RenderOptions,
  sink: ChunkSink,
  res: ChunkResult,
  damage: (o: number, message: string) => void,
): void {
  const at = (o: number) => fileOffset + o;
  const hex = (o: number) => `0x${at(o).toString(16)}`;
  let off = CHUNK_HEADER_SIZE;
  let prevId = -1;
  while (off < end) {
    const frame = recordFrame(buf, off, end);
    if (typeof frame === 'string') {
      if (!trustEnd) break; // the end of the records is unknown: the first non-record ends them
      // Nothing but zero bytes left: the used space simply ends early (seen in archived files).
      if (u32(buf, off) !== RECORD_SIGNATURE && isZero(buf, off, end)) break;
      res.damagedRecords++;
      damage(off, `damaged record at ${hex(off)}: ${frame}`);
      const next = buf.indexOf(RECORD_SIG, off + 1);
      if (next < 0 || next >= end) break;
      off = next;
      continue;
    }
    if (!trustEnd && prevId >= 0 && frame.id !== prevId + 1) break;
    try {
      renderer.reset();
      if (
        render.plans !== false &&
        (renderer.record(frame.xmlStart, frame.xmlEnd) || renderer.stream(frame.xmlStart, frame.xmlEnd))
      )
        res.planned++;
      else {
        const nodes = new Parser(ctx, frame.xmlStart, frame.xmlEnd, false, 0).fragment();
        renderer.document(nodes, null, 0, 0, null, 0);
      }
      if (renderer.out === '') throw new RenderError('record holds no XML', frame.xmlStart);
      const fields = renderer.fields && !renderer.unusual ? renderer.fields : undefined;
      let time: number | undefined;
      if (fields) {
        // As parseEventXml finishes an event: EventCode = EventID; _time from SystemTime.
        if (fields.EventID !== undefined && fields.EventCode === undefined) fields.EventCode = fields.EventID;
        const st = fields.SystemTime;
        time = typeof st === 'string' ? isoToEpochSeconds(st) : undefined;
      }
      // Whole literals (no properties added afterwards): see Renderer.bind on shapes that die.
      const rec: EvtxRecord = fields
        ? { ordinal: 0, offset: at(off), recordId: frame.id, xml: renderer.out, fields, time }
        : { ordinal: 0, offset: at(off), recordId: frame.id, xml: renderer.out };
      sink.record(rec);
      res.records++;
    } catch (e) {
      if (!(e instanceof BinXmlError || e instanceof RenderError || e instanceof RangeError)) throw e;
      const where =
        e instanceof BinXmlError || (e instanceof RenderError && e.at >= 0) ? (e as { at: number }).at : off;
      res.damagedRecords++;
      damage(off, `record ${frame.id} at ${hex(off)}: ${e.message}${where !== off ? ` (at ${hex(where)})` : ''}`);
    }
    prevId = frame.id;
    off += frame.size;
  }
}
