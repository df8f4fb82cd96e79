import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderReport } from '../../reports/report.js';
import { runDistributed } from '../../sim/distributed/coordinator.js';
import { spawnLocalHosts } from '../../sim/distributed/spawn.js';
import { runScenario } from '../../sim/run/run.js';
import { parseScenario } from '../../sim/scenario/load.js';

const scenario = (policy: string, timeout = '2s') => `name: external-policy
seed: 3
duration: 8s
cluster:
  nodes: { count: 2, servers: 2 }
network:
  latency: { constant: 300us }
workload:
  http:
    rate: 10/s
    requests: 4
    thinkTime: { exponential: 500ms }
    service: { constant: 10ms }
routing: { policy: "${policy}", policyTimeout: ${timeout} }
`;

let policyServer: ChildProcess;
let address = '';

beforeAll(async () => {
  policyServer = spawn(process.execPath, ['--import', 'tsx', 'examples/routing-policy-server.ts', '--listen', '127.0.0.1:0'], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  address = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the example policy server did not start')), 20_000);
    let output = '';
    policyServer.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (\S+)/.exec(output);
      if (match !== null) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
  });
});
afterAll(() => {
  policyServer?.kill('SIGKILL');
});

describe('a router whose choice of server comes from an external RoutingPolicyService', () => {
  it('runs a scenario through the example policy server, deterministically', () => {
    const text = scenario(`grpc://${address}`);
    const first = runScenario(parseScenario(text));
    const summary = renderReport(first, []).summary;
    expect(summary.sessions.started).toBeGreaterThan(40);
    expect(summary.sessions.rejected).toBe(0);
    // The example policy sends each new session to the least busy server, lowest index first:
    // under this light load the first server takes far more than its share.
    const requests = Object.values(summary.servers).map((server) => server.requests);
    expect(requests[0]!).toBeGreaterThan(requests[3]! * 2);
    const second = renderReport(runScenario(parseScenario(text)), []).files.get('summary.json');
    expect(second).toBe(renderReport(first, []).files.get('summary.json'));
  });

  it('gives the same summary when the routers run on node hosts', async () => {
    const text = scenario(`grpc://${address}`);
    const inProcess = renderReport(runScenario(parseScenario(text)), []).files.get('summary.json');
    const hosts = await spawnLocalHosts(2);
    try {
      const spread = await runDistributed(parseScenario(text), { hosts: hosts.addresses, scenarioText: text });
      expect(spread.exchange.crossHostItems).toBeGreaterThan(100);
      expect(renderReport(spread, []).files.get('summary.json')).toBe(inProcess);
    } finally {
      await hosts.stop();
    }
  });

  it('the built-in router spreads the same load evenly (the policy made the difference)', () => {
    const text = scenario(`grpc://${address}`).replace(/routing: .*\n/, '');
    const requests = Object.values(renderReport(runScenario(parseScenario(text)), []).summary.servers).map((server) => server.requests);
    expect(requests[0]!).toBeLessThan(requests[3]! * 2);
  });

  it('a policy that does not answer stops the run with the report so far, naming it', () => {
    const text = scenario('grpc://127.0.0.1:1', '500ms');
    const result = runScenario(parseScenario(text));
    expect(result.stopped?.cause).toBe('routing-policy');
    expect(result.stopped?.reason).toMatch(/^routing policy grpc:\/\/127\.0\.0\.1:1 failed for odr1 at virtual time .*: the call ended with UNAVAILABLE/);
  });

  it('a scenario names a policy as grpc://HOST:PORT', () => {
    expect(() => parseScenario(scenario('http://127.0.0.1:80'))).toThrow(/write grpc:\/\/HOST:PORT, got "http:\/\/127\.0\.0\.1:80" at routing\.policy/);
  });
});
