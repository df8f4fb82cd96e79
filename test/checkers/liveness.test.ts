import { describe, expect, it } from 'vitest';
import { MaintenanceMode, ServerState, Status } from '../../gen/clustersim/v1/cluster.js';
import { HealthLivenessChecker } from '../../sim/checkers/health-liveness.js';
import { PlacementLivenessChecker } from '../../sim/checkers/placement-liveness.js';
import type { SimRecord } from '../../sim/metrics/records.js';
import { accepted, check, controller, maintenance, requestEnded, rulesBroken, s1, s2, s3, s4, state, type Entry } from './stream.js';

const s = 1_000_000;

describe('placement-min', () => {
  /** Cluster shop of s1..s4, min 2, 10 s startup; decisions every 5 s, reports every 1 s: 22 s to get one more running. */
  const run = (entries: Entry[], endUs = 100 * s, verticalStacking = 2) =>
    check(
      new PlacementLivenessChecker({
        clusters: [{ name: 'shop', min: 2, verticalStacking, startupUs: 10 * s, members: [s1, s2, s3, s4], nodes: ['node1', 'node2', 'node1', 'node2'] }],
        controller: 'controller',
        decisionIntervalUs: 5 * s,
        loadReportIntervalUs: s,
      }),
      entries,
      endUs,
    );
  const twoRunning: Entry[] = [
    [0, s3, state(s3, ServerState.STOPPED)],
    [0, s4, state(s4, ServerState.STOPPED)],
  ];
  const fault = (kind: string): SimRecord => ({ type: 'fault', kind, target: 'controller', detail: '' });

  it('a replacement running within the bound after a server goes into maintenance holds', () => {
    expect(run([...twoRunning, [10 * s, s1, maintenance(s1)], [15 * s, s3, state(s3, ServerState.STARTING)], [25 * s, s3, state(s3, ServerState.RUNNING)]]).violations).toEqual([]);
  });

  it('a start the controller made that an order stops before it finishes sets the clock going again', () => {
    // Short from 10 s; the controller starts s3 at 12 s; an order stops it at 14 s; started again at 16 s, running at 26 s.
    const undone: Entry[] = [
      ...twoRunning,
      [10 * s, s1, maintenance(s1)],
      [12 * s, s3, state(s3, ServerState.STARTING)],
      [14 * s, s3, state(s3, ServerState.STOPPED)],
      [16 * s, s3, state(s3, ServerState.STARTING)],
      [26 * s, s3, state(s3, ServerState.RUNNING)],
    ];
    expect(run(undone).violations).toEqual([]);
    // Not started again: due 22 s after the stop.
    expect(run(undone.slice(0, 5)).violations).toEqual([expect.objectContaining({ rule: 'placement-min', timeUs: 36 * s })]);
  });

  it('no replacement by the bound is a violation, charged to the controller at the deadline', () => {
    expect(run([...twoRunning, [10 * s, s1, maintenance(s1)]]).violations).toEqual([
      { timeUs: 32 * s, rule: 'placement-min', actor: 'controller', detail: 'cluster shop: 1 running outside maintenance since 10s, minimum 2, with 2 stopped it could start; none more by 32s' },
    ]);
    // Started but never running: a start that does not finish does not count.
    expect(rulesBroken(run([...twoRunning, [10 * s, s1, maintenance(s1)], [15 * s, s3, state(s3, ServerState.STARTING)]]))).toEqual(['placement-min']);
  });

  it('a shortage is judged only past its deadline: one the run ends before says nothing', () => {
    expect(run([...twoRunning, [90 * s, s1, maintenance(s1)]]).violations).toEqual([]);
  });

  it('nothing is owed when no member outside maintenance is stopped, or while the controller is down', () => {
    const noSpare: Entry[] = [...twoRunning, [5 * s, s3, state(s3, ServerState.STOPPED, MaintenanceMode.STOP)], [5 * s, s4, state(s4, ServerState.FAILED)]];
    expect(run([...noSpare, [10 * s, s1, maintenance(s1)]]).violations).toEqual([]);
    const down: Entry[] = [...twoRunning, [5 * s, controller, fault('crash')], [10 * s, s1, maintenance(s1)]];
    expect(run(down).violations).toEqual([]);
    // Once it restarts the clock starts then.
    expect(run([...down, [50 * s, controller, fault('restart')]]).violations).toEqual([expect.objectContaining({ timeUs: 72 * s, detail: expect.stringContaining('since 50s') })]);
  });

  it('nothing is owed when the only stopped members are on nodes the vertical limit fills, servers in maintenance included', () => {
    // One instance a node: node1 holds s1 in maintenance, node2 runs s2; s3 and s4 have no room.
    expect(run([...twoRunning, [10 * s, s1, maintenance(s1)]], 100 * s, 1).violations).toEqual([]);
    // Once s1 leaves maintenance and stops, node1 has room again, and the cluster is short.
    expect(rulesBroken(run([...twoRunning, [10 * s, s1, maintenance(s1)], [20 * s, s1, state(s1, ServerState.STOPPED)]], 100 * s, 1))).toEqual(['placement-min']);
  });

  it('each instance that comes up restarts the clock: a deficit of two is made up one at a time', () => {
    const bothInMaintenance: Entry[] = [...twoRunning, [10 * s, s1, maintenance(s1)], [10 * s, s2, maintenance(s2)]];
    const oneByOne: Entry[] = [[25 * s, s3, state(s3, ServerState.RUNNING)], [45 * s, s4, state(s4, ServerState.RUNNING)]];
    expect(run([...bothInMaintenance, ...oneByOne]).violations).toEqual([]);
    expect(rulesBroken(run([...bothInMaintenance, [25 * s, s3, state(s3, ServerState.RUNNING)]]))).toEqual(['placement-min']);
  });

  it('a member that crashed may still be counted by a controller that cannot hear it: no shortage', () => {
    expect(run([...twoRunning, [10 * s, s1, state(s1, ServerState.FAILED)]]).violations).toEqual([]);
    // One that crashed in maintenance was left out by the controller already.
    expect(rulesBroken(run([...twoRunning, [10 * s, s1, state(s1, ServerState.FAILED, MaintenanceMode.AFFINITY)]]))).toEqual(['placement-min']);
    expect(rulesBroken(run([...twoRunning, [5 * s, s1, maintenance(s1)], [10 * s, s2, state(s2, ServerState.FAILED)]]))).toEqual(['placement-min']);
  });

  it('a server stopped by stop-mode maintenance is no spare, and one back from maintenance counts again', () => {
    const stopped: Entry[] = [[0, s3, state(s3, ServerState.STOPPED, MaintenanceMode.STOP)], [0, s4, state(s4, ServerState.STOPPED, MaintenanceMode.STOP)], [10 * s, s1, maintenance(s1)]];
    expect(run(stopped).violations).toEqual([]);
    expect(run([...twoRunning, [10 * s, s1, maintenance(s1)], [20 * s, s1, state(s1, ServerState.RUNNING)]]).violations).toEqual([]);
  });
});

