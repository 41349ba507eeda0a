import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfinedReader, FsRefusal, confinedRealPath, readConfinedFile, walkConfined } from './confined.js';

function tree() {
  const base = mkdtempSync(join(tmpdir(), 'dac-fs-confined-'));
  const root = join(base, 'root');
  mkdirSync(join(root, 'detections', 'sub'), { recursive: true });
  writeFileSync(join(base, 'secret'), 'SECRET');
  writeFileSync(join(root, 'detections', 'a.yml'), 'name: a\n');
  return { base, root };
}

function refusal(f: () => unknown): FsRefusal {
  try {
    f();
  } catch (e) {
    if (e instanceof FsRefusal) return e;
    throw e;
  }
  throw new Error('not refused');
}

describe('confined reads', () => {
  it('reads a file inside the root, also through a link that stays inside', () => {
    const { root } = tree();
    symlinkSync('a.yml', join(root, 'detections', 'b.yml'));
    expect(readConfinedFile(root, 'detections/b.yml').toString()).toBe('name: a\n');
  });

  it('refuses a link out of the root, `..` paths and absolute paths elsewhere', () => {
    const { base, root } = tree();
    symlinkSync(join(base, 'secret'), join(root, 'detections', 's.yml'));
    expect(refusal(() => readConfinedFile(root, 'detections/s.yml')).reason).toBe('outside-root');
    expect(refusal(() => readConfinedFile(root, '../secret')).reason).toBe('outside-root');
    expect(refusal(() => readConfinedFile(root, join(base, 'secret'))).message).not.toContain('SECRET');
  });

  it('refuses a root that is itself reached through a link only by real path (link roots work)', () => {
    const { base, root } = tree();
    const link = join(base, 'link');
    symlinkSync(root, link);
    expect(readConfinedFile(link, 'detections/a.yml').toString()).toBe('name: a\n');
    expect(confinedRealPath(link, 'detections/a.yml')).toBe(join(root, 'detections', 'a.yml'));
  });

  it.skipIf(spawnSync('mkfifo', ['--version']).status !== 0)('refuses a FIFO without blocking', () => {
    const { root } = tree();
    spawnSync('mkfifo', [join(root, 'detections', 'f.yml')]);
    const e = refusal(() => readConfinedFile(root, 'detections/f.yml'));
    expect(e.reason).toBe('not-regular');
    expect(e.message).toMatch(/FIFO/);
  });

  it('enforces a size limit', () => {
    const { root } = tree();
    expect(refusal(() => readConfinedFile(root, 'detections/a.yml', { maxBytes: 3 })).reason).toBe('too-large');
  });
  it('returns exactly the file’s bytes at sizes around the read buffer’s (one buffer of the fstat size + 1)', () => {
    const { root } = tree();
    for (const size of [0, 1, 4095, 4096, 4097, (1 << 20) - 1, 1 << 20, (1 << 20) + 3]) {
      const bytes = Buffer.alloc(size, 0);
      for (let i = 0; i < size; i++) bytes[i] = (i * 31 + 7) & 0xff;
      writeFileSync(join(root, 'detections', 'sized.bin'), bytes);
      expect(readConfinedFile(root, 'detections/sized.bin').equals(bytes)).toBe(true);
      expect(refusal(() => readConfinedFile(root, 'detections/sized.bin', { maxBytes: size - 1 })).reason).toBe(
        'too-large',
      );
    }
  });
});

describe('ConfinedReader (one check per folder)', () => {
  it('gives readConfinedFile’s bytes and refusals for files, links in and out, folders out, FIFOs, folders and missing files', () => {
    const { base, root } = tree();
    mkdirSync(join(base, 'outside'));
    writeFileSync(join(base, 'outside', 'x.yml'), 'SECRET');
    writeFileSync(join(root, 'detections', 'sub', 'c.yml'), 'name: c\n');
    symlinkSync('a.yml', join(root, 'detections', 'in-link.yml'));
    symlinkSync(join(base, 'secret'), join(root, 'detections', 'out-link.yml'));
    symlinkSync(join(base, 'outside'), join(root, 'detections', 'out-dir'));
    symlinkSync('sub', join(root, 'detections', 'in-dir'));
    spawnSync('mkfifo', [join(root, 'detections', 'fifo.yml')]);
    const paths = [
      'detections/a.yml',
      'detections/sub/c.yml',
      'detections/in-link.yml',
      'detections/in-dir/c.yml',
      'detections/out-link.yml',
      'detections/out-dir/x.yml',
      'detections/fifo.yml',
      'detections/sub',
      'detections/missing.yml',
      'nowhere/missing.yml',
      '../secret',
      join(base, 'secret'),
    ];
    const outcome = (f: () => Buffer) => {
      try {
        return { bytes: f().toString('utf8') };
      } catch (e) {
        if (!(e instanceof FsRefusal)) throw e;
        return { reason: e.reason, message: e.message };
      }
    };
    const reader = new ConfinedReader(root);
    for (const round of [1, 2]) // the second round answers from the folder memo
      for (const p of paths)
        expect(
          outcome(() => reader.read(p)),
          `${p} (round ${round})`,
        ).toEqual(outcome(() => readConfinedFile(root, p)));
    expect(outcome(() => reader.read('detections/out-dir/x.yml')).reason).toBe('outside-root');
    expect(outcome(() => reader.read('detections/sub/c.yml')).bytes).toBe('name: c\n');
  });
});

describe('walkConfined', () => {
  it('ends on link loops and reports links out, repeats and non-regular files', () => {
    const { base, root } = tree();
    symlinkSync('.', join(root, 'detections', 'loop1'));
    symlinkSync('.', join(root, 'detections', 'loop2'));
    symlinkSync(join(base, 'secret'), join(root, 'detections', 'out.yml'));
    symlinkSync('/dev/zero', join(root, 'detections', 'zero.yml'));
    writeFileSync(join(root, 'detections', 'sub', 'c.yml'), 'x');
    const { files, problems } = walkConfined(root, join(root, 'detections'), (p) => p.endsWith('.yml'));
    expect(files.map((f) => f.relPath)).toEqual(['detections/a.yml', 'detections/sub/c.yml']);
    const msgs = problems.map((p) => `${p.relPath}: ${p.message}`).join('\n');
    expect(msgs).toMatch(/detections\/loop1.*already read/);
    expect(msgs).toMatch(/detections\/out\.yml.*leaves the content root/);
    expect(msgs).toMatch(/detections\/zero\.yml.*leaves the content root/);
    expect(readFileSync(join(base, 'secret'), 'utf8')).toBe('SECRET');
  });
});
