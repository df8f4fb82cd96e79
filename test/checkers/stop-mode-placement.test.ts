import { describe, expect, it } from 'vitest';
import { runScenario } from '../../sim/run/run.js';
import { parseScenario } from '../../sim/scenario/load.js';

/**
 * A dynamic cluster through stop-mode maintenance: node1/shop-1 is stopped by its maintenance
 * and stays in maintenance while stopped; then node2/shop-1 goes into keep-affinity maintenance.
 * The controller starts a replacement each time, within the vertical limit less the node's
 * servers in maintenance (the stopped one included), and stops one above max after both exits.
 */
const scenarioText = `
name: stop-mode-placement
seed: 3
duration: 3m
cluster:
  nodes: { count: 2, servers: 0 }
  dynamicClusters:
    - { name: shop, min: 2, max: 3, verticalStacking: 2, startup: 10s }
workload:
  http: { rate: 10/s, requests: 4, thinkTime: { exponential: 1s }, service: { constant: 10ms } }
placement: { interval: 5s }
timeline:
  - { at: 30s, maintenance: { server: node1/shop-1, mode: stop } }
  - { at: 1m, maintenance: { server: node2/shop-1, mode: affinity } }
  - { at: 2m, maintenance: { server: node1/shop-1, exit: true } }
  - { at: 2m, maintenance: { server: node2/shop-1, exit: true } }
expect:
  - sessions.rejected == 0
`;

describe('placement through stop-mode maintenance', () => {
  it('a server stopped by its maintenance still counts as in maintenance: the controller acting on that is no violation', () => {
    const result = runScenario(parseScenario(scenarioText, 'stop-mode-placement.yaml'));
    // The run exercises the rule: a replacement started on each node while a server there is in
    // maintenance (the vertical limit less one), then one stopped above max with no one in maintenance.
    const actions = result.figures.control.placement.map(({ action, server, verticalLimit }) => `${action} ${server} limit ${verticalLimit}`);
    expect(actions).toEqual(['start node1/shop-2 limit 1', 'start node2/shop-2 limit 1', expect.stringMatching(/^stop node2\/shop-\d limit 2$/)]);
    expect(result.checks.violations).toEqual([]);
  });
});
