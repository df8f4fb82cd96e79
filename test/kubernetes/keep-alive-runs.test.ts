import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderReport } from '../../reports/report.js';
import { summarize } from '../../reports/summary.js';
import { runScenario } from '../../sim/run/run.js';
import { parseScenario } from '../../sim/scenario/load.js';

const shipped = readFileSync('scenarios/k8s-keepalive-rollout.yaml', 'utf8');

function run(text: string) {
  const result = runScenario(parseScenario(text));
  return { result, kubernetes: summarize(result).kubernetes! };
}

/** The shipped keep-alive rollout with one setting changed. */
function variant(from: string, to: string): string {
  expect(shipped).toContain(from);
  return shipped.replace(from, to);
}

describe('a rollout with keep-alive clients', () => {
  it('keeps sessions on terminating pods after every consumer updated, and their requests fail when the pods exit; per request, neither happens', () => {
    const { result, kubernetes } = run(shipped);
    const connections = kubernetes.connections;
    expect(connections.afterEveryConsumerUpdated).toBeGreaterThan(0);
    // Only an established connection reaches a pod no consumer lists any more.
    expect(connections.afterEveryConsumerUpdated).toBeLessThanOrEqual(connections.onEstablishedConnections);
    expect(connections.reset).toBeGreaterThan(0);
    expect(kubernetes.errorsByCause['connection-reset']).toBe(connections.reset);
    // Requests on dead connections are noted by the exited-endpoint rule, not violations.
    expect(result.checks.violationCount).toBe(0);
    expect(result.checks.notes['stale-connection/kube-proxy']).toBe(connections.reset);
    expect(kubernetes.consumers['ingress']!.requestsToExitedPods).toBe(0);
    expect(renderReport(result, []).files.get('index.html')).toContain(`requests reset on a connection to an exited pod: ${connections.reset}`);

    const perRequest = run(variant('connections: keep-alive', 'connections: per-request')).kubernetes;
    expect(perRequest.connections).toMatchObject({ onEstablishedConnections: 0, afterEveryConsumerUpdated: 0, reset: 0 });
    expect(perRequest.errors).toBe(0);
  });

  it('a server that closes its connections on SIGTERM sends the sessions back through kube-proxy: no error', () => {
    const { result, kubernetes } = run(variant('onSigterm: exit', 'onSigterm: graceful'));
    expect(kubernetes.connections.closedByServer).toBeGreaterThan(0);
    expect(kubernetes.connections.afterEveryConsumerUpdated).toBeGreaterThan(0);
    expect(kubernetes.errors).toBe(0);
    expect(result.checks.violationCount).toBe(0);
  });
});
