import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Integration tests spawn real MCP servers; two cores, so keep the pool small.
    maxWorkers: 2,
    // Fails the run if any test left a process running.
    globalSetup: ['tests/helpers/no-leftovers.ts'],
  },
});
