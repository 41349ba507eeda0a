import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts', 'test/**/*.test.ts'],
    // Two cores on CI machines: forks keep the heavy ts-morph tests isolated.
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // dac's cache and integrity key (@dac/fs) go to a scratch folder, not the developer's home.
    env: { DAC_CACHE_DIR: join(tmpdir(), 'dac-vitest-cache'), DAC_STATE_DIR: join(tmpdir(), 'dac-vitest-state') },
  },
});
