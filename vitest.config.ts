import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores: files run in parallel, each with its own tenant, so they never share rows.
    fileParallelism: true,
    maxWorkers: 2,
    reporters: ['default'],
    benchmark: { include: ['test/bench/**/*.bench.ts'] },
  },
});
