import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { HealthController } from '../../nodes/health/health-controller.js';
import { MaintenanceMode, ServerState } from '../../nodes/messages.js';
import { PlacementController } from '../../nodes/placement/placement-controller.js';
import { ServerGroup } from '../../nodes/router/server-views.js';
import { checkScenario, type ScenarioCheck } from '../../sim/run/check-scenario.js';

// Wrong behaviour planted in the real actors, in-process, one at a time: each shipped scenario
// named must then fail under the library function `clustersim check` runs, on its own.
// The methods patched are private: reached through the prototypes as plain objects.
type Patchable = Record<string, (...args: never[]) => unknown>;
const placement = PlacementController.prototype as unknown as Patchable;
const health = HealthController.prototype as unknown as Patchable;
const balancer = ServerGroup.prototype as unknown as Patchable;

const outDirectory = mkdtempSync(join(tmpdir(), 'clustersim-plants-'));
afterAll(() => rmSync(outDirectory, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

function check(scenario: string): ScenarioCheck {
  return checkScenario({ file: join('scenarios', `${scenario}.yaml`), reportDirectory: join(outDirectory, scenario) });
}

interface InstanceView {
  state: ServerState;
  mode: MaintenanceMode;
}

describe('the shipped scenarios catch a placement controller, health policy or balancer gone wrong', () => {
  it('a placement controller that counts servers in maintenance as instances', () => {
    const decide = placement['decide']!;
    vi.spyOn(placement, 'decide').mockImplementation(function (this: unknown, cluster: never, instances: readonly InstanceView[], context: never) {
      const seenRunning = instances.map((view) => (view.state === ServerState.MAINTENANCE ? { ...view, state: ServerState.RUNNING, mode: MaintenanceMode.UNSPECIFIED } : view));
      return decide.call(this, cluster, seenRunning as never, context);
    } as never);
    for (const scenario of ['placement', 'controller-crash']) {
      const result = check(scenario);
      expect(result.verdict).toBe('fail');
      expect(result.violations).toEqual([expect.stringMatching(/^\[placement-min\] placement: cluster shop: 2 running outside maintenance since /)]);
    }
  });

  it('a placement controller whose vertical limit ignores the servers in maintenance on the node', () => {
    const withoutMaintenance = (counts: { maintenanceOnNode: Map<string, number> }) => ({ ...counts, maintenanceOnNode: new Map() });
    const startCandidate = placement['startCandidate']!;
    const order = placement['order']!;
    vi.spyOn(placement, 'startCandidate').mockImplementation(function (this: unknown, cluster: never, instances: never, counts: never) {
      return startCandidate.call(this, cluster, instances, withoutMaintenance(counts) as never);
    } as never);
    vi.spyOn(placement, 'order').mockImplementation(function (this: unknown, cluster: never, view: never, action: never, counts: never, context: never) {
      return order.call(this, cluster, view, action, withoutMaintenance(counts) as never, context);
    } as never);
    const result = check('placement-vertical');
    expect(result.verdict).toBe('fail');
    expect(result.violations).toEqual(['[placement-counts] placement: cluster shop, start of node2/shop-3: vertical limit 3 on node2 with 1 in maintenance there; expected 2']);
  });

  it('a health policy that never acts', () => {
    vi.spyOn(health, 'act').mockImplementation(() => undefined);
    const result = check('health-policy');
    expect(result.verdict).toBe('fail');
    // One violation per slow spell left alone.
    expect(result.violations.length).toBeGreaterThan(0);
    for (const line of result.violations) expect(line).toMatch(/^\[health-acts\] health: policy slow-response left node1\/app-1 alone: its mean response time has been above 60ms since /);
    expect(result.failedExpectations.map((failed) => failed.expectation)).toContain('requests.http.routedToMaintenance > 0');
  });

  it('a balancer that no longer picks the least loaded server: blindly, or the most loaded', () => {
    const score = balancer['eligibleScore']!;
    const blind = vi.spyOn(balancer, 'eligibleScore').mockImplementation(function (this: unknown, ...args: never[]) {
      const eligible = score.apply(this, args) as number;
      return eligible === Infinity ? eligible : 1;
    } as never);
    expect(check('balancing').failedExpectations.map((failed) => failed.expectation)).toEqual(['servers.node1/app-1.requests < 6500']);
    blind.mockImplementation(function (this: unknown, ...args: never[]) {
      const eligible = score.apply(this, args) as number;
      return eligible === Infinity ? eligible : 1 / eligible;
    } as never);
    const mostLoaded = check('balancing');
    expect(mostLoaded.verdict).toBe('fail');
    expect(mostLoaded.failedExpectations.length).toBeGreaterThan(0);
  });

  it('while the real controller, health policy and balancer pass those scenarios', () => {
    for (const scenario of ['placement', 'placement-vertical', 'controller-crash', 'health-policy', 'balancing']) expect([scenario, check(scenario).verdict]).toEqual([scenario, 'pass']);
  });
});
