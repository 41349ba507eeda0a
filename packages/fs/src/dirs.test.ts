import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureDir, isFileSystemError } from './dirs.js';

describe('ensureDir', () => {
  it('creates missing parents and accepts an existing directory', () => {
    const root = mkdtempSync(join(tmpdir(), 'dac-fs-'));
    ensureDir(join(root, 'a', 'b', 'c'));
    expect(statSync(join(root, 'a', 'b', 'c')).isDirectory()).toBe(true);
    ensureDir(join(root, 'a'));
  });

  it('fails with a plain file-system error when a parent is a file', () => {
    const root = mkdtempSync(join(tmpdir(), 'dac-fs-'));
    writeFileSync(join(root, 'file'), 'x');
    let error: unknown;
    try {
      ensureDir(join(root, 'file', 'sub', 'dir'));
    } catch (e) {
      error = e;
    }
    expect(isFileSystemError(error)).toBe(true);
    expect((error as NodeJS.ErrnoException).code).toBe('ENOTDIR');
  });

  it.skipIf(process.platform !== 'linux')(
    'returns an error under /proc, where recursive mkdirSync never returns',
    () => {
      expect(() => ensureDir('/proc/dac-no-such-dir/x')).toThrow(/ENOENT/);
    },
  );
});
