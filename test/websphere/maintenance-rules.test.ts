import { describe, expect, it } from 'vitest';
import { MaintenanceMode, Protocol, RequestKind, ServerState } from '../../nodes/messages.js';
import { accepted, runWithRecords } from './run-with-records.js';

const sessionProtocols = new Set([Protocol.HTTP, Protocol.SIP]);

describe('maintenance mode rules, over whole runs of the shipped scenarios', () => {
  it('keep affinity: no new HTTP session or SIP dialog reaches node1/app-1, its own sessions still do, nothing is dropped', () => {
    const { summary, records, server } = runWithRecords('scenarios/maintenance-affinity.yaml');
    const inMaintenance = accepted(records).filter((entry) => entry.state === ServerState.MAINTENANCE);
    expect(inMaintenance.filter((entry) => entry.kind === RequestKind.OPEN)).toEqual([]);
    expect(inMaintenance.every((entry) => entry.affinityServer === entry.server && entry.server === server('node1/app-1'))).toBe(true);
    expect(inMaintenance.filter((entry) => entry.protocol === Protocol.SIP).length).toBeGreaterThan(0);
    expect(inMaintenance.filter((entry) => entry.protocol === Protocol.HTTP).length).toBeGreaterThan(0);
    expect(summary.sessions.dropped).toBe(0);
  });

  it('break: HTTP and SIP affinity is broken (sessions dropped by cause), EJB affinity is not, JMS is still routed', () => {
    const { summary, records } = runWithRecords('scenarios/maintenance-break.yaml');
    const inBreak = accepted(records).filter((entry) => entry.state === ServerState.MAINTENANCE && entry.mode === MaintenanceMode.BREAK);
    expect(inBreak.filter((entry) => sessionProtocols.has(entry.protocol))).toEqual([]);
    expect(inBreak.filter((entry) => entry.protocol === Protocol.EJB && entry.kind !== RequestKind.OPEN).length).toBeGreaterThan(0);
    expect(inBreak.filter((entry) => entry.protocol === Protocol.JMS).length).toBeGreaterThan(0);
    expect(summary.protocols.http!.sessions.droppedByCause['affinity-broken']).toBeGreaterThan(0);
    expect(summary.protocols.sip!.sessions.droppedByCause['affinity-broken']).toBeGreaterThan(0);
    expect(summary.protocols.ejb!.sessions.dropped).toBe(0);
    expect(summary.protocols.jms!.sessions.dropped).toBe(0);
  });

  it('break with replicated state: sessions fail over to another server instead of being dropped', () => {
    const { summary, records, server } = runWithRecords('scenarios/maintenance-break-replicated.yaml');
    const failovers = records.flatMap((entry) => (entry.record.type === 'session-failover' ? [entry.record] : []));
    expect(failovers.length).toBeGreaterThan(0);
    expect(failovers.every((failover) => failover.from === server('node1/app-1') && failover.to !== failover.from)).toBe(true);
    expect(summary.sessions.dropped).toBe(0);
  });

  it('stop: the server is stopped and comes back from a start still in maintenance, in break mode', () => {
    const { summary, server } = runWithRecords('scenarios/maintenance-stop.yaml');
    const states = summary.servers['node1/app-1']!.states.map((change) => `${change.atUs / 1e6}s ${change.state}/${change.mode}`);
    expect(states).toEqual(['60s stopped/stop', '120s starting/break', '130s maintenance/break', '180s running/']);
    expect(summary.sessions.droppedByCause['server-stopped']).toBeGreaterThan(0);
    expect(server('node1/app-1')).toBeGreaterThan(0);
  });

  it('the maintenance mode survives a restart: no new session reaches the restarted server until it leaves maintenance', () => {
    const { summary, records, server } = runWithRecords('scenarios/maintenance-restart.yaml');
    const target = server('node1/app-1');
    const states = summary.servers['node1/app-1']!.states.map((change) => `${change.state}/${change.mode}`);
    expect(states).toEqual(['maintenance/affinity', 'stopped/affinity', 'starting/affinity', 'maintenance/affinity', 'running/']);
    const opened = accepted(records).filter((entry) => entry.server === target && entry.kind === RequestKind.OPEN);
    expect(opened.filter((entry) => entry.atUs >= 30e6 && entry.atUs < 150e6)).toEqual([]);
    expect(opened.filter((entry) => entry.atUs >= 150e6).length).toBeGreaterThan(0);
  });

  it('node maintenance puts every server of the node into maintenance', () => {
    const { summary, records, result } = runWithRecords('scenarios/maintenance-node.yaml');
    const node2 = result.topology.nodeServers.get('node2')!;
    for (const actor of node2) expect(summary.servers[result.topology.actorNames[actor]!]!.states[0]).toEqual({ atUs: 60e6, state: 'maintenance', mode: 'affinity' });
    const opened = accepted(records).filter((entry) => node2.includes(entry.server) && entry.kind === RequestKind.OPEN && entry.atUs > 61e6 && entry.atUs < 180e6);
    expect(opened).toEqual([]);
    expect(summary.sessions.dropped).toBe(0);
  });

  it('ODR maintenance (server and node level) loses nothing', () => {
    const { summary } = runWithRecords('scenarios/maintenance-odr.yaml');
    expect(Object.keys(summary.routers).sort()).toEqual(['odr1', 'odr2']);
    expect(summary.routers.odr2!.states[0]).toEqual({ atUs: 120e6, state: 'maintenance', mode: 'affinity' });
    expect(summary.sessions.dropped + summary.sessions.rejected).toBe(0);
  });

  it('permitMM / permitstickyMM route only to servers in maintenance; reject and redirect classes answer at the router', () => {
    const { summary, records } = runWithRecords('scenarios/work-classes.yaml');
    const admin = accepted(records).filter((entry) => entry.workClass === 'admin');
    expect(admin.length).toBeGreaterThan(0);
    expect(admin.every((entry) => entry.maintenanceOnly && entry.state === ServerState.MAINTENANCE)).toBe(true);
    expect(accepted(records).filter((entry) => entry.workClass === 'blocked')).toEqual([]);
    const http = summary.protocols.http!;
    expect(http.requests.routedToMaintenanceByWorkClass.admin).toBeGreaterThan(0);
    expect(http.sessions.rejectedByCause['work-class-reject']).toBeGreaterThan(0);
    expect(http.sessions.rejectedByCause['no-server-in-maintenance']).toBeGreaterThan(0);
    expect(http.routedAwayByCause['work-class-redirect']).toBeGreaterThan(0);
    // Redirected sessions continue at the new URI, in the shop class.
    expect(http.sessions.rejectedByCause['work-class-redirect']).toBeUndefined();
  });

  it('with no eligible server, new sessions are rejected with cause no-eligible-server and open ones finish', () => {
    const { summary } = runWithRecords('scenarios/no-eligible-server.yaml');
    expect(summary.protocols.http!.sessions.rejectedByCause['no-eligible-server']).toBeGreaterThan(0);
    expect(summary.sessions.dropped).toBe(0);
  });

  it('stale load reports: a server in maintenance refuses new sessions and the router retries them elsewhere', () => {
    const { summary, records } = runWithRecords('scenarios/stale-load-reports.yaml');
    const refusedForMaintenance = records.filter((entry) => entry.record.type === 'refused' && entry.record.cause === 'maintenance');
    expect(refusedForMaintenance.length).toBeGreaterThan(0);
    expect(summary.sessions.rejected + summary.sessions.dropped).toBe(0);
  });

  it('a health policy puts a slow server into maintenance and takes it out when it is healthy again', () => {
    const { summary } = runWithRecords('scenarios/health-policy.yaml');
    const actions = summary.health.filter((action) => action.policy === 'slow-response');
    expect(actions[0]).toMatchObject({ server: 'node1/app-1', action: 'enter', supervised: false });
    expect(actions[0]!.atUs).toBeGreaterThanOrEqual(80e6); // slowed at 60s, and the condition must hold 20s
    expect(actions[1]).toMatchObject({ server: 'node1/app-1', action: 'exit' });
    expect(actions[1]!.atUs).toBeGreaterThan(150e6); // fast again at 150s: not taken out while still slow
    expect(actions).toHaveLength(2);
    expect(summary.servers['node1/app-1']!.states.slice(0, 2).map((change) => change.state)).toEqual(['maintenance', 'running']);
    expect(actions.every((action) => action.server === 'node1/app-1')).toBe(true);
  });

  it('placement: servers in maintenance do not count toward min, and reduce the vertical limit of their node', () => {
    const { summary, records, server } = runWithRecords('scenarios/placement.yaml');
    const starts = summary.placement.filter((action) => action.action === 'start');
    // node1 in maintenance at 30s: 2 counted instances < min 3, so one is started elsewhere.
    expect(starts[0]).toMatchObject({ countedInstances: 2, min: 3 });
    expect(starts[0]!.node).not.toBe('node1');
    // node2/shop-1 in maintenance at 60s: node2's limit is 2 - 1 = 1 and it already runs one, so node3 gets it.
    expect(starts[1]).toMatchObject({ node: 'node3', countedInstances: 2 });
    const inMaintenance = new Set([server('node1/shop-1'), server('node1/shop-2'), server('node2/shop-1')]);
    const placementActions = records.filter((entry) => entry.record.type === 'placement-action');
    expect(placementActions.filter((entry) => entry.record.type === 'placement-action' && inMaintenance.has(entry.record.server))).toEqual([]);
    expect(summary.sessions.dropped).toBe(0);
  });

  it('arrival processes: stepped and linear rates and a burst give the expected counts', () => {
    const { summary } = runWithRecords('scenarios/arrivals.yaml');
    // 10/s x 60 s + 40/s x 60 s + 10/s x 60 s + 200/s x 5 s = 4600; linear 0 → 6/s over 180 s = 540.
    expect(Math.abs(summary.protocols.http!.sessions.started - 4600)).toBeLessThan(4 * Math.sqrt(4600));
    expect(Math.abs(summary.protocols.sip!.sessions.started - 540)).toBeLessThan(4 * Math.sqrt(540));
  });
});
