import { defineConfig } from 'vitest/config';
import { PATIENCE_MS } from './tests/helpers/patience.js';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    globalSetup: ['tests/global-setup.ts'],
    // A limit, not a speed requirement: tests poll for conditions and never race the clock (tests/helpers/patience.ts).
    testTimeout: PATIENCE_MS,
    hookTimeout: PATIENCE_MS,
    pool: 'forks',
  },
});
