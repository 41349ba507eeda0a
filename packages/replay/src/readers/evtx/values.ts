/**
 * EVTX substitution value types (MS-EVEN6 §2.2.12 "Type System"; libyal's EVTX notes §"Value types")
 * and their text as Windows' EvtRender writes it — which is what Splunk's XmlWinEventLog input
 * indexes. The forms below were checked against real XmlWinEventLog lines
 * (`shared/data/logs/certutil_sysmon_4688_mixed.raw`, splunk-semantics.md §5.1–5.2):
 * - GUID: `{5770385F-C22A-43E0-BF4C-06F5698FFBD9}` (upper case, braces);
 * - hexadecimal integers (HexInt32, HexInt64, SizeT): `0x` + lower-case digits, not zero-padded
 *   (`<Data Name='LogonId'>0x49732</Data>`, `NewProcessId` `0x1b28`, `TargetLogonId` `0x0`);
 * - FILETIME: `2021-01-14T23:41:40.145335200Z` (seven digits of 100 ns ticks, then `00`);
 * - SID: `S-1-5-18`.
 * Forms no real line shows, chosen to follow libevtx (`evtxexport -f xml`), the reference the corpus
 * test compares with: binary as upper-case hex, booleans `true`/`false`, SYSTEMTIME as an ISO time
 * with milliseconds padded to nine digits, floats in JavaScript's shortest round-trip form
 * [uncertain: no sample carries one]. Strings lose trailing NULs (writers often count the terminator).
 *
 * Values are returned unescaped; the renderer escapes them for their XML context.
 */

export const T_NULL = 0x00;
export const T_STRING = 0x01;
export const T_ANSI = 0x02;
export const T_INT8 = 0x03;
export const T_UINT8 = 0x04;
export const T_INT16 = 0x05;
export const T_UINT16 = 0x06;
export const T_INT32 = 0x07;
export const T_UINT32 = 0x08;
export const T_INT64 = 0x09;
export const T_UINT64 = 0x0a;
export const T_REAL32 = 0x0b;
export const T_REAL64 = 0x0c;
export const T_BOOL = 0x0d;
export const T_BINARY = 0x0e;
export const T_GUID = 0x0f;
export const T_SIZET = 0x10;
export const T_FILETIME = 0x11;
export const T_SYSTIME = 0x12;
export const T_SID = 0x13;
export const T_HEX32 = 0x14;
export const T_HEX64 = 0x15;
export const T_EVTHANDLE = 0x20;
export const T_BINXML = 0x21;
export const T_EVTXML = 0x23;
export const T_ARRAY = 0x80;

/** Names of the value types, for reports. */
export function typeName(t: number): string {
  const base: Record<number, string> = {
    0: 'Null',
    1: 'String',
    2: 'AnsiString',
    3: 'Int8',
    4: 'UInt8',
    5: 'Int16',
    6: 'UInt16',
    7: 'Int32',
    8: 'UInt32',
    9: 'Int64',
    10: 'UInt64',
    11: 'Real32',
    12: 'Real64',
    13: 'Bool',
    14: 'Binary',
    15: 'Guid',
    16: 'SizeT',
    17: 'FileTime',
    18: 'SysTime',
    19: 'Sid',
    20: 'HexInt32',
    21: 'HexInt64',
    32: 'EvtHandle',
    33: 'BinXml',
    35: 'EvtXml',
  };
  const n = base[t & 0x7f];
  if (n === undefined) return `type 0x${t.toString(16)}`;
  return t & T_ARRAY ? `${n}[]` : n;
}

/** Thrown for a value that cannot be decoded (wrong size, unknown type); the record is reported. */
export class ValueError extends Error {}

