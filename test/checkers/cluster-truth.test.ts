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
    expect(truth.lastDownUs(2)).toBe(-1);
    expect(truth.sinceUs(2)).toBe(0);
  });

  it('follows state, mode, since when, and the last time a server went down', () => {
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
    expect(truth.lastDownUs(1)).toBe(200);
    changeState(truth, 300, 1, ServerState.RUNNING);
    expect([truth.state(1), truth.mode(1), truth.sinceUs(1), truth.lastDownUs(1)]).toEqual([ServerState.RUNNING, MaintenanceMode.UNSPECIFIED, 300, 200]);
  });

  it('takes in servers beyond the actors it was sized for, keeping what it knew', () => {
    const truth = new ClusterTruth(new Map([[1, ServerState.STARTING]]), 2);
    changeState(truth, 50, 0, ServerState.MAINTENANCE, MaintenanceMode.AFFINITY);
    changeState(truth, 70, 9, ServerState.FAILED);
    expect(truth.state(9)).toBe(ServerState.FAILED);
    expect(truth.lastDownUs(9)).toBe(70);
    expect(truth.state(8)).toBe(ServerState.RUNNING);
    expect(truth.lastDownUs(8)).toBe(-1);
    expect([truth.state(0), truth.mode(0), truth.sinceUs(0), truth.state(1)]).toEqual([ServerState.MAINTENANCE, MaintenanceMode.AFFINITY, 50, ServerState.STARTING]);
    expect(truth.state(1_000)).toBe(ServerState.RUNNING);
  });
});
