import { crc32 } from 'node:zlib';
import { u16, u32 } from './values.js';

/**
 * The 4 KiB EVTX file header (libyal's EVTX notes §"File header"): signature `ElfFile\0`, chunk
 * numbers, next record id, format version, number of chunks, flags (dirty 0x1, full 0x2) and a
 * CRC32 of its first 120 bytes. The header is advisory: Windows updates it lazily, so a log
 * copied while open (dirty) or after an unclean shutdown has stale chunk counts. The reader
 * therefore never trusts it for where the data is — chunks are found by their own signature at
 * every 64 KiB boundary after the header — and only reports what does not add up.
 */

export const FILE_HEADER_SIZE = 4096;
export const FILE_SIGNATURE = Buffer.from('ElfFile\0', 'latin1');

export interface FileHeader {
  signatureOk: boolean;
  firstChunk: number;
  lastChunk: number;
  nextRecordId: number;
  headerSize: number;
  minorVersion: number;
  majorVersion: number;
  blockSize: number;
  chunkCount: number;
  flags: number;
  checksumOk: boolean;
  dirty: boolean;
  full: boolean;
}

function u64(b: Uint8Array, o: number): number {
  return u32(b, o + 4) * 4294967296 + u32(b, o);
}

/** True when the bytes start with the EVTX file signature. */
export function isEvtxSignature(b: Uint8Array): boolean {
  if (b.length < 8) return false;
  for (let i = 0; i < 8; i++) if (b[i] !== FILE_SIGNATURE[i]) return false;
  return true;
}

export function parseFileHeader(b: Buffer): FileHeader {
  const flags = u32(b, 120);
  return {
    signatureOk: isEvtxSignature(b),
    firstChunk: u64(b, 8),
    lastChunk: u64(b, 16),
    nextRecordId: u64(b, 24),
    headerSize: u32(b, 32),
    minorVersion: u16(b, 36),
    majorVersion: u16(b, 38),
    blockSize: u16(b, 40),
    chunkCount: u16(b, 42),
    flags,
    checksumOk: crc32(b.subarray(0, 120)) === u32(b, 124),
    dirty: (flags & 1) !== 0,
    full: (flags & 2) !== 0,
  };
}

/** What is inconsistent or noteworthy about a header (none of it stops reading). */
export function headerNotes(h: FileHeader): string[] {
  const notes: string[] = [];
  if (!h.signatureOk) {
    notes.push('not an EVTX file header (no "ElfFile" signature); looking for chunks anyway');
    return notes;
  }
  if (!h.checksumOk) notes.push('file header checksum mismatch (header damaged or out of date)');
  if (h.majorVersion !== 3)
    notes.push(`unknown format version ${h.majorVersion}.${h.minorVersion} (3.1 or 3.2 expected)`);
  if (h.blockSize !== FILE_HEADER_SIZE) notes.push(`header block size ${h.blockSize} (4096 expected); 4096 assumed`);
  if (h.dirty) notes.push('file is marked dirty (not closed cleanly): its header may be out of date');
  return notes;
}
