// The policy against clustersim's built-in router on a shipped scenario (a server in break-mode
// maintenance: its replicated sessions fail over, through the policy), on the same seeds: no
// more dropped sessions, and a p99 latency at most 20% worse.
import { fileURLToPath } from 'node:url';
import { checkPolicyConformance, compare, shippedScenario } from 'clustersim';
import { expect, it } from 'vitest';

const policy = fileURLToPath(new URL('../policies/least-loaded.ts', import.meta.url));

it('keeps the contract of a routing policy', async () => {
  const report = await checkPolicyConformance(policy, { questions: 200 });
  expect(report.findings).toEqual([]);
});

it('drops no more sessions than the built-in router, and keeps p99 latency within 20%', async () => {
  const result = await compare(shippedScenario('maintenance-break-replicated'), {
    baseline: {},
    candidate: { routing: { policy } },
    seeds: 2,
    tolerances: ['sessions.dropped<=0', 'latency.http.p99<=+20%'],
  });
  expect(result.sameArrivalsInEveryPair).toBe(true);
  expect(result.figures.filter((figure) => figure.verdict === 'worse')).toEqual([]);
});
