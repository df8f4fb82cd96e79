import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderReport } from '../../reports/report.js';
import { runScenario } from '../../sim/run/run.js';
import { parseScenario } from '../../sim/scenario/load.js';

// One server goes into maintenance at 1s: from then on a policy can name a server that is not eligible.
const scenario = (policy: string) => `name: faulty-policy
seed: 5
duration: 6s
cluster:
  nodes: { count: 2, servers: 2 }
network:
  latency: { constant: 300us }
workload:
  http:
    rate: 20/s
    requests: 4
    thinkTime: { exponential: 200ms }
    service: { constant: 10ms }
routing: { policy: "grpc://${policy}", policyTimeout: 500ms }
timeline:
  - at: 1s
    maintenance: { server: node1/app-1, mode: affinity }
`;

const directory = mkdtempSync(join(tmpdir(), 'clustersim-policy-'));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
  rmSync(directory, { recursive: true, force: true });
});

/** Starts test/distributed/faulty-policy-server.ts with these modes; resolves with their addresses, in order. */
async function faultyPolicies(modes: string[], good = 60): Promise<string[]> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/distributed/faulty-policy-server.ts', '--modes', modes.join(','), '--good', String(good)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  children.push(child);
  return new Promise<string[]>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the faulty policy server did not start')), 60_000);
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const addresses = [...output.matchAll(/listening on (\S+)\n/g)].map((match) => match[1]!);
      if (addresses.length === modes.length) {
        clearTimeout(timer);
        resolve(addresses);
      }
    });
  });
}

/** `clustersim ...` as a child process, without blocking this one. */
function clustersim(...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['bin/clustersim.mjs', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => {
    const deadline = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.once('exit', (status) => {
      clearTimeout(deadline);
      resolve({ status, stdout, stderr });
    });
  });
}

function scenarioFile(name: string, policy: string): string {
  const file = join(directory, `${name}.yaml`);
  writeFileSync(file, scenario(policy));
  return file;
}

const summaryOf = (out: string) =>
  JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as { incomplete?: boolean; incompleteReason?: string; stoppedAtUs?: number; verdict: string; sessions: { started: number } };

describe('an external routing policy that answers badly stops the run with the report so far', () => {
  const modes = ['not-eligible', 'unknown', 'error', 'slow'];
  let addresses: string[] = [];
  beforeAll(async () => {
    addresses = await faultyPolicies(modes);
  });

  const expected: Record<string, RegExp> = {
    'not-eligible': /^routing policy grpc:\/\/127\.0\.0\.1:\d+ chose server \d+ \(node1\/app-1\), which is not eligible \(eligible: [\d, ]+\) for request \d+ of odr1 at virtual time [\d.]+m?s$/,
    unknown: /^routing policy grpc:\/\/127\.0\.0\.1:\d+ chose server 9999, which is no server of the cluster .* of odr1 at virtual time/,
    error: /^routing policy grpc:\/\/127\.0\.0\.1:\d+ failed for odr1 at virtual time [\d.]+m?s: the call ended with INTERNAL: policy bug$/,
    slow: /^routing policy grpc:\/\/127\.0\.0\.1:\d+ failed for odr1 at virtual time [\d.]+m?s: the call ended with DEADLINE_EXCEEDED/,
  };
  modes.forEach((mode, index) => {
    it(`${mode}: the run stops, naming the policy, the router and the virtual time`, () => {
      const result = runScenario(parseScenario(scenario(addresses[index]!)));
      expect(result.stopped?.cause).toBe('routing-policy');
      expect(result.stopped?.reason).toMatch(expected[mode]!);
      // Its first 60 answers were good: the report covers a part of the run.
      expect(result.stopped!.atUs).toBeGreaterThan(0);
      expect(result.stopped!.atUs).toBeLessThan(6_000_000);
      const summary = renderReport(result, []).summary;
      expect(summary.incomplete).toBe(true);
      expect(summary.sessions.started).toBeGreaterThan(0);
    });
  });
});

describe('clustersim run with a routing policy that fails', () => {
  it('a policy killed mid-run: exit code 1, one line naming the cause, a report marked incomplete', async () => {
    const [address] = await faultyPolicies(['exit']);
    const out = join(directory, 'killed');
    const result = await clustersim('run', scenarioFile('killed', address!), '--out', out, '--quiet');
    expect(result.status, result.stderr).toBe(1);
    expect(result.stderr).toMatch(
      /^clustersim: stopped at [\d.]+m?s of virtual time: routing policy grpc:\/\/127\.0\.0\.1:\d+ failed for odr1 at virtual time [\d.]+m?s: the call ended with UNAVAILABLE: .*\n {2}the report so far, marked incomplete: /,
    );
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(summaryOf(out)).toMatchObject({ incomplete: true, verdict: 'fail' });
  });

  it('on node hosts: the host that holds the router stops the run, exit code 1, a report marked incomplete', async () => {
    const [address] = await faultyPolicies(['not-eligible']);
    const out = join(directory, 'on-hosts');
    const result = await clustersim('run', scenarioFile('on-hosts', address!), '--out', out, '--quiet', '--spawn-hosts', '2');
    expect(result.status, result.stderr).toBe(1);
    expect(result.stderr).toMatch(/^clustersim: stopped at [\d.]+m?s of virtual time: routing policy grpc:\/\/127\.0\.0\.1:\d+ chose server \d+ \(node1\/app-1\), which is not eligible/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    const summary = summaryOf(out);
    expect(summary).toMatchObject({ incomplete: true, verdict: 'fail' });
    expect(summary.incompleteReason).toMatch(/which is not eligible/);
  });

  it('a policy nothing listens on: a located error before the run, exit code 2, in-process and on hosts', async () => {
    const file = scenarioFile('unreachable', '127.0.0.1:1');
    for (const extra of [[], ['--spawn-hosts', '1']]) {
      const result = await clustersim('run', file, '--out', join(directory, 'unreachable'), '--quiet', ...extra);
      expect(result.status, result.stderr).toBe(2);
      expect(result.stderr).toMatch(/^clustersim: .*unreachable\.yaml:\d+:\d+: the routing policy grpc:\/\/127\.0\.0\.1:1 refuses connections .* at routing\.policy\n$/);
    }
  });
});

describe('TLS files that cannot be read: exit code 2 and one line, before anything starts', () => {
  it('run --tls-ca, run --tls-cert, host --tls-key', async () => {
    const file = scenarioFile('tls', '127.0.0.1:1');
    const missing = join(directory, 'missing.pem');
    const notPem = join(directory, 'tls.yaml');
    const cases: [string[], RegExp][] = [
      [['run', file, '--hosts', '127.0.0.1:1', '--tls-ca', missing], /^clustersim: cannot read --tls-ca .*missing\.pem: no such file\n$/],
      [['run', file, '--hosts', '127.0.0.1:1', '--tls-ca', notPem, '--tls-cert', notPem, '--tls-key', notPem], /^clustersim: --tls-ca .*tls\.yaml is not a PEM file/],
      [['host', '--listen', '127.0.0.1:0', '--tls-cert', notPem, '--tls-key', missing], /^clustersim: --tls-cert .*tls\.yaml is not a PEM file/],
    ];
    for (const [args, message] of cases) {
      const result = await clustersim(...args);
      expect(result.status, result.stderr).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    }
  });
});
