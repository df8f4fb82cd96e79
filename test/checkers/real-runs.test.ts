import { describe, expect, it } from 'vitest';
import { renderReport } from '../../reports/report.js';
import { runScenario } from '../../sim/run/run.js';
import { parseScenario } from '../../sim/scenario/load.js';
import { scenarioText } from './keep-affinity-window.js';


describe('checkers on real runs', () => {
  it('the real router and servers keep every invariant through keep-affinity maintenance', () => {
    const result = runScenario(parseScenario(scenarioText, 'keep-affinity-window.yaml'));
    expect(result.checks.violations).toEqual([]);
    expect(result.checks.rules).toContain('keep-affinity');
    expect(result.checks.notes['sessions-open-at-end']).toBeGreaterThan(0);
    const summary = renderReport(result, []).summary;
    expect(summary.protocols['http']!.requests.routedToMaintenance).toBeGreaterThan(0);
  });
});
