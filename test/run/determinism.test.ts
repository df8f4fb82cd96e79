import { describe, expect, it } from 'vitest';
import { renderReport } from '../../reports/report.js';
import { runScenario } from '../../sim/run/run.js';
import { loadScenarioFile } from '../../sim/scenario/load.js';

function reportFiles(seed?: number): Map<string, string> {
  const loaded = loadScenarioFile('scenarios/quickstart.yaml');
  return renderReport(runScenario(loaded, seed === undefined ? {} : { seed }), []).files;
}

describe('determinism', () => {
  it('the same scenario and seed give byte-identical summary.json and SVG', () => {
    const first = reportFiles();
    const second = reportFiles();
    expect([...first.keys()].sort()).toEqual([...second.keys()].sort());
    for (const [name, content] of first) expect(second.get(name), name).toBe(content);
    expect(first.get('sessions.svg')!.length).toBeGreaterThan(1000);
  });

  it('another seed gives a different summary', () => {
    expect(reportFiles(43).get('summary.json')).not.toBe(reportFiles(42).get('summary.json'));
  });
});
