import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LogQueue } from './run.js';

describe('LogQueue', () => {
  it('orders logs largest first, ties and missing files in log order', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dac-log-queue-'));
    const logs = [3, 10, 0, 10, 7].map((n, i) => {
      const path = join(dir, `f${i}.log`);
      writeFileSync(path, 'x'.repeat(n));
      return { path, log: `f${i}.log` };
    });
    logs.push({ path: join(dir, 'missing.log'), log: 'missing.log' });
    expect(LogQueue.bySize(logs).order).toEqual([1, 3, 4, 0, 2, 5]);
  });

  it('hands out every log exactly once to claimers sharing the counter', () => {
    const a = new LogQueue([4, 2, 0, 1, 3]);
    const b = new LogQueue(a.order, a.claimed);
    const got: number[] = [];
    for (let i = 0; i < 4; i++) got.push(a.claim()!, b.claim()!);
    expect(got.filter((x) => x !== undefined).sort()).toEqual([0, 1, 2, 3, 4]);
    expect([a.claim(), b.claim()]).toEqual([undefined, undefined]);
  });
});
