/**
 * A deterministic tar.gz writer (POSIX ustar, PAX records only for names ustar cannot hold).
 * Same files in → same bytes out: entries sorted by path, parent directories added explicitly,
 * fixed mtime (default 0, or a SOURCE_DATE_EPOCH-style value), uid/gid 0, uname/gname `root`,
 * modes 0644 (files) and 0755 (directories), no symlinks, every path under `<appid>/`, and a gzip
 * header without file name or time. Padded to 10240-byte records like GNU tar and Python tarfile.
 * Compression is fflate's pure-JavaScript deflate: Node's bundled zlib picks SIMD code paths by
 * CPU, so its compressed bytes are not guaranteed equal across machines; fflate's are.
 */
import { gzipSync } from 'fflate';

const BLOCK = 512;
const RECORD = 10240;

export interface PackOptions {
  /** Modification time of every entry, in seconds since the epoch. Default 0. */
  mtime?: number;
  /** gzip level (default 9, what Python's tarfile `w:gz` uses). */
  level?: number;
}

function octal(n: number, width: number): string {
  // width includes the terminating NUL
  const s = n.toString(8);
  if (s.length > width - 1) throw new RangeError(`value ${n} does not fit a ${width}-byte tar field`);
  return `${s.padStart(width - 1, '0')}\0`;
}

function writeString(buf: Buffer, offset: number, width: number, s: string | Buffer): void {
  const b = typeof s === 'string' ? Buffer.from(s, 'utf8') : s;
  if (b.length > width) throw new RangeError(`"${b.toString()}" does not fit a ${width}-byte tar field`);
  b.copy(buf, offset);
}

function header(name: Buffer, prefix: Buffer, size: number, type: '0' | '5' | 'x', mtime: number): Buffer {
  const h = Buffer.alloc(BLOCK, 0);
  writeString(h, 0, 100, name);
  writeString(h, 100, 8, octal(type === '5' ? 0o755 : 0o644, 8));
  writeString(h, 108, 8, octal(0, 8));
  writeString(h, 116, 8, octal(0, 8));
  writeString(h, 124, 12, octal(size, 12));
  writeString(h, 136, 12, octal(mtime, 12));
  h.fill(0x20, 148, 156); // checksum is computed with its own field as spaces
  writeString(h, 156, 1, type);
  writeString(h, 257, 6, 'ustar\0');
  writeString(h, 263, 2, '00');
  writeString(h, 265, 32, 'root');
  writeString(h, 297, 32, 'root');
  writeString(h, 329, 8, octal(0, 8));
  writeString(h, 337, 8, octal(0, 8));
  writeString(h, 345, 155, prefix);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += h[i]!;
  writeString(h, 148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
  return h;
}

/** Splits a path into ustar (prefix, name), or undefined when it needs a PAX record. */
function ustarSplit(path: Buffer): [Buffer, Buffer] | undefined {
  if (path.length <= 100) return [path, Buffer.alloc(0)];
  for (let i = path.length - 1; i >= 0; i--) {
    if (path[i] !== 0x2f) continue;
    const prefix = path.subarray(0, i);
    const name = path.subarray(i + 1);
    if (prefix.length <= 155 && name.length <= 100 && name.length > 0) return [name, prefix];
  }
  return undefined;
}

function paxRecord(key: string, value: string): Buffer {
  const body = ` ${key}=${value}\n`;
  const bodyLen = Buffer.byteLength(body);
  let len = bodyLen + 1;
  while (String(len).length + bodyLen !== len) len = String(len).length + bodyLen;
  return Buffer.from(`${len}${body}`, 'utf8');
}

function pad(n: number): number {
  return (BLOCK - (n % BLOCK)) % BLOCK;
}

const SAFE_SEGMENT = /^(?!\.{1,2}$)[^/\\\0]+$/;

/** Validates an app-relative path: relative, forward slashes, no `.`/`..`/empty segments, no NUL. */
export function checkRelPath(path: string): void {
  if (path.startsWith('/') || !path.split('/').every((s) => SAFE_SEGMENT.test(s))) {
    throw new Error(`unsafe path in app tree: ${JSON.stringify(path)}`);
  }
}

/** The uncompressed tar of `files` under `<topDir>/`. */
export function packTar(
  files: ReadonlyMap<string, Buffer | string>,
  topDir: string,
  options: PackOptions = {},
): Buffer {
  checkRelPath(topDir);
  if (topDir.includes('/')) throw new Error(`the top folder must be one path segment: ${topDir}`);
  const mtime = Math.max(0, Math.floor(options.mtime ?? 0));
  const entries = new Map<string, Buffer | null>();
  entries.set(`${topDir}/`, null);
  for (const [rel, content] of files) {
    checkRelPath(rel);
    const segments = rel.split('/');
    for (let i = 1; i < segments.length; i++) entries.set(`${topDir}/${segments.slice(0, i).join('/')}/`, null);
    entries.set(`${topDir}/${rel}`, typeof content === 'string' ? Buffer.from(content, 'utf8') : content);
  }
  const paths = [...entries.keys()].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  const chunks: Buffer[] = [];
  for (const p of paths) {
    const content = entries.get(p) ?? null;
    const isDir = content === null;
    const pathBytes = Buffer.from(p, 'utf8');
    const size = content?.length ?? 0;
    const ascii = /^[\x20-\x7e]*$/.test(p);
    const split = ascii ? ustarSplit(pathBytes) : undefined;
    let name: Buffer;
    let prefix: Buffer;
    if (split) {
      [name, prefix] = split;
    } else {
      const pax = paxRecord('path', p);
      chunks.push(
        header(Buffer.from('PaxHeader/entry'), Buffer.alloc(0), pax.length, 'x', mtime),
        pax,
        Buffer.alloc(pad(pax.length)),
      );
      name = Buffer.from(
        pathBytes
          .subarray(0, 100)
          .toString('latin1')
          .replace(/[^\x20-\x7e]/g, '_'),
        'latin1',
      );
      prefix = Buffer.alloc(0);
    }
    chunks.push(header(name, prefix, size, isDir ? '5' : '0', mtime));
    if (content) chunks.push(content, Buffer.alloc(pad(size)));
  }
  chunks.push(Buffer.alloc(2 * BLOCK));
  const total = chunks.reduce((n, c) => n + c.length, 0);
  chunks.push(Buffer.alloc((RECORD - (total % RECORD)) % RECORD));
  return Buffer.concat(chunks);
}

type Level = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9;

/** gzip with a fixed header: no name, mtime 0, OS byte 3 (Unix) whatever platform builds it. */
export function gzipDeterministic(data: Buffer, level = 9): Buffer {
  const lvl = Math.min(9, Math.max(0, Math.round(level))) as Level;
  const gz = Buffer.from(gzipSync(data, { level: lvl, mem: 8, mtime: 0 }));
  gz.writeUInt32LE(0, 4);
  gz[9] = 3;
  return gz;
}

/** `<topDir>/…` tar.gz of an in-memory app tree. */
export function packTarGz(
  files: ReadonlyMap<string, Buffer | string>,
  topDir: string,
  options: PackOptions = {},
): Buffer {
  return gzipDeterministic(packTar(files, topDir, options), options.level ?? 9);
}
