import { describe, expect, it } from 'vitest';
import { renderReport } from '../../reports/report.js';
import { runScenario } from '../../sim/run/run.js';
import { parseScenario } from '../../sim/scenario/load.js';

/** Three ODRs behind the sprayer; odr2 crashes at 1m and never comes back. */
const scenario = (advisor: string) => `
name: odr-crash
seed: 5
duration: 3m
cluster:
  nodes: { count: 2, servers: 2 }
  routers: 3
routing: { advisor: ${advisor} }
workload:
  http: { rate: 20/s, requests: 4, thinkTime: { exponential: 1s }, service: { constant: 10ms }, timeout: 5s }
timeline:
  - { at: 1m, crash: odr2 }
`;

function summaryOf(advisor: string) {
  return renderReport(runScenario(parseScenario(scenario(advisor))), []).summary;
}

describe('a crashed ODR behind the sprayer', () => {
  it("is marked down by the sprayer's advisor within interval x failures + timeout, and new sessions stop timing out", () => {
    const summary = summaryOf('{ interval: 2s, timeout: 1s, failures: 2 }');
    expect(summary.detection.detections).toBe(1);
    expect(summary.detection.falseSuspicions).toBe(0);
    expect(summary.detection.maxDelayUs).toBeGreaterThan(1_000_000);
    expect(summary.detection.maxDelayUs).toBeLessThanOrEqual(2 * 2_000_000 + 1_000_000);
    // A request lost with odr2 is retried once after the 5 s timeout: by then the sprayer sends it elsewhere.
    const sessions = summary.protocols.http!.sessions;
    expect(sessions.started).toBeGreaterThan(3000);
    expect(sessions.dropped + sessions.rejected).toBe(0);
  });

  it('a slower advisor than the clients\' two timeouts detects later and loses the sessions sprayed to odr2 meanwhile', () => {
    const slow = summaryOf('{ interval: 5s, timeout: 3s, failures: 3 }');
    expect(slow.detection.maxDelayUs).toBeGreaterThan(10_000_000);
    expect(slow.detection.maxDelayUs).toBeLessThanOrEqual(3 * 5_000_000 + 3_000_000);
    // Sessions sprayed to odr2 in the first seconds time out twice before it is marked down.
    const sessions = slow.protocols.http!.sessions;
    expect(sessions.dropped + sessions.rejected).toBeGreaterThan(0);
    expect(sessions.dropped + sessions.rejected).toBeLessThan(200);
  });
});
