/** Four servers under HTTP load; node1/app-1 is in keep-affinity maintenance from 20 s to 40 s. */
export const scenarioText = `
name: keep-affinity-window
seed: 11
duration: 60s
cluster: { nodes: { count: 2, servers: 2 } }
workload:
  http: { rate: 30/s, requests: { uniform: { min: 3, max: 8 } }, thinkTime: { exponential: 1s }, service: { lognormal: { median: 10ms, p99: 80ms } } }
timeline:
  - at: 20s
    maintenance: { server: node1/app-1, mode: affinity }
  - at: 40s
    maintenance: { server: node1/app-1, exit: true }
expect:
  - sessions.http.dropped == 0
`;
