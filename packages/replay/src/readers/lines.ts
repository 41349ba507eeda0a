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
  /**
   * Set when reading stopped early (a truncated gzip, an I/O error): every line before the
   * failure was still delivered, and the counts above cover them.
   */
  error?: Error;
}

export interface LineReadOptions {
  /**
   * Longest line kept, in bytes; a longer line is dropped (reported through `onOverlong`) so
   * memory stays bounded on garbage input (`limits.fixture_line_length`). Default 16 MiB.
   */
  maxLineLength?: number;
  onOverlong?: (lineNo: number, length: number) => void;
  highWaterMark?: number;
  /** Most bytes read (after decompression); beyond, reading stops with a FixtureLimitError. */
  maxBytes?: number;
  /**
   * Largest ratio of decompressed to compressed bytes, checked once 64 MiB were decompressed
   * (`limits.fixture_decompression_ratio`); needs `compressedBytes`.
   */
  maxRatio?: number;
  /**
   * Count empty lines without delivering them (default true: the XML and JSON parsers ignore
   * them). False for formats where a blank line is part of an event (classic WinEventLog text).
   */
  skipEmptyLines?: boolean;
  /** Compressed bytes consumed so far (for the ratio check). */
  compressedBytes?: () => number;
}

/** Reading a fixture stopped at a limit (`limits.<limit>` in dac.config.yaml). */
export class FixtureLimitError extends Error {
  constructor(
    message: string,
    readonly limit: string,
  ) {
    super(message);
    this.name = 'FixtureLimitError';
  }
}

