import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  filetimeText,
  guidText,
  hexU32,
  scalarText,
  sidText,
  T_BINARY,
  T_HEX32,
  T_HEX64,
  T_SIZET,
  T_STRING,
} from './values.js';

describe('hexU32 (the hand-written hex of HexInt32/HexInt64/SizeT values)', () => {
  it('equals Number#toString(16), unpadded and padded to 8 digits', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (n) => {
        expect(hexU32(n)).toBe(n.toString(16));
        expect(hexU32(n, 8)).toBe(n.toString(16).padStart(8, '0'));
      }),
      { numRuns: 2000 },
    );
    expect(hexU32(0)).toBe('0');
    expect(hexU32(0xffffffff)).toBe('ffffffff');
  });
});

// Plain formulations of the value texts (what the byte-writing formatters replaced), as references.
const hex2 = (x: number) => x.toString(16).toUpperCase().padStart(2, '0');
function plainGuid(b: Buffer): string {
  const h = (i: number) => hex2(b[i]!);
  return `{${h(3)}${h(2)}${h(1)}${h(0)}-${h(5)}${h(4)}-${h(7)}${h(6)}-${h(8)}${h(9)}-${[10, 11, 12, 13, 14, 15].map(h).join('')}}`;
}
function plainSid(b: Buffer): string {
  const hi = b.readUInt16BE(2);
  const lo = b.readUInt32BE(4);
  const auth = hi === 0 ? String(lo) : `0x${hi.toString(16).padStart(4, '0')}${lo.toString(16).padStart(8, '0')}`;
  let s = `S-${b[0]}-${auth}`;
  for (let i = 0; i < b[1]!; i++) s += `-${b.readUInt32LE(8 + 4 * i)}`;
  return s;
}
function plainFiletime(b: Buffer): string {
  const v = b.readBigUInt64LE(0);
  const secs = Number(v / 10_000_000n) - 11644473600;
  const iso = new Date(secs * 1000).toISOString(); // YYYY-MM-DDTHH:MM:SS.000Z for years 0–9999
  return `${iso.slice(0, 19)}.${String(v % 10_000_000n).padStart(7, '0')}00Z`;
}

describe('value texts written byte by byte equal their plain formulations', () => {
  it('GUID', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (a) => {
        const b = Buffer.from(a);
        expect(guidText(b, 0)).toBe(plainGuid(b));
      }),
      { numRuns: 2000 },
    );
  });
  it('SID', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 255 }),
        fc.integer({ min: 0, max: 0xffff }),
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.array(fc.integer({ min: 0, max: 0xffffffff }), { maxLength: 15 }),
        (rev, hi, lo, subs) => {
          const b = Buffer.alloc(8 + 4 * subs.length);
          b[0] = rev;
          b[1] = subs.length;
          b.writeUInt16BE(hi, 2);
          b.writeUInt32BE(lo, 4);
          subs.forEach((s, i) => b.writeUInt32LE(s, 8 + 4 * i));
          expect(sidText(b, 0, b.length)).toBe(plainSid(b));
        },
      ),
      { numRuns: 2000 },
    );
  });
  it('FILETIME, in runs of the same second and not', () => {
    // 1601 to 9999: the years toISOString writes with four digits.
    const maxTicks = (253402300799n + 11644473600n) * 10_000_000n;
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: maxTicks }),
        fc.array(fc.bigInt({ min: -20_000_000n, max: 20_000_000n }), { maxLength: 5 }),
        (start, steps) => {
          let v = start;
          for (const step of [0n, ...steps]) {
            v += step;
            if (v < 0n || v > maxTicks) continue;
            const b = Buffer.alloc(8);
            b.writeBigUInt64LE(v);
            expect(filetimeText(b, 0)).toBe(plainFiletime(b));
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
  it('hex integers and binary', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.uint8Array({ maxLength: 40 }), (v, bin) => {
        const b = Buffer.alloc(8);
        b.writeBigUInt64LE(v);
        expect(scalarText(b, 0, 8, T_HEX64)).toBe(`0x${v.toString(16)}`);
        expect(scalarText(b, 0, 8, T_SIZET)).toBe(`0x${v.toString(16)}`);
        expect(scalarText(b, 0, 4, T_HEX32)).toBe(`0x${b.readUInt32LE(0).toString(16)}`);
        expect(scalarText(b, 0, 4, T_SIZET)).toBe(`0x${b.readUInt32LE(0).toString(16)}`);
        const bb = Buffer.from(bin);
        expect(scalarText(bb, 0, bb.length, T_BINARY)).toBe([...bin].map(hex2).join(''));
      }),
      { numRuns: 2000 },
    );
  });
  it('UTF-16 strings lose their trailing NULs only', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.integer({ min: 0, max: 3 }), (s, nuls) => {
        const b = Buffer.from(s + '\u0000'.repeat(nuls), 'utf16le');
        expect(scalarText(b, 0, b.length, T_STRING)).toBe(s.replace(/\u0000+$/, ''));
      }),
      { numRuns: 2000 },
    );
  });
});
