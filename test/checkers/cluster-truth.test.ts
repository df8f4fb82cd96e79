import { describe, expect, it } from 'vitest';
import { MaintenanceMode, ServerState } from '../../gen/clustersim/v1/cluster.js';
import { ClusterTruth } from '../../sim/checkers/cluster-truth.js';
import type { RecordOf } from '../../sim/metrics/record-bus.js';

function changeState(truth: ClusterTruth, timeUs: number, server: number, state: ServerState, mode = MaintenanceMode.UNSPECIFIED): void {
  truth.handlers['server-state']!(timeUs, server, { type: 'server-state', server, state, mode } satisfies RecordOf<'server-state'>);
}

describe('ClusterTruth', () => {
  it('holds each server as built until its first state change: running when not given', () => {
    const truth = new ClusterTruth(new Map([[2, ServerState.STOPPED]]), 4);
    expect([0, 1, 2, 3].map((server) => truth.state(server))).toEqual([ServerState.RUNNING, ServerState.RUNNING, ServerState.STOPPED, ServerState.RUNNING]);
    expect(truth.isLive(2)).toBe(false);
    expect(truth.firstDownBetween(2, 0, Infinity)).toBe(-1);
    expect(truth.sinceUs(2)).toBe(0);
  });

  it('follows state, mode, since when, and the times a server went down', () => {
    const truth = new ClusterTruth(new Map(), 3);
    changeState(truth, 100, 1, ServerState.MAINTENANCE, MaintenanceMode.AFFINITY);
    expect(truth.inKeepAffinityMaintenance(1)).toBe(true);
    expect(truth.inKeepAffinityMaintenance(0)).toBe(false);
    expect(truth.sinceUs(1)).toBe(100);
    changeState(truth, 150, 1, ServerState.MAINTENANCE, MaintenanceMode.BREAK);
    expect(truth.inKeepAffinityMaintenance(1)).toBe(false);
    expect(truth.sinceUs(1)).toBe(100);
    changeState(truth, 200, 1, ServerState.FAILED);
    changeState(truth, 250, 1, ServerState.STOPPED);
    expect(truth.firstDownBetween(1, 0, Infinity)).toBe(200);
    changeState(truth, 300, 1, ServerState.RUNNING);
    expect([truth.state(1), truth.mode(1), truth.sinceUs(1), truth.firstDownBetween(1, 0, Infinity)]).toEqual([ServerState.RUNNING, MaintenanceMode.UNSPECIFIED, 300, 200]);
    changeState(truth, 400, 1, ServerState.FAILED);
    expect([truth.firstDownBetween(1, 0, 199), truth.firstDownBetween(1, 200, 200), truth.firstDownBetween(1, 201, 400), truth.firstDownBetween(1, 201, 399)]).toEqual([-1, 200, 400, -1]);
  });

  it('takes in servers beyond the actors it was sized for, keeping what it knew', () => {
    const truth = new ClusterTruth(new Map([[1, ServerState.STARTING]]), 2);
    changeState(truth, 50, 0, ServerState.MAINTENANCE, MaintenanceMode.AFFINITY);
    changeState(truth, 70, 9, ServerState.FAILED);
    expect(truth.state(9)).toBe(ServerState.FAILED);
    expect(truth.firstDownBetween(9, 0, Infinity)).toBe(70);
    expect(truth.state(8)).toBe(ServerState.RUNNING);
    expect(truth.firstDownBetween(8, 0, Infinity)).toBe(-1);
    expect([truth.state(0), truth.mode(0), truth.sinceUs(0), truth.state(1)]).toEqual([ServerState.MAINTENANCE, MaintenanceMode.AFFINITY, 50, ServerState.STARTING]);
    expect(truth.state(1_000)).toBe(ServerState.RUNNING);
    expect([truth.mode(1_000), truth.sinceUs(1_000), truth.firstDownBetween(1_000, 0, Infinity), truth.isLive(1_000)]).toEqual([MaintenanceMode.UNSPECIFIED, 0, -1, true]);
  });

  it('takes in the first server just beyond the actors it was sized for', () => {
    const truth = new ClusterTruth(new Map(), 2);
    changeState(truth, 40, 2, ServerState.MAINTENANCE, MaintenanceMode.AFFINITY);
    expect([truth.state(2), truth.mode(2), truth.sinceUs(2), truth.inKeepAffinityMaintenance(2)]).toEqual([ServerState.MAINTENANCE, MaintenanceMode.AFFINITY, 40, true]);
  });

  it('counts a server going down only when it was up, and a state as new only when it changes', () => {
    const truth = new ClusterTruth(new Map([[0, ServerState.STOPPED]]), 2);
    changeState(truth, 100, 0, ServerState.FAILED);
    expect([truth.firstDownBetween(0, 0, Infinity), truth.sinceUs(0), truth.isLive(0)]).toEqual([-1, 100, false]);
    changeState(truth, 200, 1, ServerState.RUNNING);
    expect(truth.sinceUs(1)).toBe(0);
    changeState(truth, 300, 1, ServerState.DRAINING);
    expect([truth.firstDownBetween(1, 0, Infinity), truth.isLive(1), truth.inMaintenance(1)]).toEqual([-1, true, false]);
  });

  it('knows a partition is in force from its first fault until the heal, whatever came between', () => {
    const truth = new ClusterTruth(new Map(), 1);
    const fault = (kind: string) => truth.handlers.fault!(0, 0, { type: 'fault', kind, target: 'node1', detail: '' } satisfies RecordOf<'fault'>);
    expect(truth.partitioned).toBe(false);
    fault('partition');
    fault('partition');
    fault('crash');
    expect(truth.partitioned).toBe(true);
    fault('heal');
    expect(truth.partitioned).toBe(false);
  });
});
