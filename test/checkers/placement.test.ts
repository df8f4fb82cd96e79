import { describe, expect, it } from 'vitest';
import { MaintenanceMode, ServerState } from '../../gen/clustersim/v1/cluster.js';
import { PlacementChecker } from '../../sim/checkers/placement.js';
import type { SimRecord } from '../../sim/metrics/records.js';
import { actorNames, check, controller, maintenance, rulesBroken, s1, s2, s3, s4, state, type Entry } from './stream.js';

const run = (entries: Entry[]) => check(new PlacementChecker(actorNames), entries);

/** Cluster shop: s1, s2 on node1; s3, s4 on node2 (found by name). min 1, max 3, two per node. */
function action(server: number, act: 'start' | 'stop', counts: { instances: number; onNode: number; verticalLimit?: number; serverState?: ServerState }): SimRecord {
  return {
    type: 'placement-action',
    cluster: 'shop',
    server,
    node: server === s1 || server === s2 ? 'node1' : 'node2',
    action: act,
    serverState: counts.serverState ?? (act === 'start' ? ServerState.STOPPED : ServerState.RUNNING),
    countedInstances: counts.instances,
    min: 1,
    max: 3,
    countedOnNode: counts.onNode,
    verticalLimit: counts.verticalLimit ?? 2,
  };
}

const s2AndS4Stopped: Entry[] = [
  [0, s2, state(s2, ServerState.STOPPED)],
  [0, s4, state(s4, ServerState.STOPPED)],
];

