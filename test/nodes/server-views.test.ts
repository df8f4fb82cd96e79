import { describe, expect, it } from 'vitest';
import { MaintenanceMode, Protocol, RequestKind, ServerState, type LoadReport, type Request } from '../../nodes/messages.js';
import { applyLoadReport, newServerView, ServerGroup, ServerPool, type ServerView } from '../../nodes/router/server-views.js';
import { request } from '../helpers/requests.js';

/** A random stream that returns `values` in turn, then 0.5. */
function draws(...values: number[]): () => number {
  return () => values.shift() ?? 0.5;
}

function report(server: number, state: ServerState, fields: Partial<LoadReport> = {}): LoadReport {
  return { server, atUs: 0, state, mode: MaintenanceMode.UNSPECIFIED, inFlight: 0, threads: 10, queued: 0, loadPercent: 0, openSessions: 0, completedInInterval: 0, responseTimeSumUs: 0, errorsInInterval: 0, ...fields };
}

/** Views of servers 0..count-1, running, 10 threads each. */
function views(count: number, state = ServerState.RUNNING): ServerView[] {
  return Array.from({ length: count }, (_, actor) => newServerView(actor, state, 10));
}

const open = (fields: Partial<Request> = {}) => request({ kind: RequestKind.OPEN, ...fields });

