import { describe, expect, it } from 'vitest';
import { MaintenanceMode, ServerAction, ServerState, type LoadReport, type Message } from '../../nodes/messages.js';
import { PlacementController } from '../../nodes/placement/placement-controller.js';
import { FakeContext } from '../helpers/fake-context.js';
import { loadReportMessage } from '../helpers/load-reports.js';

/** Cluster shop: 1, 2 on node1 and 3 on node2 running, 4 on node2 and 5 on node3 stopped. */
function controller(limits: { min?: number; max?: number; up?: number; down?: number; perNode?: number } = {}): PlacementController {
  return new PlacementController({
    name: 'placement',
    decisionIntervalUs: 1_000_000,
    clusters: [
      {
        name: 'shop',
        servers: [
          { actor: 1, node: 'node1', startsRunning: true },
          { actor: 2, node: 'node1', startsRunning: true },
          { actor: 3, node: 'node2', startsRunning: true },
          { actor: 4, node: 'node2', startsRunning: false },
          { actor: 5, node: 'node3', startsRunning: false },
        ],
        minInstances: limits.min ?? 2,
        maxInstances: limits.max ?? 4,
        maxPerNode: limits.perNode ?? 2,
        scaleUpLoadPercent: limits.up ?? 70,
        scaleDownLoadPercent: limits.down ?? 20,
      },
    ],
  });
}

/** A running server's report: half loaded, three sessions open. */
function report(server: number, fields: Partial<LoadReport> = {}): Message {
  return loadReportMessage(server, { loadPercent: 50, openSessions: 3, ...fields });
}

function decide(placement: PlacementController, context: FakeContext): { action: ServerAction; to: number }[] {
  context.clear({ timers: true });
  placement.onMessage(PlacementController.start(), context);
  return context.sent.flatMap((sent) => (sent.message.$case === 'serverControl' ? [{ action: sent.message.value.action, to: sent.to }] : []));
}

const loads = (placement: PlacementController, context: FakeContext, percents: Record<number, number>, openSessions = 3) => {
  for (const [server, loadPercent] of Object.entries(percents)) placement.onMessage(report(Number(server), { loadPercent, openSessions }), context);
};

