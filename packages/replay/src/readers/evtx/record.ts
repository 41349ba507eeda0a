import { u32 } from './values.js';

/**
 * Event record framing (libyal's EVTX notes §"Event record"): signature `**\0\0`, u32 size
 * (whole record), u64 record id, FILETIME written time, binary XML, and a copy of the size in the
 * last 4 bytes. Size and its copy agreeing is the per-record integrity check the format has.
 */

export const RECORD_SIGNATURE = 0x00002a2a;
/** Signature, size, id, written time, copy of size. */
export const RECORD_MIN_SIZE = 28;

export interface RecordFrame {
  size: number;
  id: number;
  /** Chunk offsets of the binary XML [start, end). */
  xmlStart: number;
  xmlEnd: number;
}

/** Validates the frame at `off` (within [0, end)); returns the frame or why it is not one. */
export function recordFrame(b: Uint8Array, off: number, end: number): RecordFrame | string {
  if (off + RECORD_MIN_SIZE > end) return 'record header runs past the end of the chunk data';
  if (u32(b, off) !== RECORD_SIGNATURE) return 'no record signature';
  const size = u32(b, off + 4);
  if (size < RECORD_MIN_SIZE) return `record size ${size} is below the minimum of ${RECORD_MIN_SIZE}`;
  if (off + size > end) return `record size ${size} runs past the end of the chunk data`;
  const copy = u32(b, off + size - 4);
  if (copy !== size) return `record size ${size} does not match its copy ${copy}`;
  return { size, id: u32(b, off + 12) * 4294967296 + u32(b, off + 8), xmlStart: off + 24, xmlEnd: off + size - 4 };
}
