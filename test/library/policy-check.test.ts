import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../sim/cli/main.js';
import { checkRoutingPolicy } from '../../sim/distributed/policy-check.js';
import { checkPolicyConformance, loadScenario, ScenarioError } from '../../sim/index.js';

const policies = 'test/library/policies';
const check = (policy: string) => checkPolicyConformance(policy, { baseDirectory: policies, questions: 200 });
const findingRules = (report: { countsByRule: Record<string, number> }) =>
  Object.entries(report.countsByRule)
    .filter(([, count]) => count > 0)
    .map(([rule]) => rule);

describe('the conformance suite of a routing policy module', () => {
  it('passes policies that keep the contract, in TypeScript or JavaScript', async () => {
    for (const policy of ['./least-loaded.ts', './first-eligible.js']) {
      const report = await check(policy);
      expect(report.findings, policy).toEqual([]);
      expect(report.passed).toBe(true);
    }
  });

  it('catches a server that is not eligible, and the run it stops', async () => {
    const report = await check('./any-server.ts');
    expect(findingRules(report)).toEqual(['eligible', 'invariants']);
    expect(report.findings[0]!.detail).toMatch(/chose server \d+ .*which is not eligible|which is no server of the cluster/);
    expect(report.findings.find((finding) => finding.rule === 'invariants')!.detail).toMatch(/^the run stopped at .*: routing policy/);
  });

  it('catches a policy that moves a session away from its eligible server', async () => {
    const report = await check('./ignores-affinity.ts');
    expect(findingRules(report)).toEqual(['affinity']);
    expect(report.findings[0]!.detail).toMatch(
      /^request \d+ of session \d+ has affinity to eligible server \d+, and was sent to server \d+$/,
    );
  });

  it('catches a policy that keeps state between calls', async () => {
    const report = await check('./round-robin-shared.ts');
    expect(findingRules(report)).toEqual(['deterministic']);
    expect(report.findings.map((finding) => finding.detail)).toContain('the same run, twice, gave two different summaries');
  });

  it('catches a policy that changes the request it is asked about', async () => {
    const report = await check('./marks-request.ts');
    expect(findingRules(report)).toContain('read-only');
    expect(report.findings.find((finding) => finding.rule === 'read-only')!.detail).toMatch(
      /^request \d+ was changed by the policy: .*"triedServers":\[[\d,]*\].* became .*"triedServers":\[[\d,]+\]/,
    );
  });

  it('tells a policy that cannot load by its name', async () => {
    await expect(check('./not-there.ts')).rejects.toThrow(ScenarioError);
    await expect(check('./not-there.ts')).rejects.toThrow(/^\.\/not-there\.ts: the routing policy module .* does not exist/);
    await expect(check('./notes.txt')).rejects.toThrow(
      /^\.\/notes\.txt: name a policy module \(a path ending in \.js, \.mjs, \.ts or \.mts\) or write grpc:\/\/HOST:PORT$/,
    );
  });
});

it('a policy module is refused for a run on node hosts, at its place in the scenario', async () => {
  const loaded = loadScenario('test/library/cell.yaml', { overlays: [{ routing: { policy: './policies/least-loaded.ts' } }] });
  await expect(checkRoutingPolicy(loaded)).rejects.toThrow(
    /^test\/library\/cell\.yaml:\d+:\d+: a policy module runs in the process of the run only/,
  );
});

describe('clustersim policy-check', () => {
  it('exits 0 for a conforming policy, 1 with the findings for another, 2 for one it cannot load', async () => {
    const printed: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => printed.push(String(chunk)) > 0);
    try {
      expect(await main(['policy-check', `${policies}/first-eligible.js`, '--questions', '50'])).toBe(0);
      expect(printed.join('')).toMatch(/first-eligible\.js: PASS \(50 questions/);
      printed.length = 0;
      expect(await main(['policy-check', `${policies}/ignores-affinity.ts`, '--questions', '50'])).toBe(1);
      expect(printed.join('')).toMatch(/FAIL[^]*affinity: \d+ findings[^]*\[affinity\] request/);
    } finally {
      write.mockRestore();
    }
    await expect(main(['policy-check', `${policies}/not-there.ts`])).rejects.toThrow(ScenarioError);
  });
});

describe('the same suite on a gRPC policy', () => {
  let server: ChildProcess;
  let address = '';
  beforeAll(async () => {
    server = spawn(process.execPath, ['--import', 'tsx', 'examples/routing-policy-server.ts', '--listen', '127.0.0.1:0'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    address = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the example policy server did not start')), 20_000);
      let output = '';
      server.stdout!.on('data', (chunk: Buffer) => {
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
    server?.kill('SIGKILL');
  });

  it('passes the example RoutingPolicyService', async () => {
    const report = await checkPolicyConformance(`grpc://${address}`, { questions: 50 });
    expect(report.findings).toEqual([]);
  });
});