describe('placement controller', () => {
  it('does nothing between its limits at moderate load, and decides again one interval later', () => {
    const placement = controller();
    const context = new FakeContext(0, 'scripted');
    context.now = 5_000_000;
    loads(placement, context, { 1: 50, 2: 50, 3: 50 });
    expect(decide(placement, context)).toEqual([]);
    expect(context.records).toEqual([]);
    expect(context.timers).toEqual([{ atUs: 6_000_000, message: PlacementController.start() }]);
  });

  it('starts one more instance when the running ones are busy on average, on the node with the fewest', () => {
    const placement = controller();
    const context = new FakeContext(0, 'scripted');
    loads(placement, context, { 1: 80, 2: 90, 3: 60 });
    expect(decide(placement, context)).toEqual([{ action: ServerAction.START, to: 5 }]);
    expect(context.records).toEqual([
      { type: 'placement-action', cluster: 'shop', server: 5, node: 'node3', action: 'start', serverState: ServerState.STOPPED, countedInstances: 3, min: 2, max: 4, countedOnNode: 0, verticalLimit: 2 },
    ]);
    const control = context.sent[0]!.message;
    expect(control.$case === 'serverControl' && control.value.reason).toBe('placement of shop');
  });

  it('an ordered start counts at once: the next decision does not start it again, and stops at max', () => {
    const placement = controller({ max: 5 });
    const context = new FakeContext(0, 'scripted');
    loads(placement, context, { 1: 80, 2: 90, 3: 80 });
    expect(decide(placement, context)).toEqual([{ action: ServerAction.START, to: 5 }]);
    expect(decide(placement, context)).toEqual([{ action: ServerAction.START, to: 4 }]);
    expect(decide(placement, context)).toEqual([]);
  });

  it('ignores a report older than its last order to that server', () => {
    const placement = controller({ max: 5 });
    const context = new FakeContext(0, 'scripted');
    context.now = 10;
    loads(placement, context, { 1: 80, 2: 90, 3: 80 });
    decide(placement, context);
    placement.onMessage(report(5, { state: ServerState.STOPPED, atUs: 9 }), context);
    expect(decide(placement, context)).toEqual([{ action: ServerAction.START, to: 4 }]);
    placement.onMessage(report(5, { state: ServerState.STOPPED, atUs: 10 }), context);
    placement.onMessage(report(4, { state: ServerState.STOPPED, atUs: 10 }), context);
    expect(decide(placement, context).map((order) => order.to)).toEqual([5]);
  });

  it('never scales up on a load of exactly the limit, nor when the limit is 0', () => {
    const placement = controller();
    const context = new FakeContext(0, 'scripted');
    loads(placement, context, { 1: 70, 2: 70, 3: 70 });
    expect(decide(placement, context)).toEqual([]);
    const never = controller({ up: 0, down: 0 });
    loads(never, context, { 1: 100, 2: 100, 3: 100 });
    expect(decide(never, context)).toEqual([]);
  });

  it('quiesces an idle instance without sessions when all are below the limit, never below min', () => {
    const placement = controller({ min: 2 });
    const context = new FakeContext(0, 'scripted');
    loads(placement, context, { 1: 10, 3: 10 });
    placement.onMessage(report(2, { loadPercent: 10, openSessions: 0 }), context);
    expect(decide(placement, context)).toEqual([{ action: ServerAction.QUIESCE, to: 2 }]);
    expect(context.records).toMatchObject([{ action: 'stop', server: 2, serverState: ServerState.RUNNING, countedInstances: 3 }]);
    // Two left: at min, nothing more is stopped however idle.
    placement.onMessage(report(1, { loadPercent: 0, openSessions: 0 }), context);
    expect(decide(placement, context)).toEqual([]);
  });

  it('does not quiesce an instance that holds sessions, nor any when one is at the limit', () => {
    const placement = controller({ min: 1 });
    const context = new FakeContext(0, 'scripted');
    loads(placement, context, { 1: 10, 2: 10, 3: 10 }, 4);
    expect(decide(placement, context)).toEqual([]);
    placement.onMessage(report(2, { loadPercent: 20, openSessions: 0 }), context);
    expect(decide(placement, context)).toEqual([]);
    placement.onMessage(report(2, { loadPercent: 19, openSessions: 0 }), context);
    expect(decide(placement, context)).toEqual([{ action: ServerAction.QUIESCE, to: 2 }]);
  });

  it('picks the instance with the fewest sessions when above max', () => {
    const placement = controller({ max: 2, min: 1 });
    const context = new FakeContext(0, 'scripted');
    placement.onMessage(report(1, { openSessions: 7 }), context);
    placement.onMessage(report(2, { openSessions: 2 }), context);
    placement.onMessage(report(3, { openSessions: 5 }), context);
    expect(decide(placement, context)).toEqual([{ action: ServerAction.QUIESCE, to: 2 }]);
  });

  it('a starting instance counts toward max; one in maintenance neither counts nor is started', () => {
    const placement = controller({ max: 4, min: 4 });
    const context = new FakeContext(0, 'scripted');
    placement.onMessage(report(5, { state: ServerState.STARTING }), context);
    placement.onMessage(report(4, { state: ServerState.STOPPED, mode: MaintenanceMode.AFFINITY }), context);
    expect(decide(placement, context)).toEqual([]);
    expect(() => placement.onMessage({ $case: 'timer', value: { tag: 'other', ref: 0 } }, context)).toThrow();
  });
});

