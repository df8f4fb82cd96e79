import { configDefaults, defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.js';

// The tests Stryker runs against each mutant of nodes/. Left out: long statistical runs of the
// kernel (Erlang C, determinism of a 10-minute run) and tests that run the CLI in other
// processes or threads, where a mutant is not active. They cost minutes per surviving mutant
// and check the kernel, not the node logic; `npm test` still runs them.
export default mergeConfig(
  base,
  defineConfig({
    test: {
      exclude: [...configDefaults.exclude, 'test/run/erlang-c.test.ts', 'test/run/determinism.test.ts', 'test/cli/**', 'test/scenario/bad-files.test.ts', 'test/distributed/**', 'test/bench/**'],
    },
  }),
);
