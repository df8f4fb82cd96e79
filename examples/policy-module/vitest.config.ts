import { defineConfig } from 'vitest/config';

// Whole scenario runs take seconds, not milliseconds.
export default defineConfig({ test: { testTimeout: 60_000 } });
