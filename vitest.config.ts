import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // graphql 16 has no "exports": Node loads its CommonJS build for every external package
    // (Pothos, Yoga), while Vite would pick the ESM build for our files — two graphql realms.
    // Point ours at the same build Node uses.
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
  },
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