describe('health-acts', () => {
  /** Policy slow on s1 and s2: mean response time above 60 ms for 20 s; report windows of 1 s. */
  const run = (entries: Entry[], endUs = 60 * s) =>
    check(new HealthLivenessChecker({ policies: [{ name: 'slow', servers: [s1, s2], responseTimeAboveUs: 60_000, forUs: 20 * s }], controller: 'controller', windowUs: s }), entries, endUs);

  /** Requests served by `server` every 100 ms over [fromUs, toUs), each answered after `responseUs`. */
  function served(server: number, responseUs: number, fromUs: number, toUs: number): Entry[] {
    const entries: Entry[] = [];
    for (let atUs = fromUs, request = server * 1_000_000 + fromUs / 1000; atUs < toUs; atUs += 100_000, request++) {
      entries.push([atUs, server, accepted(server, { request, session: request })], [atUs + responseUs, 6, requestEnded(request)]);
    }
    return entries.sort((a, b) => a[0] - b[0]);
  }
  const action = (act: 'enter' | 'exit', server = s1): SimRecord => ({ type: 'health-action', policy: 'slow', server, action: act, supervised: false, valueUs: 0, errorPercent: 0 });

  it('a server clearly slow for the period and a few windows more, left alone, is a violation', () => {
    const result = run(served(s1, 100_000, 0, 40 * s));
    expect(result.violations).toEqual([
      { timeUs: 25 * s, rule: 'health-acts', actor: 'controller', detail: "policy slow left node1/shop-1 alone: its mean response time has been above 60ms since 0us (100ms last), the policy's period is 20s" },
    ]);
  });

  it('holds when the policy acts in time, or the server is in maintenance anyway', () => {
    const actsInTime: Entry[] = [...served(s1, 100_000, 0, 40 * s), [21 * s, controller, action('enter')]];
    expect(run(actsInTime.sort((a, b) => a[0] - b[0])).violations).toEqual([]);
    expect(run([[0, s1, maintenance(s1)], ...served(s1, 100_000, 0, 40 * s)]).violations).toEqual([]);
  });

  it('a policy that acted and took the server out again owes a new action once it is slow again', () => {
    const entries: Entry[] = [[5 * s, controller, action('enter')], [10 * s, controller, action('exit')], ...served(s1, 100_000, 0, 50 * s)];
    expect(run(entries.sort((a, b) => a[0] - b[0])).violations).toEqual([expect.objectContaining({ rule: 'health-acts', timeUs: 25 * s })]);
  });

  it('a policy whose maintenance an operator ended owes a new action once the server runs on slow', () => {
    const entries: Entry[] = [[21 * s, controller, action('enter')], [21 * s, s1, maintenance(s1)], [25 * s, s1, state(s1, ServerState.RUNNING)], ...served(s1, 100_000, 0, 60 * s)];
    expect(run(entries.sort((a, b) => a[0] - b[0]), 70 * s).violations).toEqual([expect.objectContaining({ rule: 'health-acts', timeUs: 49 * s })]);
    // Acting again in time holds.
    const again: Entry[] = [...entries, [46 * s, controller, action('enter')]];
    expect(run(again.sort((a, b) => a[0] - b[0]), 70 * s).violations).toEqual([]);
  });

  it('a response time near the limit, a short slow spell, or a pause in the traffic owes nothing', () => {
    expect(run(served(s1, 62_000, 0, 40 * s)).violations).toEqual([]);
    expect(run(served(s1, 100_000, 0, 20 * s)).violations).toEqual([]);
    expect(run([...served(s1, 100_000, 0, 15 * s), ...served(s1, 100_000, 17 * s, 35 * s)]).violations).toEqual([]);
  });

  it('only OK answers count, only watched servers are measured, and a controller down owes nothing', () => {
    const failed: Entry[] = served(s1, 100_000, 0, 40 * s).map(([atUs, actor, record]) => [atUs, actor, record.type === 'request-ended' ? requestEnded(record.request, Status.DROPPED, 'x') : record]);
    expect(run(failed).violations).toEqual([]);
    expect(run(served(s3, 100_000, 0, 40 * s)).violations).toEqual([]);
    const down: SimRecord = { type: 'fault', kind: 'crash', target: 'controller', detail: '' };
    expect(run([[0, controller, down], ...served(s1, 100_000, 0, 40 * s)]).violations).toEqual([]);
    expect(rulesBroken(run(served(s2, 100_000, 0, 40 * s)))).toEqual(['health-acts']);
  });
});
