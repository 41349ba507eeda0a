import { vi } from 'vitest';
import { run } from '../../packages/cli/src/program.js';

/**
 * Runs the `dac` CLI in-process, as a user would from a shell, and captures what it writes.
 * In-process (not a child process) so tests run from sources without a bundle and stay fast.
 */
export async function runDac(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => {
    out += String(s);
    return true;
  });
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => {
    err += String(s);
    return true;
  });
  try {
    const code = await run(['node', 'dac', ...args]);
    return { code, out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}
