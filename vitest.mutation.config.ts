import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

// The tests Stryker runs against each mutant of nodes/: the unit tests of the actors and the
// checkers, short scenario runs of the maintenance rules, and the shipped scenarios of up to
// four minutes with their expectations and invariants. A surviving mutant runs every test that
// covers it, so the long runs stay out (the showcases, sweeps and comparisons, the kernel's
// statistical checks, CLI runs in other processes); CI still runs them with `npm test` and
// `clustersim check scenarios/`.
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    // None of these tests starts the compiled command, and a build of mutated sources would be wasted.
    globalSetup: [],
    include: [
      'test/nodes/**/*.test.ts',
      'test/checkers/**/*.test.ts',
      'test/clustercats/**/*.test.ts',
      'test/membership/**/*.test.ts',
      'test/kubernetes/**/*.test.ts',
      'test/proxy/**/*.test.ts',
      'test/websphere/actors.test.ts',
      'test/websphere/maintenance-rules.test.ts',
      'test/websphere/load-publisher-and-quiesce.test.ts',
      'test/websphere/service-demand.test.ts',
      'test/websphere/vertical-stacking.test.ts',
      'test/run/odr-crash.test.ts',
      'test/run/health-hysteresis.test.ts',
      'test/run/clustercats-all-at-zero.test.ts',
      'test/scenarios/maintenance-modes.test.ts',
      'test/scenarios/shipped.test.ts',
    ],
  },
});
