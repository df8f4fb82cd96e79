import { describe, expect, it } from 'vitest';
import { runScenario } from '../../sim/run/run.js';
import { parseScenario } from '../../sim/scenario/load.js';

// Maintenance as a user may write it at its edges, under every protocol the rules speak of, with
// a dynamic cluster beside the static one: the real actors keep every rule, so no checker may
// report anything.
const scenarios: Record<string, string> = {
  // Every node in keep-affinity maintenance at once: new sessions have nowhere to go, placement
  // has no spare member, JMS flows to servers all in maintenance.
  'everything in maintenance at once': `
  name: all-in-maintenance
  seed: 9
  duration: 3m
  cluster:
    nodes: { count: 3, servers: 1 }
    dynamicClusters:
      - { name: shop, min: 2, max: 3, verticalStacking: 1, startup: 5s }
  workload:
    http: { rate: 20/s, requests: 5, thinkTime: { exponential: 1s }, service: { constant: 10ms }, uris: [{ uri: /shop/cart, weight: 9 }, { uri: /admin/x, weight: 1 }] }
    ejb: { rate: 5/s, calls: 5, thinkTime: { exponential: 1s }, service: { constant: 10ms } }
    jms: { rate: 20/s, service: { constant: 5ms } }
  workClasses:
    - { name: admin, match: { protocol: http, uri: /admin/* }, action: permitMM }
  timeline:
    - { at: 30s, maintenance: { node: node1, mode: affinity } }
    - { at: 30s, maintenance: { node: node2, mode: affinity } }
    - { at: 30s, maintenance: { node: node3, mode: affinity } }
    - { at: 2m, maintenance: { node: node1, exit: true } }
    - { at: 2m, maintenance: { node: node2, exit: true } }
    - { at: 2m, maintenance: { node: node3, exit: true } }
`,
  // node1 goes into maintenance a millisecond before the end, node2 is stopped by stop mode and
  // node1 crashes at the very last instant (a microsecond before the end: nothing at the end
  // itself happens, so a step there is refused).
  'maintenance steps at the last instant of the run': `
  name: last-instant
  seed: 9
  duration: 2m
  cluster:
    nodes: { count: 2, servers: 2 }
    dynamicClusters:
      - { name: shop, min: 2, max: 3, verticalStacking: 2, startup: 5s }
  workload:
    http: { rate: 20/s, requests: 5, thinkTime: { exponential: 1s }, service: { constant: 10ms } }
    jms: { rate: 20/s, service: { constant: 5ms } }
  timeline:
    - { at: 119999ms, maintenance: { node: node1, mode: break } }
    - { at: 119999999us, maintenance: { node: node2, mode: stop } }
    - { at: 119999999us, crash: node1 }
`,
  // Entered twice in one mode, then again in another (break, stop), exited twice.
  'maintenance entered twice, and exited twice': `
  name: entered-twice
  seed: 9
  duration: 3m
  cluster:
    nodes: { count: 2, servers: 2 }
    dynamicClusters:
      - { name: shop, min: 2, max: 3, verticalStacking: 2, startup: 5s }
  workload:
    http: { rate: 20/s, requests: 5, thinkTime: { exponential: 1s }, service: { constant: 10ms } }
    ejb: { rate: 5/s, calls: 5, thinkTime: { exponential: 1s }, service: { constant: 10ms } }
    jms: { rate: 20/s, service: { constant: 5ms } }
  timeline:
    - { at: 20s, maintenance: { server: node1/app-1, mode: affinity } }
    - { at: 40s, maintenance: { server: node1/app-1, mode: affinity } }
    - { at: 50s, maintenance: { server: node1/app-1, mode: break } }
    - { at: 60s, maintenance: { server: node1/shop-1, mode: affinity } }
    - { at: 70s, maintenance: { server: node1/shop-1, mode: stop } }
    - { at: 80s, maintenance: { server: node1/shop-1, mode: affinity } }
    - { at: 100s, maintenance: { server: node1/app-1, exit: true } }
    - { at: 100s, maintenance: { server: node1/shop-1, exit: true } }
    - { at: 110s, maintenance: { server: node1/shop-1, exit: true } }
`,
  // Exits with no maintenance to leave, on a server, a dynamic cluster member and an ODR.
  'exit without enter': `
  name: exit-without-enter
  seed: 9
  duration: 2m
  cluster:
    nodes: { count: 2, servers: 2 }
    dynamicClusters:
      - { name: shop, min: 2, max: 3, verticalStacking: 2, startup: 5s }
  workload:
    http: { rate: 20/s, requests: 5, thinkTime: { exponential: 1s }, service: { constant: 10ms } }
    jms: { rate: 20/s, service: { constant: 5ms } }
  timeline:
    - { at: 20s, maintenance: { server: node1/app-1, exit: true } }
    - { at: 30s, maintenance: { server: node2/shop-1, exit: true } }
    - { at: 40s, maintenance: { odr: odr1, exit: true } }
`,
  // A crash while another node is in maintenance, then a crash of a node in break maintenance,
  // with the placement controller scaling down an idle cluster meanwhile.
  'crashes during maintenance and placement': `
  name: crash-during-quiesce
  seed: 9
  duration: 3m
  cluster:
    nodes: { count: 3, servers: 1 }
    dynamicClusters:
      - { name: shop, min: 2, max: 3, verticalStacking: 1, startup: 5s, scaleDownLoad: 50 }
  workload:
    http: { rate: 20/s, requests: 8, thinkTime: { exponential: 3s }, service: { constant: 10ms } }
    ejb: { rate: 5/s, calls: 8, thinkTime: { exponential: 3s }, service: { constant: 10ms } }
  timeline:
    - { at: 20s, maintenance: { node: node1, mode: affinity } }
    - { at: 25s, crash: node2 }
    - { at: 60s, restart: node2 }
    - { at: 70s, maintenance: { node: node1, exit: true } }
    - { at: 80s, maintenance: { node: node3, mode: break } }
    - { at: 85s, crash: node3 }
    - { at: 100s, restart: node3 }
    - { at: 150s, maintenance: { node: node3, exit: true } }
`,
  // A dynamic cluster loses a node silently and a server by a process crash: the controller
  // still counts the silent one, as it cannot know.
  'crashes in a dynamic cluster': `
  name: dynamic-crash
  seed: 9
  duration: 3m
  cluster:
    nodes: { count: 3, servers: 0 }
    dynamicClusters:
      - { name: shop, min: 3, max: 5, verticalStacking: 2, startup: 5s }
  workload:
    http: { rate: 20/s, requests: 5, thinkTime: { exponential: 1s }, service: { constant: 10ms } }
  timeline:
    - { at: 30s, crash: node1 }
    - { at: 60s, crash: node2/shop-1 }
    - { at: 150s, restart: node1 }
`,
  // ClusterCATS: a member set running that never stopped, a drain started twice, a crash during
  // the drain, drains that end near the end of the run, one started a millisecond before it.
  'ClusterCATS drains at their edges': `
  name: clustercats-edges
  seed: 5
  duration: 4m
  cluster:
    nodes: { count: 4, servers: 1 }
    server: { threads: 20, queue: 100 }
  workload:
    http: { rate: 20/s, requests: { uniform: { min: 3, max: 8 } }, thinkTime: { exponential: 2s }, service: { constant: 15ms }, timeout: 5s }
  clustercats:
    heartbeat: { interval: 500ms, timeout: 2s }
  timeline:
    - { at: 20s, clustercats: { member: node2/app-1, service: running } }
    - { at: 30s, clustercats: { member: node1/app-1, peakThreshold: 0 } }
    - { at: 30s, clustercats: { member: node1/app-1, service: stopped, drainDownPeriod: 1m } }
    - { at: 40s, clustercats: { member: node1/app-1, service: stopped, drainDownPeriod: 1m } }
    - { at: 33s, crash: node1 }
    - { at: 80s, restart: node1 }
    - { at: 90s, clustercats: { member: node1/app-1, service: running } }
    - { at: 95s, clustercats: { member: node1/app-1, peakThreshold: 90 } }
    - { at: 2m, clustercats: { member: node3/app-1, service: stopped, drainDownPeriod: 2m } }
    - { at: 2m, clustercats: { member: node4/app-1, service: stopped, drainDownPeriod: 30s } }
    - { at: 239999ms, clustercats: { member: node2/app-1, service: stopped, drainDownPeriod: 1s } }
`,
  // Health policies (one supervised, one on a single server) through slow servers, a controller
  // crash while one is slow, a slow server already in maintenance, a slow server that crashes.
  'health policies through crashes and maintenance': `
  name: health-edges
  seed: 5
  duration: 4m
  cluster:
    nodes: { count: 3, servers: 1 }
  workload:
    http: { rate: 30/s, requests: 5, thinkTime: { exponential: 1s }, service: { constant: 15ms } }
  healthPolicies:
    - { name: slow, responseTime: { above: 50ms }, for: 15s, mode: affinity }
    - { name: slow-asked, responseTime: { above: 40ms }, for: 10s, supervised: true }
    - { name: node3-only, responseTime: { above: 30ms }, for: 10s, mode: break, servers: [node3/app-1] }
  timeline:
    - { at: 20s, slow: { target: node1/app-1, factor: 6 } }
    - { at: 25s, crash: controller }
    - { at: 60s, restart: controller }
    - { at: 90s, maintenance: { server: node2/app-1, mode: affinity } }
    - { at: 90s, slow: { target: node2/app-1, factor: 6 } }
    - { at: 150s, maintenance: { server: node2/app-1, exit: true } }
    - { at: 2m, slow: { target: node3/app-1, factor: 6 } }
    - { at: 130s, crash: node3 }
    - { at: 150s, restart: node3 }
    - { at: 235s, slow: { target: node1/app-1, factor: 1 } }
`,
  // A server twenty times slower in maintenance: the engine's least-loaded choice rightly gives
  // it far fewer JMS messages than its peers.
  'JMS to a slow server in maintenance': `
  name: jms-slow-in-maintenance
  seed: 4
  duration: 2m
  cluster: { nodes: { count: 3, servers: 1 } }
  workload:
    http: { rate: 20/s, requests: 4, thinkTime: { exponential: 1s }, service: { constant: 10ms } }
    jms: { rate: 100/s, service: { constant: 20ms } }
  timeline:
    - { at: 20s, slow: { target: node1/app-1, factor: 20 } }
    - { at: 30s, maintenance: { server: node1/app-1, mode: affinity } }
    - { at: 90s, maintenance: { server: node1/app-1, exit: true } }
`,
};

describe('no false alarm at the edges of maintenance', () => {
  it.each(Object.entries(scenarios))('%s', (name, text) => {
    const result = runScenario(parseScenario(text, `${name}.yaml`));
    expect(result.checks.violations).toEqual([]);
  });
});
