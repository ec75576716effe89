import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Every test file fails on a leaked file descriptor (test/setup-leaks.ts forces a GC).
    setupFiles: ['test/setup-leaks.ts'],
    execArgv: ['--expose-gc'],
  },
});
