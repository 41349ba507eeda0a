// `dac validate` exit codes and usage errors (issue 2 CLI contract: 0 ok, 1 errors, 2 usage/internal).
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { run } from '@dac/cli';

const repo = join(import.meta.dirname, '..', '..');

async function dac(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => ((out += String(c)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => ((err += String(c)), true));
  try {
    return { code: await run(['node', 'dac', 'validate', ...args]), out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

describe('dac validate exit codes', () => {
  it('0 and a summary line for the repository content', async () => {
    const r = await dac('--content', repo);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^\d+ files checked: 0 errors, 0 warnings \(\d+\.\d\ds\)\n$/);
  });

  it('PATH narrows the report (relative to the content root)', async () => {
    const r = await dac('--content', repo, '--format', 'json', 'detections/endpoint/windows_ngrok_reverse_proxy_usage.yml');
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
});
