import { createReadStream, openSync, readSync, closeSync } from 'node:fs';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';

/** Counts of one streamed file. */
export interface LineStats {
  /** Bytes on disk. */
  fileBytes: number;
  /** Bytes after decompression (= fileBytes for plain files). */
  bytes: number;
  lines: number;
  gzip: boolean;
}

export interface LineReadOptions {
  /**
   * Longest line kept, in UTF-16 units; a longer line is dropped (reported through `onOverlong`)
   * so memory stays bounded on garbage input. Default 64 MiB.
   */
  maxLineLength?: number;
  onOverlong?: (lineNo: number, length: number) => void;
  highWaterMark?: number;
}

/** True when the file starts with the gzip magic bytes 1f 8b (the extension is not trusted). */
export function isGzipFile(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const b = Buffer.alloc(2);
    return readSync(fd, b, 0, 2, 0) === 2 && b[0] === 0x1f && b[1] === 0x8b;
  } finally {
    closeSync(fd);
  }
}

/**
 * Streams a (possibly gzipped) text file line by line in constant memory, calling `onLine`
 * synchronously for each line (without its `\n` or `\r\n`; a UTF-8 BOM is dropped; invalid UTF-8
 * becomes U+FFFD). The callback style, rather than an async iterator per line, keeps the per-line
 * cost to one function call (see the bench in docs/replay.md).
 */
export async function readLines(path: string, onLine: (line: string, lineNo: number) => void, opts: LineReadOptions = {}): Promise<LineStats> {
  const maxLen = opts.maxLineLength ?? 64 * 1024 * 1024;
  const gzip = isGzipFile(path);
  const file = createReadStream(path, { highWaterMark: opts.highWaterMark ?? 1 << 20 });
  let fileBytes = 0;
  file.on('data', (b) => { fileBytes += (b as Buffer).length; });
  let stream: Readable = file;
  if (gzip) {
    const gunzip = createGunzip();
    file.on('error', (e) => gunzip.destroy(e));
    stream = file.pipe(gunzip);
  }
  const decoder = new TextDecoder('utf-8');
  let bytes = 0;
  let lineNo = 0;
  let pending = '';
  let overlong = false;
  let first = true;
  const emit = (line: string) => {
    lineNo++;
    if (overlong) {
      overlong = false;
      opts.onOverlong?.(lineNo, line.length);
      return;
    }
    onLine(line.charCodeAt(line.length - 1) === 13 ? line.slice(0, -1) : line, lineNo);
  };
  const feed = (text: string) => {
    if (first) {
      first = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    let start = 0;
    let nl = text.indexOf('\n');
    if (nl >= 0 && pending !== '') {
      emit(pending + text.slice(0, nl));
      pending = '';
      start = nl + 1;
      nl = text.indexOf('\n', start);
    }
    while (nl >= 0) {
      emit(text.slice(start, nl));
      start = nl + 1;
      nl = text.indexOf('\n', start);
    }
    if (start < text.length) {
      if (overlong) return;
      pending = pending === '' ? text.slice(start) : pending + text.slice(start);
      if (pending.length > maxLen) {
        // Drop the content; the line is reported when its end arrives.
        overlong = true;
        pending = '';
      }
    }
  };
  for await (const chunk of stream) {
    const buf = chunk as Buffer;
    bytes += buf.length;
    feed(decoder.decode(buf, { stream: true }));
  }
  feed(decoder.decode());
  if (pending !== '' || overlong) emit(pending);
  return { fileBytes, bytes, lines: lineNo, gzip };
}
