import { describe, expect, it } from 'vitest';
import { MaintenanceMode, Protocol, RequestKind, ServerState, Status } from '../../gen/clustersim/v1/cluster.js';
import { Collector } from '../../sim/metrics/collector.js';
import type { SimRecord } from '../../sim/metrics/records.js';

// Two servers, listed in the opposite order of their actor indices, among other actors.
const actorNames = ['clients', 'node1/app-1', 'router', 'node1/app-2'];
const [app1, app2] = [1, 3];

function accepted(server: number, request: number, state = ServerState.RUNNING): SimRecord {
  return {
    type: 'accepted',
    server,
    protocol: Protocol.HTTP,
    kind: RequestKind.IN_SESSION,
    request,
    session: 1,
    affinityServer: -1,
    state,
    mode: MaintenanceMode.UNSPECIFIED,
    workClass: '',
    maintenanceOnly: false,
  };
}

function sessions(server: number, total: number): SimRecord {
  return { type: 'server-sessions', server, protocol: Protocol.HTTP, open: total, total };
}

describe('Collector', () => {
  it("folds each server's requests, sessions and queue waits, in the order the servers are given", () => {
    const collector = new Collector({ actorNames, servers: [app2, app1], sampleEveryUs: 100 });
    const stream: [number, number, SimRecord][] = [
      [10, app1, accepted(app1, 1)],
      [10, app1, { type: 'queue-wait', server: app1, waitUs: 30 }],
      [20, app1, sessions(app1, 2)],
      [30, app1, sessions(app1, 1)],
      [40, app2, accepted(app2, 2, ServerState.MAINTENANCE)],
      [50, app1, accepted(app1, 3)],
      [50, app1, { type: 'queue-wait', server: app1, waitUs: 45 }],
      [60, app2, sessions(app2, 4)],
      // Still queued at the end: no wait of its own in the mean.
      [65, app1, accepted(app1, 5)],
      // A record of an actor that is not a listed server counts for nobody.
      [70, 0, accepted(0, 4)],
      [80, app1, { type: 'server-state', server: app1, state: ServerState.MAINTENANCE, mode: MaintenanceMode.AFFINITY }],
      [90, 0, { type: 'request-ended', protocol: Protocol.HTTP, request: 1, status: Status.OK, cause: '', latencyUs: 500, attempts: 1, redirects: 0 }],
    ];
    for (const [timeUs, actor, record] of stream) collector.record(timeUs, actor, record);
    const figures = collector.finish(100);
    expect(figures.servers).toEqual([
      { name: 'node1/app-2', requests: 1, openSessions: 4, peakSessions: 4, meanQueueWaitUs: 0, states: [] },
      { name: 'node1/app-1', requests: 3, openSessions: 1, peakSessions: 2, meanQueueWaitUs: 37.5, states: [{ atUs: 80, state: 'maintenance', mode: 'affinity' }] },
    ]);
    const http = figures.protocols.get(Protocol.HTTP)!;
    expect([http.requests, http.requestsOk, http.latency.count]).toEqual([1, 1, 1]);
    expect([...http.routedToMaintenance]).toEqual([['default', 1]]);
    expect(figures.series.maintenance.get('node1/app-1')).toEqual([{ startUs: 80, endUs: 100, mode: 'affinity' }]);
  });

  it('samples open sessions as they stood just before each multiple of the period', () => {
    const collector = new Collector({ actorNames, servers: [app1, app2], sampleEveryUs: 100 });
    collector.record(0, app1, sessions(app1, 1));
    collector.record(100, app1, sessions(app1, 3));
    collector.record(150, app2, sessions(app2, 2));
    collector.record(350, app1, sessions(app1, 0));
    const series = collector.finish(400).series;
    expect(series.timesUs).toEqual([0, 100, 200, 300, 400]);
    expect([...series.openSessions]).toEqual([
      ['node1/app-1', [0, 1, 3, 3, 0]],
      ['node1/app-2', [0, 0, 2, 2, 2]],
    ]);
  });
});