describe('server views', () => {
  it('a new view has the initial state, no mode, nothing outstanding and its threads as weight', () => {
    expect(newServerView(4, ServerState.STOPPED, 8)).toEqual({ actor: 4, state: ServerState.STOPPED, mode: MaintenanceMode.UNSPECIFIED, outstanding: 0, weight: 8, groups: [] });
  });

  it('a load report sets the weight to the threads scaled by the headroom, at least 0.1', () => {
    const view = newServerView(1, ServerState.RUNNING, 10);
    applyLoadReport(view, report(1, ServerState.RUNNING, { threads: 20, loadPercent: 0 }));
    expect(view.weight).toBeCloseTo(20);
    applyLoadReport(view, report(1, ServerState.RUNNING, { threads: 20, loadPercent: 55 }));
    expect(view.weight).toBeCloseTo(10);
    applyLoadReport(view, report(1, ServerState.RUNNING, { threads: 11, loadPercent: 100 }));
    expect(view.weight).toBeCloseTo(1);
    applyLoadReport(view, report(1, ServerState.RUNNING, { threads: 0, loadPercent: 100 }));
    expect(view.weight).toBe(0.1);
  });

  it('a load report says whether the state or the mode changed', () => {
    const view = newServerView(1, ServerState.RUNNING, 10);
    expect(applyLoadReport(view, report(1, ServerState.RUNNING))).toBe(false);
    expect(applyLoadReport(view, report(1, ServerState.MAINTENANCE, { mode: MaintenanceMode.AFFINITY }))).toBe(true);
    expect([view.state, view.mode]).toEqual([ServerState.MAINTENANCE, MaintenanceMode.AFFINITY]);
    expect(applyLoadReport(view, report(1, ServerState.MAINTENANCE, { mode: MaintenanceMode.AFFINITY }))).toBe(false);
    expect(applyLoadReport(view, report(1, ServerState.MAINTENANCE, { mode: MaintenanceMode.BREAK }))).toBe(true);
    expect(view.mode).toBe(MaintenanceMode.BREAK);
    expect(applyLoadReport(view, report(1, ServerState.FAILED, { mode: MaintenanceMode.BREAK }))).toBe(true);
    expect([view.state, view.mode]).toEqual([ServerState.FAILED, MaintenanceMode.BREAK]);
  });

  it('chooses the server with the least outstanding requests per unit of weight', () => {
    const all = views(3);
    const group = new ServerGroup(all);
    all[0]!.outstanding = 2;
    all[1]!.outstanding = 1;
    all[2]!.outstanding = 3;
    expect(group.choose(open(), ServerPool.running, [], draws(0))?.actor).toBe(1);
    // Four times the weight: (3+1)/40 = 0.1 beats (1+1)/10 = 0.2.
    applyLoadReport(all[2]!, report(2, ServerState.RUNNING, { threads: 40 }));
    expect(group.choose(open(), ServerPool.running, [], draws(0))?.actor).toBe(2);
  });

  it('breaks ties by the scan order, which starts at a random offset', () => {
    const group = new ServerGroup(views(3));
    expect(group.choose(open(), ServerPool.running, [], draws(0))?.actor).toBe(0);
    expect(group.choose(open(), ServerPool.running, [], draws(0.5))?.actor).toBe(1);
    expect(group.choose(open(), ServerPool.running, [], draws(0.9))?.actor).toBe(2);
  });

  it('skips the servers already tried, and answers undefined when every one was', () => {
    const group = new ServerGroup(views(3));
    expect(group.choose(open(), ServerPool.running, [0], draws(0))?.actor).toBe(1);
    expect(group.choose(open(), ServerPool.running, [1, 2], draws(0))?.actor).toBe(0);
    expect(group.choose(open(), ServerPool.running, [0, 1, 2], draws(0))).toBeUndefined();
  });

  it('chooses among the servers of the pool asked for: running, in maintenance, or both', () => {
    const all = views(4);
    const group = new ServerGroup(all);
    applyLoadReport(all[1]!, report(1, ServerState.MAINTENANCE, { mode: MaintenanceMode.AFFINITY }));
    applyLoadReport(all[2]!, report(2, ServerState.STOPPED));
    applyLoadReport(all[3]!, report(3, ServerState.FAILED));
    const seen = (pool: ServerPool, asked: Request) => new Set([0, 0.3, 0.6, 0.9].map((draw) => group.choose(asked, pool, [], draws(draw))?.actor));
    expect(seen(ServerPool.running, open())).toEqual(new Set([0]));
    expect(seen(ServerPool.inMaintenance, open({ maintenanceOnly: true }))).toEqual(new Set([1]));
    expect(seen(ServerPool.available, open({ protocol: Protocol.JMS, kind: RequestKind.MESSAGE }))).toEqual(new Set([0, 1]));
  });

  it('keeps a server in maintenance out of the running pool, even for a message it would take', () => {
    const all = views(3);
    const group = new ServerGroup(all);
    applyLoadReport(all[0]!, report(0, ServerState.MAINTENANCE, { mode: MaintenanceMode.AFFINITY }));
    const message = open({ protocol: Protocol.JMS, kind: RequestKind.MESSAGE });
    // Running: servers 1 and 2, the scan starting at 1; both pools: 0, 1 and 2, starting at 0.
    expect(group.choose(message, ServerPool.running, [], draws(0))?.actor).toBe(1);
    expect(group.choose(message, ServerPool.available, [], draws(0))?.actor).toBe(0);
  });

  it('the scan offset is drawn over the servers of the pool only', () => {
    const all = views(3);
    const group = new ServerGroup(all);
    applyLoadReport(all[0]!, report(0, ServerState.STOPPED));
    const message = open({ protocol: Protocol.JMS, kind: RequestKind.MESSAGE });
    // Both pools hold servers 1 and 2: a draw of 0.6 starts the scan at the second, 2.
    expect(group.choose(message, ServerPool.available, [], draws(0.6))?.actor).toBe(2);
    expect(group.choose(message, ServerPool.running, [], draws(0.6))?.actor).toBe(2);
    applyLoadReport(all[1]!, report(1, ServerState.MAINTENANCE, { mode: MaintenanceMode.BREAK }));
    applyLoadReport(all[2]!, report(2, ServerState.MAINTENANCE, { mode: MaintenanceMode.BREAK }));
    expect(group.choose(open({ maintenanceOnly: true }), ServerPool.inMaintenance, [], draws(0.6))?.actor).toBe(2);
  });

  it('never chooses a server that would refuse the request, however lightly loaded', () => {
    const all = views(2);
    const group = new ServerGroup(all);
    applyLoadReport(all[1]!, report(1, ServerState.MAINTENANCE, { mode: MaintenanceMode.AFFINITY }));
    all[0]!.outstanding = 50;
    expect(group.choose(open(), ServerPool.available, [], draws(0.9))?.actor).toBe(0);
    expect(group.choose(open(), ServerPool.inMaintenance, [], draws(0))).toBeUndefined();
  });

  it('sees a change of state in the next choice', () => {
    const all = views(2);
    const group = new ServerGroup(all);
    expect(group.choose(open(), ServerPool.running, [], draws(0.9))?.actor).toBe(1);
    applyLoadReport(all[1]!, report(1, ServerState.STOPPED));
    expect(group.choose(open(), ServerPool.running, [], draws(0.9))?.actor).toBe(0);
    applyLoadReport(all[1]!, report(1, ServerState.RUNNING));
    expect(group.choose(open(), ServerPool.running, [], draws(0.9))?.actor).toBe(1);
  });

  it('an empty pool has no choice', () => {
    const group = new ServerGroup(views(2, ServerState.STOPPED));
    expect(group.choose(open(), ServerPool.running, [], draws(0))).toBeUndefined();
    expect(new ServerGroup([]).choose(open(), ServerPool.available, [], draws(0))).toBeUndefined();
  });

  describe('a group larger than 32 servers', () => {
    /** `count` servers with 10 outstanding each, but for server `light` with none. */
    function large(count: number, light: number): { group: ServerGroup; all: ServerView[] } {
      const all = views(count);
      for (const view of all) view.outstanding = view.actor === light ? 0 : 10;
      return { group: new ServerGroup(all), all };
    }

    it('is scanned in full up to 32 servers', () => {
      const { group } = large(32, 31);
      expect(group.choose(open(), ServerPool.running, [], draws(0, 0, 0, 0, 0))?.actor).toBe(31);
    });

    it('beyond that, takes the best of four servers drawn at random', () => {
      const { group, all } = large(40, 39);
      all[20]!.outstanding = 5;
      // Draws 0.1, 0.5, 0.25, 0.75 pick servers 4, 20, 10, 30; the fifth draw would pick 39.
      expect(group.choose(open(), ServerPool.running, [], draws(0.1, 0.5, 0.25, 0.75, 0.99))?.actor).toBe(20);
    });

    it('scans them all when none of the four drawn is eligible', () => {
      const { group, all } = large(40, 39);
      all[36]!.outstanding = 3;
      all[37]!.outstanding = 1;
      all[38]!.outstanding = 1;
      // The four draws all pick server 0, already tried; server 39 was tried too. Of 37 and 38, the first scanned wins.
      expect(group.choose(open(), ServerPool.running, [0, 39], draws(0, 0, 0, 0))?.actor).toBe(37);
      expect(group.choose(open(), ServerPool.running, all.map((view) => view.actor), draws(0, 0, 0, 0))).toBeUndefined();
    });
  });
});
