// `dac validate` exit codes and usage errors (issue 2 CLI contract: 0 ok, 1 errors, 2 usage/internal).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runDac } from '../support/run-dac.js';

const repo = join(import.meta.dirname, '..', '..');

const dac = (...args: string[]) => runDac('validate', ...args);

describe('dac validate exit codes', () => {
  it('0 and a summary line for the repository content', async () => {
    const r = await dac('--content', repo);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^\d+ files checked: 0 errors, 0 warnings \(\d+\.\d\ds\)\n$/);
  });

  it('PATH narrows the report (relative to the content root)', async () => {
    const r = await dac(
      '--content',
      repo,
      '--format',
      'json',
      'detections/endpoint/windows_ngrok_reverse_proxy_usage.yml',
    );
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).summary).toEqual({ files: 1, errors: 0, warnings: 0 });
  });

  it('2 for an unknown format, a bad --workers, a missing PATH or content root', async () => {
    expect((await dac('--content', repo, '--format', 'xml')).code).toBe(2);
    expect((await dac('--content', repo, '--workers', 'two')).code).toBe(2);
    const missing = await dac('--content', repo, 'detections/nope.yml');
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('path detections/nope.yml does not exist');
    expect((await dac('--content', join(repo, 'no-such-dir'))).code).toBe(2);
  });

  it('2 for a PATH outside the content root, or one that holds no content file (not "0 files checked")', async () => {
    const outside = await dac('--content', join(repo, 'detections'), join(repo, 'macros'));
    expect(outside.code).toBe(2);
    expect(outside.err).toMatch(/macros is outside the content root .*detections; validate it with --content/);
    const none = await dac('--content', repo, 'docs');
    expect(none.code).toBe(2);
    expect(none.err).toMatch(
      /^dac validate: no content file under docs: content files are \.yml files under detections\/, /,
    );
    expect(none.out).toBe('');
  });

  it('--jobs N (or -j N) sets the thread count; a bad count is a usage error', async () => {
    expect((await dac('--content', repo, '--jobs', '0')).code).toBe(0);
    expect((await dac('--content', repo, '-j', '1')).code).toBe(0);
    const bad = await dac('--content', repo, '--jobs', 'many');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('expected a whole number');
  });
});
