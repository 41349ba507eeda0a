import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { checkRelPath, packTar, packTarGz } from './tar.js';

interface Entry {
  path: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  type: string;
  uname: string;
  gname: string;
  content: Buffer;
}

/** A small independent ustar/PAX reader that also verifies header checksums. */
function readTar(buf: Buffer): Entry[] {
  const out: Entry[] = [];
  let off = 0;
  let paxPath: string | undefined;
  const str = (b: Buffer) => b.toString('utf8').replace(/\0.*$/s, '');
  const oct = (b: Buffer) => parseInt(str(b).trim() || '0', 8);
  while (off + 512 <= buf.length) {
    const h = buf.subarray(off, off + 512);
    if (h.every((x) => x === 0)) break;
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : h[i]!;
    expect(oct(h.subarray(148, 156))).toBe(sum);
    expect(str(h.subarray(257, 263))).toBe('ustar');
    const size = oct(h.subarray(124, 136));
    const type = String.fromCharCode(h[156]!);
    const content = buf.subarray(off + 512, off + 512 + size);
    off += 512 + Math.ceil(size / 512) * 512;
    if (type === 'x') {
      const m = /\d+ path=(.*)\n/.exec(content.toString('utf8'));
      paxPath = m?.[1];
      continue;
    }
    const name = str(h.subarray(0, 100));
    const prefix = str(h.subarray(345, 500));
    out.push({
      path: paxPath ?? (prefix ? `${prefix}/${name}` : name),
      mode: oct(h.subarray(100, 108)),
      uid: oct(h.subarray(108, 116)),
      gid: oct(h.subarray(116, 124)),
      size,
      mtime: oct(h.subarray(136, 148)),
      type,
      uname: str(h.subarray(265, 297)),
      gname: str(h.subarray(297, 329)),
      content: Buffer.from(content),
    });
    paxPath = undefined;
  }
  return out;
}

const files = new Map<string, Buffer | string>([
  ['default/savedsearches.conf', '[a]\nk = v\n'],
  ['README.md', '# hi\n'],
  [`lookups/${`__mlspl_${'x'.repeat(90)}`}.mlmodel`, Buffer.from([0, 1, 2, 3])],
  [`lookups/${'é'.repeat(60)}.csv`, 'a,b\n'],
  [`${'d'.repeat(120)}/${'f'.repeat(120)}.txt`, 'deep\n'],
]);

describe('deterministic tar.gz (escu-app-format.md §4.10; issue 5 determinism rules)', () => {
  it('puts every entry under <appid>/, sorted, with fixed owner, modes and mtime', () => {
    const entries = readTar(packTar(files, 'DA-ESS-Test'));
    const paths = entries.map((e) => e.path);
    expect(paths.every((p) => p.startsWith('DA-ESS-Test/'))).toBe(true);
    expect([...paths].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))).toEqual(paths);
    expect(paths).toContain('DA-ESS-Test/default/');
    expect(paths).toContain(`DA-ESS-Test/lookups/${'é'.repeat(60)}.csv`);
    expect(paths).toContain(`DA-ESS-Test/${'d'.repeat(120)}/${'f'.repeat(120)}.txt`);
    for (const e of entries) {
      expect([e.uid, e.gid, e.mtime, e.uname, e.gname]).toEqual([0, 0, 0, 'root', 'root']);
      expect(e.type === '5' ? e.mode : e.type === '0' ? e.mode : -1).toBe(e.type === '5' ? 0o755 : 0o644);
      expect(['0', '5']).toContain(e.type); // no symlinks or other types
    }
    const conf = entries.find((e) => e.path === 'DA-ESS-Test/default/savedsearches.conf')!;
    expect(conf.content.toString()).toBe('[a]\nk = v\n');
  });

  it('is byte-identical for the same input in any insertion order, and pads to 10240-byte records', () => {
    const a = packTarGz(files, 'DA-ESS-Test');
    const b = packTarGz(new Map([...files].reverse()), 'DA-ESS-Test');
    expect(a.equals(b)).toBe(true);
    expect(gunzipSync(a).length % 10240).toBe(0);
  });

  it('the gzip stream holds exactly the tar', () => {
    expect(gunzipSync(packTarGz(files, 'X', { level: 9 })).equals(packTar(files, 'X'))).toBe(true);
    expect(gunzipSync(packTarGz(files, 'X', { level: 1 })).equals(packTar(files, 'X'))).toBe(true);
  });

  it('writes a gzip header without name or time (OS byte 3)', () => {
    const gz = packTarGz(files, 'X');
    expect([...gz.subarray(0, 4)]).toEqual([0x1f, 0x8b, 8, 0]); // no FNAME flag
    expect(gz.readUInt32LE(4)).toBe(0);
    expect(gz[9]).toBe(3);
  });

  it('uses the given mtime (SOURCE_DATE_EPOCH style)', () => {
    expect(readTar(packTar(files, 'X', { mtime: 1727654400 })).every((e) => e.mtime === 1727654400)).toBe(true);
  });

  it.each(['/etc/passwd', '../x', 'a/../../x', 'a//b', 'a/./b', '', 'a\\..\\b', 'a\0b'])(
    'refuses the unsafe path %j',
    (p) => {
      expect(() => checkRelPath(p)).toThrow();
      expect(() => packTar(new Map([[p, 'x']]), 'X')).toThrow();
    },
  );
  it('refuses an unsafe top folder', () => {
    expect(() => packTar(files, '../X')).toThrow();
    expect(() => packTar(files, 'a/b')).toThrow();
  });
});
