import { describe, expect, it } from 'vitest';
import { MaintenanceMode, Protocol, RequestKind, ServerState, Status } from '../../gen/clustersim/v1/cluster.js';
import type { SimRecord } from '../../sim/metrics/records.js';
import { TimeSeriesRecorder } from '../../sim/metrics/series.js';
import { clusterNames, minuteUs, syntheticSeries } from './synthetic.js';

function recorder(serverCount: number, durationUs = 10 * minuteUs): { series: TimeSeriesRecorder; servers: number[] } {
  const { actorNames, servers } = clusterNames(serverCount);
  return { series: new TimeSeriesRecorder({ actorNames, servers, durationUs, windows: 10 }), servers };
}

const sessions = (server: number, open: number): SimRecord => ({ type: 'server-sessions', server, protocol: Protocol.HTTP, open, total: open });
const state = (server: number, serverState: ServerState): SimRecord => ({ type: 'server-state', server, state: serverState, mode: MaintenanceMode.UNSPECIFIED });

describe('time series of a run', () => {
  it('a server in maintenance drains when its last session ends: time to drain from entering', () => {
    const { series, servers } = recorder(2);
    const server = servers[0]!;
    series.record(0, server, sessions(server, 5));
    series.record(minuteUs, server, state(server, ServerState.MAINTENANCE));
    series.record(2 * minuteUs, server, sessions(server, 2));
    series.record(3 * minuteUs, server, sessions(server, 0));
    series.record(4 * minuteUs, server, state(server, ServerState.RUNNING));
    const [episode] = series.finish(10 * minuteUs).episodes;
    expect(episode).toMatchObject({ kind: 'maintenance', startUs: minuteUs, drainedAtUs: 3 * minuteUs, end: 'exited', openAtStart: 5, openAtEnd: 0 });
    expect(episode!.curve!.open[0]).toEqual([5, 2, 0, 0]);
  });

  it('a session that comes back after the server was empty moves the drained moment later', () => {
    const { series, servers } = recorder(2);
    const server = servers[0]!;
    series.record(0, server, state(server, ServerState.MAINTENANCE));
    series.record(minuteUs, server, sessions(server, 1));
    series.record(2 * minuteUs, server, sessions(server, 0));
    expect(series.finish(10 * minuteUs).episodes[0]!.drainedAtUs).toBe(2 * minuteUs);
  });

  it('a drain cut at its deadline keeps the deadline and the sessions cut', () => {
    const { series, servers } = recorder(2);
    const server = servers[1]!;
    series.record(0, server, sessions(server, 9));
    series.record(minuteUs, server, { type: 'drain-started', server, deadlineUs: 3 * minuteUs });
    series.record(2 * minuteUs, server, sessions(server, 4));
    series.record(3 * minuteUs, server, { type: 'drain-ended', server, reason: 'expired', openSessions: 4 });
    const [episode] = series.finish(10 * minuteUs).episodes;
    expect(episode).toMatchObject({ kind: 'draining', deadlineUs: 3 * minuteUs, end: 'expired', openAtEnd: 4 });
    expect(episode!.drainedAtUs).toBeUndefined();
    expect(episode!.curve!.open[0]!.at(-1)).toBe(0);
  });

  it("keeps each actor's open sessions by protocol, also for an actor beyond the named ones", () => {
    const { series, servers } = recorder(2);
    const server = servers[1]!;
    const unnamed = 40;
    series.record(0, server, { type: 'server-sessions', server, protocol: Protocol.SIP, open: 3, total: 3 });
    series.record(1, server, { type: 'server-sessions', server, protocol: Protocol.HTTP, open: 2, total: 5 });
    series.record(2, unnamed, { type: 'server-sessions', server: unnamed, protocol: Protocol.JMS, open: 7, total: 7 });
    series.record(minuteUs, server, state(server, ServerState.MAINTENANCE));
    series.record(minuteUs, unnamed, { type: 'drain-started', server: unnamed, deadlineUs: 2 * minuteUs });
    series.record(2 * minuteUs, server, { type: 'server-sessions', server, protocol: Protocol.SIP, open: 0, total: 2 });
    const episodes = series.finish(10 * minuteUs).episodes;
    expect(episodes.map((episode) => [episode.actor, episode.openAtStart, episode.openAtEnd])).toEqual([
      [server, 5, 2],
      [unnamed, 7, 7],
    ]);
    // Slots in seriesProtocols order (HTTP, SIP, EJB, JMS), points in time order.
    expect(episodes[0]!.curve!.open).toEqual([
      [2, 2, 2],
      [3, 0, 0],
      [0, 0, 0],
      [0, 0, 0],
    ]);
    expect(episodes[1]!.curve!.open[3]).toEqual([7, 7]);
  });

  it('counts accepted requests per server lane and window', () => {
    const { series, servers } = recorder(3);
    const accepted = (server: number): SimRecord => ({
      type: 'accepted',
      server,
      protocol: Protocol.HTTP,
      kind: RequestKind.OPEN,
      request: 1,
      session: 0,
      affinityServer: -1,
      state: ServerState.RUNNING,
      mode: MaintenanceMode.UNSPECIFIED,
      workClass: '',
      maintenanceOnly: false,
    });
    series.record(10, servers[2]!, accepted(servers[2]!));
    series.record(minuteUs + 10, servers[0]!, accepted(servers[0]!));
    series.record(minuteUs + 20, servers[2]!, accepted(servers[2]!));
    series.record(minuteUs + 30, 0, accepted(0));
    const lanes = series.finish(10 * minuteUs).requestLanes;
    expect(lanes.map((lane) => Array.from(lane.accepted.subarray(0, 3)))).toEqual([
      [0, 1, 0],
      [0, 0, 0],
      [1, 1, 0],
    ]);
  });

  it('a window shows the most telling state of the server during it', () => {
    const { series, servers } = recorder(2);
    series.record(minuteUs + 10, servers[0]!, state(servers[0]!, ServerState.FAILED));
    series.record(minuteUs + 20, servers[0]!, state(servers[0]!, ServerState.RUNNING));
    const result = series.finish(10 * minuteUs);
    expect(Array.from(result.states.subarray(0, 3))).toEqual([ServerState.RUNNING, ServerState.FAILED, ServerState.RUNNING]);
  });

  it('latency percentiles are per window; dropped sessions per window and by cause', () => {
    const { series } = recorder(2);
    for (let latencyUs = 1; latencyUs <= 100; latencyUs++) {
      series.record(minuteUs, 0, { type: 'request-ended', protocol: Protocol.SIP, request: latencyUs, status: Status.OK, cause: '', latencyUs, attempts: 1, redirects: 0 });
    }
    series.record(5 * minuteUs, 0, { type: 'session-ended', protocol: Protocol.HTTP, session: 1, outcome: 'dropped', cause: 'server-failed' });
    series.record(5 * minuteUs, 0, { type: 'session-ended', protocol: Protocol.HTTP, session: 2, outcome: 'completed', cause: '' });
    const result = series.finish(10 * minuteUs);
    const sip = result.latency.get(Protocol.SIP)!;
    expect([sip.count[1], sip.p50Us[1], sip.p99Us[1], sip.count[2]]).toEqual([100, 50, 99, 0]);
    expect(Array.from(result.droppedPerWindow.get('server-failed')!)).toEqual([0, 0, 0, 0, 0, 1, 0, 0, 0, 0]);
    expect([...result.droppedByCause.get(Protocol.HTTP)!]).toEqual([['server-failed', 1]]);
  });

  it('placement counts running and maintenance members against min and max', () => {
    const { series, servers } = recorder(4);
    const action = (server: number): SimRecord => ({ type: 'placement-action', cluster: 'shop', server, node: 'node1', action: 'start', serverState: ServerState.STARTING, countedInstances: 1, min: 1, max: 3, countedOnNode: 1, verticalLimit: 2 });
    series.record(0, 1, action(servers[0]!));
    series.record(0, 1, action(servers[1]!));
    series.record(2 * minuteUs, servers[1]!, state(servers[1]!, ServerState.MAINTENANCE));
    const [shop] = series.finish(10 * minuteUs).placement;
    expect([shop!.running[0], shop!.running[3], shop!.inMaintenance[3], shop!.min[3], shop!.max[3]]).toEqual([2, 1, 1, 1, 3]);
  });

  it('stays bounded for 10,000 servers each drained twice with thousands of session changes', () => {
    const serverCount = 10_000;
    const { series, servers } = recorder(serverCount, 60 * minuteUs);
    let timeUs = 0;
    for (let round = 0; round < 2; round++) {
      for (const server of servers) {
        series.record(timeUs, server, state(server, ServerState.MAINTENANCE));
        for (let open = 30; open >= 0; open--) series.record((timeUs += 10), server, sessions(server, open));
        series.record((timeUs += 10), server, state(server, ServerState.RUNNING));
      }
    }
    const heavy = servers[0]!;
    series.record(timeUs, heavy, state(heavy, ServerState.MAINTENANCE));
    for (let change = 0; change < 5_000; change++) series.record((timeUs += 100), heavy, sessions(heavy, 5_000 - change));
    const result = series.finish(60 * minuteUs);
    expect(result.episodes.length + result.episodesLeftOut).toBe(2 * serverCount + 1);
    expect(result.episodes.length).toBeLessThanOrEqual(2000);
    expect(result.episodes.filter((episode) => episode.curve !== undefined).length).toBeLessThanOrEqual(48);
    expect(result.requestLanes.length).toBeLessThanOrEqual(100);
    expect(result.annotations.length).toBeLessThanOrEqual(400);
    expect(result.states.length).toBe(serverCount * 10);
  });

  it('keeps the drain curve of a long busy drain to at most 240 points, first and last kept', () => {
    const { series, servers } = recorder(2, 60 * minuteUs);
    const server = servers[0]!;
    series.record(0, server, sessions(server, 10_000));
    series.record(1, server, state(server, ServerState.MAINTENANCE));
    for (let open = 9_999; open >= 0; open--) series.record(10_000 - open + 1, server, sessions(server, open));
    const [episode] = series.finish(60 * minuteUs).episodes;
    const curve = episode!.curve!;
    expect(curve.timesUs.length).toBeLessThanOrEqual(241);
    expect(curve.open[0]![0]).toBe(10_000);
    expect(curve.open[0]!.at(-1)).toBe(0);
    expect(episode!.drainedAtUs).toBe(10_001);
  });

  it('the synthetic run has every kind of data the charts draw', () => {
    const series = syntheticSeries(500);
    expect(series.episodes.map((episode) => episode.end).slice(0, 2)).toEqual(['exited', 'expired']);
    expect(series.annotations.some((annotation) => annotation.kind === 'address')).toBe(true);
    expect(series.placement).toHaveLength(1);
  });
});