export function u16(b: Uint8Array, o: number): number {
  return b[o]! | (b[o + 1]! << 8);
}
export function u32(b: Uint8Array, o: number): number {
  return (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
}

type Slice = (this: Buffer, start: number, end: number) => string;
/**
 * Buffer's own UTF-16LE decoder, without `toString`'s argument handling around it (encoding-name
 * lookup, range clamping): measured a large share of decoding many short strings. It throws for
 * ranges outside the buffer, so out-of-range calls go through `toString` (which clamps) instead.
 */
const ucs2Slice = (Buffer.prototype as unknown as { ucs2Slice?: Slice }).ucs2Slice;

/** UTF-16LE text of bytes [o, end). */
export function utf16Range(b: Buffer, o: number, end: number): string {
  return ucs2Slice !== undefined && o >= 0 && end <= b.length && o <= end
    ? ucs2Slice.call(b, o, end)
    : b.toString('utf16le', o, end);
}

/** UTF-16LE text of `n` code units at `o`. */
export function utf16(b: Buffer, o: number, n: number): string {
  return utf16Range(b, o, o + 2 * n);
}

function stripNuls(s: string): string {
  let e = s.length;
  while (e > 0 && s.charCodeAt(e - 1) === 0) e--;
  return e === s.length ? s : s.slice(0, e);
}

/**
 * ASCII text of one value being formatted (GUIDs, SIDs, times, hex numbers), read out with one
 * native latin1 decode: a flat string, where appending piece by piece builds a chain of string
 * pieces that costs an allocation per piece and a copy when it is read (measured ~2.5x slower for
 * a GUID). Formatting is synchronous and never re-entered, so one buffer serves every value; it is
 * large enough for the longest SID (255 sub-authorities of up to 10 digits).
 */
const TEXT = Buffer.allocUnsafeSlow(4096);
const latin1Slice = (Buffer.prototype as unknown as { latin1Slice?: Slice }).latin1Slice;
function textOf(n: number): string {
  return latin1Slice !== undefined ? latin1Slice.call(TEXT, 0, n) : TEXT.toString('latin1', 0, n);
}
const HEX_UPPER_CODES = Buffer.from('0123456789ABCDEF', 'latin1');
const HEX_LOWER_CODES = Buffer.from('0123456789abcdef', 'latin1');

/** Writes byte `x` as two upper-case hex digits at `p`; returns the position after them. */
function putHex2(p: number, x: number): number {
  TEXT[p] = HEX_UPPER_CODES[x >> 4]!;
  TEXT[p + 1] = HEX_UPPER_CODES[x & 15]!;
  return p + 2;
}

/** Writes u32 `n` in lower-case hex, zero-padded to `width` digits, at `p`; returns the position after it. */
function putHexU32(p: number, n: number, width: number): number {
  let digits = 1;
  for (let v = n >>> 4; v !== 0; v >>>= 4) digits++;
  if (digits < width) digits = width;
  for (let i = p + digits - 1; i >= p; i--) {
    TEXT[i] = HEX_LOWER_CODES[n & 15]!;
    n >>>= 4;
  }
  return p + digits;
}

/** Writes a non-negative integer below 2^53 in decimal at `p`; returns the position after it. */
function putDecimal(p: number, n: number): number {
  let digits = 1;
  for (let v = Math.floor(n / 10); v !== 0; v = Math.floor(v / 10)) digits++;
  for (let i = p + digits - 1; i >= p; i--) {
    const q = Math.floor(n / 10);
    TEXT[i] = 48 + (n - q * 10);
    n = q;
  }
  return p + digits;
}

/** The 16 bytes' order in the text: Data1–Data3 little-endian, Data4 as stored; -1 a dash. */
const GUID_ORDER = [3, 2, 1, 0, -1, 5, 4, -1, 7, 6, -1, 8, 9, -1, 10, 11, 12, 13, 14, 15];

export function guidText(b: Uint8Array, o: number): string {
  TEXT[0] = 0x7b; // {
  let p = 1;
  for (let k = 0; k < GUID_ORDER.length; k++) {
    const i = GUID_ORDER[k]!;
    if (i < 0)
      TEXT[p++] = 0x2d; // -
    else p = putHex2(p, b[o + i]!);
  }
  TEXT[p++] = 0x7d; // }
  return textOf(p);
}

/** `S-<revision>-<authority>-<sub>…`; the 48-bit authority in hex when it exceeds 32 bits (as Windows). */
export function sidText(b: Uint8Array, o: number, size: number): string {
  if (size < 8) throw new ValueError(`SID of ${size} bytes (at least 8 needed)`);
  const n = b[o + 1]!;
  if (8 + 4 * n > size) throw new ValueError(`SID with ${n} sub-authorities does not fit in ${size} bytes`);
  const hi = (b[o + 2]! << 8) | b[o + 3]!;
  const lo = ((b[o + 4]! << 24) | (b[o + 5]! << 16) | (b[o + 6]! << 8) | b[o + 7]!) >>> 0;
  TEXT[0] = 0x53; // S
  TEXT[1] = 0x2d;
  let p = putDecimal(2, b[o]!);
  TEXT[p++] = 0x2d;
  if (hi === 0) p = putDecimal(p, lo);
  else {
    TEXT[p] = 0x30; // 0x
    TEXT[p + 1] = 0x78;
    p = putHexU32(putHexU32(p + 2, hi, 4), lo, 8);
  }
  for (let i = 0; i < n; i++) {
    TEXT[p++] = 0x2d;
    p = putDecimal(p, u32(b, o + 8 + 4 * i));
  }
  return textOf(p);
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** ISO date-time (to the second) of a Unix time in whole seconds, as Windows writes it. */
function isoSeconds(unix: number): string {
  const d = new Date(unix * 1000);
  const y = d.getUTCFullYear();
  if (Number.isNaN(y)) throw new ValueError('time out of range');
  return `${String(y).padStart(4, '0')}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}T${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`;
}

/** Seconds between 1601-01-01 and 1970-01-01. */
const EPOCH_DIFF = 11644473600;

/**
 * The date and time to the second of the last FILETIME formatted (`isoSeconds`, through a Date):
 * a log's events come in runs within the same second, so most FILETIMEs reuse it.
 */
let ftSeconds = Number.NaN;
const FT_PREFIX = Buffer.alloc(32);
let ftPrefixLength = 0;

/** FILETIME (100 ns ticks since 1601, little-endian u64) → `YYYY-MM-DDTHH:MM:SS.fffffff00Z`. */
export function filetimeText(b: Uint8Array, o: number): string {
  const lo = u32(b, o);
  const hi = u32(b, o + 4);
  let secs: number;
  let ticks: number;
  if (hi < 1_800_000_000) {
    // hi·2^32 = hi·429·10^7 + hi·4967296: every term stays below 2^53.
    const r = hi * 4967296 + lo;
    secs = hi * 429 + Math.floor(r / 1e7);
    ticks = r % 1e7;
  } else {
    const v = (BigInt(hi) << 32n) | BigInt(lo);
    secs = Number(v / 10_000_000n);
    ticks = Number(v % 10_000_000n);
  }
  if (secs !== ftSeconds) {
    const iso = isoSeconds(secs - EPOCH_DIFF);
    ftPrefixLength = FT_PREFIX.write(iso, 'latin1');
    ftSeconds = secs;
  }
  let p = 0;
  for (; p < ftPrefixLength; p++) TEXT[p] = FT_PREFIX[p]!;
  TEXT[p] = 0x2e; // .
  for (let i = p + 7; i > p; i--) {
    const q = Math.floor(ticks / 10);
    TEXT[i] = 48 + (ticks - q * 10);
    ticks = q;
  }
  p += 8;
  TEXT[p] = 0x30; // 00Z
  TEXT[p + 1] = 0x30;
  TEXT[p + 2] = 0x5a;
  return textOf(p + 3);
}

/** FILETIME → epoch seconds (microsecond precision), for `_time`. */
export function filetimeEpoch(b: Uint8Array, o: number): number {
  const lo = u32(b, o);
  const hi = u32(b, o + 4);
  const r = hi * 4967296 + lo;
  const secs = hi * 429 + Math.floor(r / 1e7);
  return secs - EPOCH_DIFF + Math.round((r % 1e7) / 10) / 1e6;
}

/** SYSTEMTIME (year, month, weekday, day, hour, minute, second, milliseconds as u16). */
export function systimeText(b: Uint8Array, o: number): string {
  const f = (i: number) => u16(b, o + 2 * i);
  const ms = f(7);
  return `${String(f(0)).padStart(4, '0')}-${pad2(f(1))}-${pad2(f(3))}T${pad2(f(4))}:${pad2(f(5))}:${pad2(f(6))}.${String(ms).padStart(3, '0')}000000Z`;
}

/** `n.toString(16)` for a u32 (`width` 8: zero-padded to 8 digits). */
export function hexU32(n: number, width = 0): string {
  return textOf(putHexU32(0, n >>> 0, width));
}

/** `0x` + lower-case hex of a u32, not zero-padded. */
function hex32(n: number): string {
  TEXT[0] = 0x30;
  TEXT[1] = 0x78;
  return textOf(putHexU32(2, n, 0));
}

function hex64(b: Uint8Array, o: number): string {
  const lo = u32(b, o);
  const hi = u32(b, o + 4);
  if (hi === 0) return hex32(lo);
  TEXT[0] = 0x30;
  TEXT[1] = 0x78;
  return textOf(putHexU32(putHexU32(2, hi, 0), lo, 8));
}

function uint64(b: Uint8Array, o: number): string {
  const lo = u32(b, o);
  const hi = u32(b, o + 4);
  if (hi < 0x200000) return String(hi * 4294967296 + lo);
  return ((BigInt(hi) << 32n) | BigInt(lo)).toString();
}

function int64(b: Uint8Array, o: number): string {
  const hi = u32(b, o + 4);
  if (hi & 0x80000000) {
    const lo = u32(b, o);
    const v = (BigInt(hi) << 32n) | BigInt(lo);
    return (v - (1n << 64n)).toString();
  }
  return uint64(b, o);
}

function real32(b: Buffer, o: number): string {
  const x = b.readFloatLE(o);
  if (!Number.isFinite(x)) return x > 0 ? '1.#INF' : x < 0 ? '-1.#INF' : '-1.#IND';
  for (let p = 1; p <= 9; p++) {
    const s = x.toPrecision(p);
    if (Math.fround(Number(s)) === x) return String(Number(s));
  }
  return String(x);
}

function real64(b: Buffer, o: number): string {
  const x = b.readDoubleLE(o);
  if (!Number.isFinite(x)) return x > 0 ? '1.#INF' : x < 0 ? '-1.#INF' : '-1.#IND';
  return String(x);
}

/** Size in bytes of one element of a fixed-size type, or 0 for variable-size types. */
function fixedSize(t: number, size: number): number {
  switch (t) {
    case T_INT8:
    case T_UINT8:
      return 1;
    case T_INT16:
    case T_UINT16:
      return 2;
    case T_INT32:
    case T_UINT32:
    case T_REAL32:
    case T_BOOL:
    case T_HEX32:
      return 4;
    case T_INT64:
    case T_UINT64:
    case T_REAL64:
    case T_FILETIME:
    case T_HEX64:
      return 8;
    case T_GUID:
    case T_SYSTIME:
      return 16;
    case T_SIZET:
    case T_EVTHANDLE:
      return size === 4 || size === 8 ? size : 8;
    default:
      return 0;
  }
}

/**
 * Whether the text of a value of type `t` (or an array of it) can hold characters XML escapes:
 * only strings can. Every other type renders as digits, hex, dashes, dots and colons (GUID, SID,
 * FILETIME, numbers, `true`/`false`, `1.#INF`), so its text needs no escaping.
 */
export function isStringType(t: number): boolean {
  const base = t & 0x7f;
  return base === T_STRING || base === T_ANSI || base === T_EVTXML;
}

/** One scalar value of type `t` (not an array, not BinXml) → its text. */
export function scalarText(b: Buffer, o: number, size: number, t: number): string {
  const need = fixedSize(t, size);
  if (need > 0 && size !== need) throw new ValueError(`${typeName(t)} value of ${size} bytes (expected ${need})`);
  switch (t) {
    case T_NULL:
      return '';
    case T_STRING:
    case T_EVTXML: {
      if (size & 1) throw new ValueError(`UTF-16 string of odd size ${size}`);
      // Trailing NUL code units (both bytes zero) are left out before decoding, not sliced off after.
      let end = o + size;
      while (end > o && b[end - 1] === 0 && b[end - 2] === 0) end -= 2;
      return utf16Range(b, o, end);
    }
    case T_ANSI:
      return stripNuls(b.toString('latin1', o, o + size));
    case T_INT8:
      return String((b[o]! << 24) >> 24);
    case T_UINT8:
      return String(b[o]);
    case T_INT16:
      return String((u16(b, o) << 16) >> 16);
    case T_UINT16:
      return String(u16(b, o));
    case T_INT32:
      return String(u32(b, o) | 0);
    case T_UINT32:
      return String(u32(b, o));
    case T_INT64:
      return int64(b, o);
    case T_UINT64:
      return uint64(b, o);
    case T_REAL32:
      return real32(b, o);
    case T_REAL64:
      return real64(b, o);
    case T_BOOL:
      return u32(b, o) !== 0 ? 'true' : 'false';
    case T_BINARY:
      return b.toString('hex', o, o + size).toUpperCase();
    case T_GUID:
      return guidText(b, o);
    case T_SIZET:
    case T_EVTHANDLE:
      return size === 4 ? hex32(u32(b, o)) : hex64(b, o);
    case T_FILETIME:
      return filetimeText(b, o);
    case T_SYSTIME:
      return systimeText(b, o);
    case T_SID:
      return sidText(b, o, size);
    case T_HEX32:
      return hex32(u32(b, o));
    case T_HEX64:
      return hex64(b, o);
    default:
      throw new ValueError(`unknown value type 0x${t.toString(16)}`);
  }
}

/**
 * An array value (type | 0x80) → its items. String arrays are NUL-separated; SIDs follow each
 * other with their own lengths; other types are fixed-size elements.
 */
export function arrayItems(b: Buffer, o: number, size: number, t: number): string[] {
  const base = t & 0x7f;
  if (base === T_STRING) {
    if (size & 1) throw new ValueError(`UTF-16 string array of odd size ${size}`);
    const s = utf16Range(b, o, o + size);
    const parts = s.split('\u0000');
    // The last string is NUL-terminated: drop the empty piece after it.
    if (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
    return parts;
  }
  if (base === T_ANSI) {
    const parts = b.toString('latin1', o, o + size).split('\u0000');
    if (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
    return parts;
  }
  if (base === T_SID) {
    const out: string[] = [];
    let p = o;
    const end = o + size;
    while (p < end) {
      if (end - p < 8) throw new ValueError('truncated SID in SID array');
      const len = 8 + 4 * b[p + 1]!;
      out.push(sidText(b, p, Math.min(len, end - p)));
      p += len;
    }
    return out;
  }
  if (base === T_BINARY || base === T_BINXML || base === T_NULL)
    throw new ValueError(`array of ${typeName(base)} is not a valid type`);
  const el = base === T_SIZET || base === T_EVTHANDLE ? 8 : fixedSize(base, 0);
  if (el === 0) throw new ValueError(`unknown array type 0x${t.toString(16)}`);
  if (size % el !== 0) throw new ValueError(`${typeName(t)} of ${size} bytes is not a multiple of ${el}`);
  const out: string[] = [];
  for (let p = o; p < o + size; p += el) out.push(scalarText(b, p, el, base));
  return out;
}