/** Decompressed bytes after which the decompression ratio is checked. */
const RATIO_CHECK_AFTER = 64 * 1024 * 1024;

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
 * synchronously for each line (without its line break; a UTF-8 BOM is dropped; invalid UTF-8
 * becomes U+FFFD). A line ends at LF, CRLF or a lone CR: Splunk's default `LINE_BREAKER` is
 * `([\r\n]+)` ("any sequence of newlines and carriage returns", Splunk docs, "Configure event line
 * breaking", https://help.splunk.com/splunk-cloud-platform/get-started/get-data-in/9.3.2411/configure-event-processing/configure-event-line-breaking),
 * so a CR-only file is read line by line. Empty lines are counted but, unless `skipEmptyLines` is false,
 * not delivered (a file of nothing but line breaks costs one byte comparison per byte). Lines are
 * found in the bytes (CR and LF never occur inside a UTF-8 sequence) and each is decoded on its
 * own: that yields flat strings, which the parsers scan ~30% faster than slices of a decoded
 * chunk (docs/replay.md). The callback style keeps the per-line cost to one call.
 */
export async function readLines(
  path: string,
  onLine: (line: string, lineNo: number) => void,
  opts: LineReadOptions = {},
): Promise<LineStats> {
  const gzip = isGzipFile(path);
  const file = createReadStream(path, { highWaterMark: opts.highWaterMark ?? 1 << 20 });
  let fileBytes = 0;
  file.on('data', (b) => {
    fileBytes += (b as Buffer).length;
  });
  let stream: Readable = file;
  if (gzip) {
    const gunzip = createGunzip({ chunkSize: 1 << 18 });
    file.on('error', (e) => gunzip.destroy(e));
    stream = file.pipe(gunzip);
  }
  const r = await readLinesFrom(stream, onLine, gzip ? { ...opts, compressedBytes: () => fileBytes } : opts);
  if (r.error instanceof FixtureLimitError) file.destroy();
  return { fileBytes, gzip, ...r };
}

/**
 * The line splitting of `readLines` over any stream of bytes (a zip member, an inflate stream).
 * Never throws: a stream error or a limit ends reading and is returned with the counts so far.
 */
export async function readLinesFrom(
  stream: AsyncIterable<Uint8Array>,
  onLine: (line: string, lineNo: number) => void,
  opts: LineReadOptions = {},
): Promise<{ bytes: number; lines: number; error?: Error }> {
  const maxLen = opts.maxLineLength ?? 16 * 1024 * 1024;
  const maxBytes = opts.maxBytes ?? Number.POSITIVE_INFINITY;
  const maxRatio = opts.maxRatio ?? Number.POSITIVE_INFINITY;
  const skipEmpty = opts.skipEmptyLines ?? true;
  let bytes = 0;
  let lineNo = 0;
  // The start of a line whose end is in a later chunk (kept as pieces, joined once).
  let pending: Buffer[] = [];
  let pendingLen = 0;
  let overlong = false;
  let first = true;
  // The previous chunk ended in CR: an LF starting this chunk belongs to that line break.
  let skipLF = false;
  /** A line of buf[start, end) (after what is pending) ends. */
  const endLine = (buf: Buffer, start: number, end: number) => {
    lineNo++;
    if (overlong) {
      overlong = false;
      opts.onOverlong?.(lineNo, pendingLen + end - start);
      pending = [];
      pendingLen = 0;
      return;
    }
    if (pendingLen > 0) {
      const joined = Buffer.concat([...pending, buf.subarray(start, end)]);
      pending = [];
      pendingLen = 0;
      if (joined.length > maxLen) opts.onOverlong?.(lineNo, joined.length);
      else onLine(joined.toString('utf8'), lineNo);
      return;
    }
    if (end === start && skipEmpty) return;
    if (end - start > maxLen) opts.onOverlong?.(lineNo, end - start);
    else onLine(buf.toString('utf8', start, end), lineNo);
  };
  let error: Error | undefined;
  try {
    for await (const chunk of stream) {
      let buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      bytes += buf.length;
      if (bytes > maxBytes) {
        error = new FixtureLimitError(
          `stopped after ${maxBytes} bytes (the limit on the bytes read from one fixture; raise it with limits.fixture_decompressed_bytes in dac.config.yaml)`,
          'fixture_decompressed_bytes',
        );
        break;
      }
      if (bytes > RATIO_CHECK_AFTER && opts.compressedBytes) {
        const compressed = Math.max(1, opts.compressedBytes());
        if (bytes / compressed > maxRatio) {
          error = new FixtureLimitError(
            `stopped after ${bytes} bytes decompressed from ${compressed}: more than ${maxRatio} times its compressed size (raise it with limits.fixture_decompression_ratio in dac.config.yaml)`,
            'fixture_decompression_ratio',
          );
          break;
        }
      }
      if (first) {
        first = false;
        if (buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) buf = buf.subarray(3);
      }
      const n = buf.length;
      let start = 0;
      if (skipLF) {
        skipLF = false;
        if (n > 0 && buf[0] === 10) start = 1;
      }
      let lf = buf.indexOf(10, start);
      let cr = buf.indexOf(13, start);
      while (lf >= 0 || cr >= 0) {
        let brk: number;
        let next: number;
        if (cr >= 0 && (lf < 0 || cr < lf)) {
          brk = cr;
          if (cr + 1 < n) next = buf[cr + 1] === 10 ? cr + 2 : cr + 1;
          else {
            next = cr + 1;
            skipLF = true;
          }
        } else {
          brk = lf;
          next = lf + 1;
        }
        endLine(buf, start, brk);
        start = next;
        // A run of line breaks (empty lines): counted, one comparison per byte, no call.
        if (pendingLen === 0 && !overlong && !skipLF)
          while (start < n) {
            const b = buf[start];
            if (b === 10) {
              lineNo++;
              if (!skipEmpty) onLine('', lineNo);
              start++;
            } else if (b === 13) {
              lineNo++;
              if (!skipEmpty) onLine('', lineNo);
              if (start + 1 < n) start += buf[start + 1] === 10 ? 2 : 1;
              else {
                start++;
                skipLF = true;
              }
            } else break;
          }
        if (lf >= 0 && lf < start) lf = buf.indexOf(10, start);
        if (cr >= 0 && cr < start) cr = buf.indexOf(13, start);
      }
      if (start < n) {
        pendingLen += n - start;
        if (overlong) continue;
        if (pendingLen > maxLen) {
          // Drop the content; the line is reported when its end arrives.
          overlong = true;
          pending = [];
          continue;
        }
        // Copy: the stream may reuse its buffers.
        pending.push(Buffer.from(buf.subarray(start)));
      }
    }
  } catch (e) {
    error = e instanceof Error ? e : new Error(String(e));
  }
  if (pendingLen > 0 || overlong) endLine(Buffer.alloc(0), 0, 0);
  return { bytes, lines: lineNo, ...(error ? { error } : {}) };
}
