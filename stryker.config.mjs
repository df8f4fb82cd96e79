// Mutation testing of the node logic (routing, maintenance, placement, failover) and of the
// invariant checkers that judge it: `npm run mutation`. A mutant is a small change to nodes/ or
// sim/checkers/ (a flipped condition, a removed statement); it is killed when a test or a checker
// on a scenario run fails. Only the tests that import the mutated file
// and cover the mutant run for it (vitest related mode, per-test coverage), which keeps a run
// within minutes on two cores.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  plugins: ['@stryker-mutator/vitest-runner'],
  vitest: { configFile: 'vitest.mutation.config.ts', related: true },
  mutate: ['nodes/**/*.ts', '!nodes/messages.ts', 'sim/checkers/**/*.ts'],
  coverageAnalysis: 'perTest',
  concurrency: Number(process.env.STRYKER_CONCURRENCY ?? 2),
  timeoutMS: 10_000,
  timeoutFactor: 2,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports-out/mutation/index.html' },
  jsonReporter: { fileName: 'reports-out/mutation/mutation.json' },
  clearTextReporter: { allowColor: false, logTests: false, reportMutants: true, reportScoreTable: true },
  // Below 80% the command fails: the harness must catch most regressions of the node logic.
  thresholds: { high: 90, low: 80, break: 80 },
  tempDirName: '.stryker-tmp',
  ignorePatterns: ['out', 'reports-out', 'test-output', '.stryker-tmp'],
  cleanTempDir: 'always',
};
