import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderReport } from '../../reports/report.js';
import { evaluateExpectations } from '../../sim/run/expectations.js';
import { runScenario } from '../../sim/run/run.js';
import { loadScenarioFile } from '../../sim/scenario/load.js';

// The shipped suite, in-process so that mutation testing sees it: a change to the node logic
// that breaks an expectation or an invariant fails this test. Scenarios longer than this run
// only in CI's `clustersim check scenarios/`, to keep a mutant's test run short.
const longestVirtualUs = 4 * 60_000_000;

const shipped = readdirSync('scenarios')
  .filter((name) => /\.ya?ml$/.test(name))
  .sort()
  .map((name) => join('scenarios', name))
  .map((file) => loadScenarioFile(file))
  .filter((loaded) => loaded.scenario.duration <= longestVirtualUs);

describe('shipped scenarios', () => {
  it.each(shipped.map((loaded) => [loaded.file, loaded] as const))('%s: every expectation and invariant holds', (_file, loaded) => {
    const result = runScenario(loaded);
    const expectations = evaluateExpectations(loaded.scenario.expect, renderReport(result, []).summary);
    expect(expectations.filter((expectation) => !expectation.passed)).toEqual([]);
    expect(result.checks.violations).toEqual([]);
    expect(loaded.scenario.expect.length).toBeGreaterThan(0);
  });
});
