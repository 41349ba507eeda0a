import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LogQueue, scanJobs, WORKER_MIN_BYTES } from './run.js';

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

describe('scanJobs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dac-scan-jobs-'));
  const log = (name: string, bytes: number) => {
    const path = join(dir, name);
    writeFileSync(path, Buffer.alloc(bytes));
    return { path, log: name };
  };
  const small = [log('a.log', 10), log('b.log', 10)];
  const large = [log('c.log', WORKER_MIN_BYTES / 2), log('d.log', WORKER_MIN_BYTES / 2), log('e.log', 1)];

  it('takes --jobs as asked (at most one thread per log)', () => {
    expect(scanJobs(large, 2, { cores: 2, load: 9 })).toBe(2);
    expect(scanJobs(small, 8, { cores: 2, load: 0 })).toBe(2);
    expect(scanJobs(small, 0, { cores: 2, load: 0 })).toBe(1);
  });

  it('by default: one thread below WORKER_MIN_BYTES, else one per two idle cores', () => {
    expect(scanJobs(small, undefined, { cores: 8, load: 0 })).toBe(1);
    // Two idle cores: one thread (V8's compiler threads take the second).
    expect(scanJobs(large, undefined, { cores: 2, load: 0 })).toBe(1);
    expect(scanJobs(large, undefined, { cores: 2, load: 8 })).toBe(1);
    expect(scanJobs(large, undefined, { cores: 4, load: 0.2 })).toBe(1);
    expect(scanJobs(large, undefined, { cores: 4, load: 0 })).toBe(2);
    expect(scanJobs(large, undefined, { cores: 8, load: 3.5 })).toBe(2);
    // At most one thread per log.
    expect(scanJobs(large, undefined, { cores: 16, load: 0 })).toBe(3);
  });
});
