import { describe, expect, it } from 'vitest';
import { renderReport } from '../../reports/report.js';
import { runScenario } from '../../sim/run/run.js';
import { loadScenarioFile } from '../../sim/scenario/load.js';

const summaryOf = (file: string, seed?: number) => renderReport(runScenario(loadScenarioFile(file), seed === undefined ? {} : { seed }), []).summary;

describe('load balancer surprises, in the figures', () => {
  it('HAProxy drain keeps sticky users on the drained server; maint breaks their sessions', () => {
    const summary = summaryOf('scenarios/lb-haproxy-drain-stickiness.yaml');
    expect(summary.checks.notes['lb-persistent-while-drain']).toBeGreaterThan(100);
    expect(summary.checks.notes['lb-new-while-drain']).toBeUndefined();
    expect(summary.sessions.droppedByCause['affinity-broken']).toBeGreaterThan(0);
    expect(summary.violations.count).toBe(0);
  });

  it('ALB drain ends early; NLB drain with open connections lasts the whole delay', () => {
    const alb = summaryOf('scenarios/lb-aws-alb-drain-ends-early.yaml');
    const nlb = summaryOf('scenarios/lb-aws-nlb-drain-at-timeout.yaml');
    expect(alb.checks.notes['lb-drain-ended-idle']).toBe(1);
    expect(alb.checks.notes['lb-drain-ms']).toBeLessThan(1000);
    expect(nlb.checks.notes['lb-drain-ended-timeout']).toBe(1);
    expect(nlb.checks.notes['lb-drain-ms']).toBe(60_000);
  });

  it('same seed twice gives identical summary bytes; another seed differs', () => {
    const file = 'scenarios/lb-envoy-panic.yaml';
    const first = JSON.stringify(summaryOf(file));
    expect(JSON.stringify(summaryOf(file))).toBe(first);
    expect(JSON.stringify(summaryOf(file, 4))).not.toBe(first);
  });
});