describe('placement controller: which instance', () => {
  /** A cluster of the given servers (actor, node, running), with its limits. */
  function cluster(servers: [number, string, boolean][], limits: { min: number; max: number; perNode: number }): PlacementController {
    return new PlacementController({
      name: 'placement',
      decisionIntervalUs: 1_000_000,
      clusters: [
        {
          name: 'shop',
          servers: servers.map(([actor, node, startsRunning]) => ({ actor, node, startsRunning })),
          minInstances: limits.min,
          maxInstances: limits.max,
          maxPerNode: limits.perNode,
          scaleUpLoadPercent: 70,
          scaleDownLoadPercent: 20,
        },
      ],
    });
  }

  it('starts on the first of the emptiest nodes', () => {
    const placement = controller({ min: 3 });
    const context = new FakeContext(0, 'scripted');
    placement.onMessage(report(3, { state: ServerState.STOPPED }), context);
    // node2 (3 and 4) and node3 (5) have no instance running: 3 is the first of them.
    expect(decide(placement, context)).toEqual([{ action: ServerAction.START, to: 3 }]);
  });

  it('starts no instance on a node at its vertical limit, nor one in maintenance', () => {
    const full = cluster(
      [
        [1, 'node1', true],
        [2, 'node1', true],
        [3, 'node1', false],
      ],
      { min: 3, max: 3, perNode: 2 },
    );
    const context = new FakeContext(0, 'scripted');
    expect(decide(full, context)).toEqual([]);

    const inMaintenance = cluster(
      [
        [1, 'node1', false],
        [2, 'node2', false],
      ],
      { min: 1, max: 2, perNode: 2 },
    );
    inMaintenance.onMessage(report(1, { state: ServerState.STOPPED, mode: MaintenanceMode.AFFINITY }), context);
    expect(decide(inMaintenance, context)).toEqual([{ action: ServerAction.START, to: 2 }]);
  });

  it('an instance it started counts toward min at once', () => {
    const placement = controller({ min: 4 });
    const context = new FakeContext(0, 'scripted');
    expect(decide(placement, context)).toEqual([{ action: ServerAction.START, to: 5 }]);
    expect(decide(placement, context)).toEqual([]);
  });

  it('starts none at max however busy', () => {
    const placement = controller({ max: 3 });
    const context = new FakeContext(0, 'scripted');
    loads(placement, context, { 1: 95, 2: 95, 3: 95 });
    expect(decide(placement, context)).toEqual([]);
  });

  it('above max with only starting instances, has none to stop yet', () => {
    const placement = controller({ min: 0, max: 1 });
    const context = new FakeContext(0, 'scripted');
    for (const server of [1, 2, 3]) placement.onMessage(report(server, { state: ServerState.STARTING }), context);
    expect(decide(placement, context)).toEqual([]);
  });

  it('of instances with as few sessions, stops the first', () => {
    const placement = controller({ max: 2, min: 1 });
    const context = new FakeContext(0, 'scripted');
    placement.onMessage(report(1, { openSessions: 4 }), context);
    placement.onMessage(report(2, { openSessions: 2 }), context);
    placement.onMessage(report(3, { openSessions: 2 }), context);
    expect(decide(placement, context)).toEqual([{ action: ServerAction.QUIESCE, to: 2 }]);
  });

  it('with a scale-down limit of 0 never stops an idle instance', () => {
    const placement = controller({ min: 1, down: 0 });
    const context = new FakeContext(0, 'scripted');
    loads(placement, context, { 1: 0, 2: 0, 3: 0 }, 0);
    expect(decide(placement, context)).toEqual([]);
  });

  it('an instance in maintenance or stopped does not make the running ones look busy or idle', () => {
    const placement = controller({ min: 1 });
    const context = new FakeContext(0, 'scripted');
    loads(placement, context, { 1: 60, 2: 60 });
    placement.onMessage(report(3, { loadPercent: 100, mode: MaintenanceMode.AFFINITY, state: ServerState.MAINTENANCE }), context);
    expect(decide(placement, context)).toEqual([]);
    loads(placement, context, { 1: 10, 2: 10 }, 0);
    placement.onMessage(report(3, { loadPercent: 90, openSessions: 0, mode: MaintenanceMode.AFFINITY, state: ServerState.MAINTENANCE }), context);
    expect(decide(placement, context)).toEqual([{ action: ServerAction.QUIESCE, to: 1 }]);
  });

  it('ignores the reports of servers it does not place, and refuses other messages', () => {
    const placement = controller();
    const context = new FakeContext(0, 'scripted');
    placement.onMessage(report(99, { state: ServerState.FAILED }), context);
    loads(placement, context, { 1: 50, 2: 50, 3: 50 });
    expect(decide(placement, context)).toEqual([]);
    expect(() => placement.onMessage({ $case: 'maintenance', value: { targets: [], enter: true, mode: MaintenanceMode.AFFINITY, reason: '' } }, context)).toThrow(
      'placement cannot handle a maintenance message',
    );
  });
});