describe('placement and maintenance', () => {
  it('holds when the controller counts running members outside maintenance', () => {
    const result = run([
      ...s2AndS4Stopped,
      [10, controller, action(s4, 'start', { instances: 2, onNode: 1 })],
      [20, s4, state(s4, ServerState.STARTING)],
      [30, s4, state(s4, ServerState.RUNNING)],
      [40, controller, action(s4, 'stop', { instances: 3, onNode: 2 })],
    ]);
    expect(result.violations).toEqual([]);
  });

  it('never starts or stops a server in maintenance', () => {
    const result = run([...s2AndS4Stopped, [5, s3, maintenance(s3)], [10, controller, action(s3, 'stop', { instances: 1, onNode: 0, verticalLimit: 1, serverState: ServerState.MAINTENANCE })]]);
    expect(rulesBroken(result)).toContain('placement-maintenance');
    expect(result.violations[0]).toEqual({ timeUs: 10, rule: 'placement-maintenance', actor: 'controller', detail: 'stop of node2/shop-1, which is in maintenance' });
  });

  it('counting a server in maintenance as an instance is a violation', () => {
    const result = run([...s2AndS4Stopped, [5, s1, maintenance(s1)], [10, controller, action(s4, 'start', { instances: 2, onNode: 1 })]]);
    expect(result.violations).toEqual([expect.objectContaining({ rule: 'placement-counts', detail: 'cluster shop, start of node2/shop-2: counted 2 instances, 1 run outside maintenance' })]);
  });

  it('the vertical limit is the per-node maximum minus the servers in maintenance on the node', () => {
    const entries: Entry[] = [
      ...s2AndS4Stopped,
      [10, controller, action(s4, 'start', { instances: 2, onNode: 1 })],
      [20, s4, state(s4, ServerState.RUNNING)],
      [30, s3, maintenance(s3)],
    ];
    expect(run([...entries, [40, controller, action(s4, 'stop', { instances: 2, onNode: 1, verticalLimit: 1 })]]).violations).toEqual([]);
    const notReduced = run([...entries, [40, controller, action(s4, 'stop', { instances: 2, onNode: 1, verticalLimit: 2 })]]);
    expect(notReduced.violations).toEqual([expect.objectContaining({ rule: 'placement-counts', detail: expect.stringContaining('vertical limit 2 on node2 with 1 in maintenance there; expected 1') })]);
  });

  it('starts only below the maximum and the vertical limit, stops only above the minimum', () => {
    const s4Stopped: Entry[] = [[0, s4, state(s4, ServerState.STOPPED)]];
    expect(rulesBroken(run([...s4Stopped, [10, controller, action(s4, 'start', { instances: 3, onNode: 1 })]]))).toEqual(['placement-bounds']);
    expect(rulesBroken(run([...s2AndS4Stopped, [10, controller, action(s4, 'start', { instances: 2, onNode: 1, verticalLimit: 1 })]]))).toEqual(['placement-bounds']);
    const allButOneStopped: Entry[] = [[0, s2, state(s2, ServerState.STOPPED)], [0, s3, state(s3, ServerState.STOPPED)], [0, s4, state(s4, ServerState.STOPPED)]];
    expect(rulesBroken(run([...allButOneStopped, [10, controller, action(s1, 'stop', { instances: 1, onNode: 1 })]]))).toEqual(['placement-bounds']);
  });

  it('the state it acted on must be the server’s own', () => {
    expect(rulesBroken(run([...s2AndS4Stopped, [10, controller, action(s4, 'start', { instances: 2, onNode: 1, serverState: ServerState.RUNNING })]]))).toEqual(['placement-counts']);
  });

  it('takes members from the given membership when names do not tell', () => {
    const checker = new PlacementChecker(['controller', 'a', 'b'], new Map([['shop', [{ server: 1, node: 'n1' }, { server: 2, node: 'n1' }]]]));
    const counted: SimRecord = { type: 'placement-action', cluster: 'shop', server: 2, node: 'n1', action: 'stop', serverState: ServerState.RUNNING, countedInstances: 2, min: 1, max: 3, countedOnNode: 2, verticalLimit: 2 };
    expect(check(checker, [[1, 0, counted]]).violations).toEqual([]);
  });

  it('a wrong count on the node names what was counted and what runs there', () => {
    const result = run([...s2AndS4Stopped, [10, controller, action(s4, 'start', { instances: 2, onNode: 0 })]]);
    expect(result.violations).toEqual([{ timeUs: 10, rule: 'placement-counts', actor: 'controller', detail: 'cluster shop, start of node2/shop-2: counted 0 on node2, 1 run there outside maintenance' }]);
  });

  it('a member still starting is counted as an instance, cluster-wide and on its node', () => {
    const result = run([
      ...s2AndS4Stopped,
      [10, s4, state(s4, ServerState.STARTING)],
      [20, controller, action(s3, 'stop', { instances: 3, onNode: 2 })],
    ]);
    expect(result.violations).toEqual([]);
  });

  it('members in maintenance on another node leave the vertical limit on this node as configured', () => {
    const result = run([
      ...s2AndS4Stopped,
      [10, controller, action(s4, 'start', { instances: 2, onNode: 1 })],
      [20, s4, state(s4, ServerState.RUNNING)],
      [30, s1, maintenance(s1)],
      [40, controller, action(s4, 'stop', { instances: 2, onNode: 2 })],
    ]);
    expect(result.violations).toEqual([]);
  });

  it('a bound broken names the counts and the bound', () => {
    const full = run([[0, s4, state(s4, ServerState.STOPPED)], [10, controller, action(s4, 'start', { instances: 3, onNode: 1 })]]);
    expect(full.violations).toEqual([{ timeUs: 10, rule: 'placement-bounds', actor: 'controller', detail: 'cluster shop, start of node2/shop-2: started with 3 instances, maximum 3' }]);
    const nodeFull = run([...s2AndS4Stopped, [10, controller, action(s4, 'start', { instances: 2, onNode: 1, verticalLimit: 1 })]]);
    expect(nodeFull.violations).toEqual([{ timeUs: 10, rule: 'placement-bounds', actor: 'controller', detail: 'cluster shop, start of node2/shop-2: started with 1 on node2, vertical limit 1' }]);
    const allButOneStopped: Entry[] = [[0, s2, state(s2, ServerState.STOPPED)], [0, s3, state(s3, ServerState.STOPPED)], [0, s4, state(s4, ServerState.STOPPED)]];
    const last = run([...allButOneStopped, [10, controller, action(s1, 'stop', { instances: 1, onNode: 1 })]]);
    expect(last.violations).toEqual([{ timeUs: 10, rule: 'placement-bounds', actor: 'controller', detail: 'cluster shop, stop of node1/shop-1: stopped with 1 instances, minimum 1' }]);
  });

  it('starting just below the bounds and stopping just above the minimum hold', () => {
    expect(run([...s2AndS4Stopped, [10, controller, action(s4, 'start', { instances: 2, onNode: 1 })]]).violations).toEqual([]);
    const twoRunning: Entry[] = [[0, s2, state(s2, ServerState.STOPPED)], [0, s3, state(s3, ServerState.STOPPED)]];
    expect(run([...twoRunning, [10, controller, action(s1, 'stop', { instances: 2, onNode: 1 })]]).violations).toEqual([]);
  });

  it('acting on a server as other than its own state names both states', () => {
    const result = run([...s2AndS4Stopped, [10, controller, action(s4, 'start', { instances: 2, onNode: 1, serverState: ServerState.RUNNING })]]);
    expect(result.violations).toEqual([{ timeUs: 10, rule: 'placement-counts', actor: 'controller', detail: 'cluster shop, start of node2/shop-2: acted on it as running, it was stopped' }]);
  });

  it('members are found by their full name: node, then the cluster name as written, then a number', () => {
    const names = ['controller', 'node1/shop.eu-1', 'node1/shop.eu-12', 'node1/shopXeu-3', 'old/node1/shop.eu-4', 'node1/shop.eu-5x', 'node2/shop.eu-6', 'node1/shop.eu-'];
    const stop: SimRecord = { type: 'placement-action', cluster: 'shop.eu', server: 1, node: 'node1', action: 'stop', serverState: ServerState.RUNNING, countedInstances: 3, min: 1, max: 5, countedOnNode: 2, verticalLimit: 3 };
    expect(check(new PlacementChecker(names), [[10, 0, stop]]).violations).toEqual([]);
  });

  it('a server the controller acts on is a member of the cluster from then on', () => {
    const checker = new PlacementChecker(['controller', 'a', 'b']);
    const act = (server: number, instances: number): SimRecord => ({ type: 'placement-action', cluster: 'shop', server, node: 'n1', action: 'stop', serverState: ServerState.RUNNING, countedInstances: instances, min: 0, max: 3, countedOnNode: instances, verticalLimit: 2 });
    expect(check(checker, [[1, 0, act(1, 1)], [2, 0, act(2, 2)]]).violations).toEqual([]);
  });

  it('a server stopped by stop-mode maintenance is still in maintenance: left out of the vertical limit, never started', () => {
    const stoppedInMaintenance: Entry[] = [...s2AndS4Stopped, [5, s3, state(s3, ServerState.STOPPED, MaintenanceMode.STOP)]];
    expect(run([...stoppedInMaintenance, [10, controller, action(s4, 'start', { instances: 1, onNode: 0, verticalLimit: 1 })]]).violations).toEqual([]);
    const notReduced = run([...stoppedInMaintenance, [10, controller, action(s2, 'start', { instances: 1, onNode: 1 })], [20, controller, action(s4, 'start', { instances: 1, onNode: 0, verticalLimit: 2 })]]);
    expect(result(notReduced)).toEqual(['placement-counts: cluster shop, start of node2/shop-2: vertical limit 2 on node2 with 1 in maintenance there; expected 1']);
    const started = run([...stoppedInMaintenance, [10, controller, action(s3, 'start', { instances: 1, onNode: 0, verticalLimit: 1 })]]);
    expect(result(started)).toEqual(['placement-maintenance: start of node2/shop-1, which is in maintenance']);
  });

  it('with the per-node maximum as configured, the first action on a node with a server in maintenance is judged too', () => {
    const configured = (entries: Entry[]) => check(new PlacementChecker(actorNames, undefined, { configuredPerNode: new Map([['shop', 2]]) }), entries);
    const s3InMaintenance: Entry[] = [...s2AndS4Stopped, [5, s3, maintenance(s3)]];
    const ignoresMaintenance: Entry = [10, controller, action(s4, 'start', { instances: 1, onNode: 0, verticalLimit: 2 })];
    expect(run([...s3InMaintenance, ignoresMaintenance]).violations).toEqual([]);
    expect(result(configured([...s3InMaintenance, ignoresMaintenance]))).toEqual(['placement-counts: cluster shop, start of node2/shop-2: vertical limit 2 on node2 with 1 in maintenance there; expected 1']);
    expect(configured([...s3InMaintenance, [10, controller, action(s4, 'start', { instances: 1, onNode: 0, verticalLimit: 1 })]]).violations).toEqual([]);
  });

  it('a controller that has not heard yet of a crash or a recent change is not wrong: it may count the member as it was', () => {
    const delayed = (entries: Entry[]) => check(new PlacementChecker(actorNames, undefined, { reportDelayUs: 1000 }), entries);
    // s3 crashed silently: counted still (2) or not (1), both hold; and the controller may act on it as running.
    const crashed: Entry[] = [...s2AndS4Stopped, [5, s3, state(s3, ServerState.FAILED)]];
    expect(delayed([...crashed, [5000, controller, action(s4, 'start', { instances: 2, onNode: 1 })]]).violations).toEqual([]);
    expect(delayed([...crashed, [5000, controller, action(s4, 'start', { instances: 1, onNode: 0 })]]).violations).toEqual([]);
    expect(delayed([...crashed, [5000, controller, action(s3, 'stop', { instances: 2, onNode: 1 })]]).violations).toEqual([]);
    // s1 went into maintenance 500us before the action, within the delay: either count holds; 2000us before, it does not.
    const entered = (atUs: number): Entry[] => [...s2AndS4Stopped, [atUs, s1, maintenance(s1)]];
    expect(delayed([...entered(4500), [5000, controller, action(s4, 'start', { instances: 2, onNode: 1 })]]).violations).toEqual([]);
    expect(delayed([...entered(4500), [5000, controller, action(s4, 'start', { instances: 1, onNode: 1 })]]).violations).toEqual([]);
    expect(result(delayed([...entered(3000), [5000, controller, action(s4, 'start', { instances: 2, onNode: 1 })]]))).toEqual([
      'placement-counts: cluster shop, start of node2/shop-2: counted 2 instances, 1 run outside maintenance',
    ]);
    expect(result(delayed([...entered(4500), [5000, controller, action(s4, 'start', { instances: 3, onNode: 1 })]]))).toEqual([
      'placement-counts: cluster shop, start of node2/shop-2: counted 3 instances, 1 to 2 run outside maintenance',
      'placement-bounds: cluster shop, start of node2/shop-2: started with 3 instances, maximum 3',
    ]);
  });

  it('a server started again in maintenance, or crashed in it, is not an instance until its exit', () => {
    const restarted: Entry[] = [...s2AndS4Stopped, [5, s3, state(s3, ServerState.STARTING, MaintenanceMode.BREAK)]];
    expect(run([...restarted, [10, controller, action(s4, 'start', { instances: 1, onNode: 0, verticalLimit: 1 })]]).violations).toEqual([]);
    const crashed: Entry[] = [...s2AndS4Stopped, [5, s3, maintenance(s3)], [6, s3, state(s3, ServerState.FAILED, MaintenanceMode.AFFINITY)]];
    expect(run([...crashed, [10, controller, action(s4, 'start', { instances: 1, onNode: 0, verticalLimit: 1 })]]).violations).toEqual([]);
    const exited: Entry[] = [...crashed, [7, s3, state(s3, ServerState.STOPPED)]];
    expect(run([...exited, [10, controller, action(s4, 'start', { instances: 1, onNode: 0, verticalLimit: 2 })]]).violations).toEqual([]);
  });
});

function result(checked: ReturnType<typeof run>): string[] {
  return checked.violations.map((violation) => `${violation.rule}: ${violation.detail}`);
}
