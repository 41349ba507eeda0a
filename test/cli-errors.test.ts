// Errors of the user's environment (an output path that cannot be written) are one plain line
// and exit 2, never a stack trace; a bug keeps its stack.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MissingAssetError } from '@dac/assets';
import { describeFailure } from '../packages/cli/src/program.js';
import { runDac } from './support/run-dac.js';

const repo = join(import.meta.dirname, '..');

describe('describeFailure', () => {
  it('turns a file-system error into one line naming the path', () => {
    const e = Object.assign(new Error('ENOTDIR: not a directory'), { code: 'ENOTDIR', syscall: 'mkdir', path: '/x/y' });
    expect(describeFailure('build', e)).toBe('dac build: cannot mkdir /x/y: a part of the path is not a directory\n');
  });
  it('names the missing file of an incomplete installation in one line', () => {
    const e = new MissingAssetError('templates', '/opt/dac/dist/assets/templates');
    expect(describeFailure('build', e)).toBe(`dac build: ${e.message}\n`);
    expect(e.message).toContain('/opt/dac/dist/assets/templates');
  });
  it('keeps the stack of anything else (an internal error)', () => {
    expect(describeFailure('build', new TypeError('boom'))).toMatch(
      /^dac build: internal error: TypeError: boom\n\s+at /,
    );
  });
});

describe('output paths that cannot be written', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'dac-cli-errors-')), 'a-file');
  writeFileSync(file, 'x');
  it.each([
    ['build', ['build', '--content', repo, '--out', join(file, 'dist')]],
    ['compile', ['compile', '--content', repo, '--out', join(file, 'matchers')]],
  ])('dac %s exits 2 with a plain message', async (name, args) => {
    const r = await runDac(...args);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`dac ${name}: cannot `);
    expect(r.err).toContain('a part of the path is not a directory');
    expect(r.err).not.toMatch(/\n\s+at /);
  });
});
