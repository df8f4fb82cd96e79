import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderReport } from '../../reports/report.js';
import { evaluateExpectations } from '../../sim/run/expectations.js';
import { runScenario } from '../../sim/run/run.js';
import { loadScenarioFile } from '../../sim/scenario/load.js';

const shipped = readdirSync('scenarios')
  .filter((name) => /\.ya?ml$/.test(name))
  .sort()
  .map((name) => join('scenarios', name));

// The suite CI runs with `clustersim check`, here in-process so that mutation testing sees it:
// a change to the node logic that breaks an expectation or an invariant fails this test.
describe('shipped scenarios', () => {
  it.each(shipped)('%s: every expectation and invariant holds', (file) => {
    const loaded = loadScenarioFile(file);
    const result = runScenario(loaded);
    const expectations = evaluateExpectations(loaded.scenario.expect, renderReport(result, []).summary);
    expect(expectations.filter((expectation) => !expectation.passed)).toEqual([]);
    expect(result.checks.violations).toEqual([]);
    expect(loaded.scenario.expect.length).toBeGreaterThan(0);
  });
});
