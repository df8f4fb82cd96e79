import { describe, expect, it } from 'vitest';
import { MaintenanceMode, Protocol, RequestKind, ServerState, type LoadReport, type Request } from '../../nodes/messages.js';
import { noServer, ServerPool, ServerViews } from '../../nodes/router/server-views.js';
import { request } from '../helpers/requests.js';

/** A random stream that returns `values` in turn, then 0.5. */
function draws(...values: number[]): () => number {
  return () => values.shift() ?? 0.5;
}

function report(server: number, state: ServerState, fields: Partial<LoadReport> = {}): LoadReport {
  return { server, atUs: 0, state, mode: MaintenanceMode.UNSPECIFIED, inFlight: 0, threads: 10, queued: 0, loadPercent: 0, openSessions: 0, completedInInterval: 0, responseTimeSumUs: 0, errorsInInterval: 0, ...fields };
}

/** Views of servers 0..count-1, running, 10 threads each. */
function views(count: number, state = ServerState.RUNNING): ServerViews {
  return new ServerViews(Array.from({ length: count }, (_, actor) => ({ actor, threads: 10, state })));
}

/** A group of all the servers of `all`. */
function groupOf(all: ServerViews, count: number) {
  return all.group(Array.from({ length: count }, (_, actor) => actor));
}

const open = (fields: Partial<Request> = {}) => request({ kind: RequestKind.OPEN, ...fields });

describe('server views', () => {
  it('a new view has the initial state, no mode, nothing outstanding and its threads as weight', () => {
    const all = new ServerViews([{ actor: 4, threads: 8, state: ServerState.STOPPED }]);
    expect([all.state(4), all.mode(4), all.outstanding(4), all.weight(4)]).toEqual([ServerState.STOPPED, MaintenanceMode.UNSPECIFIED, 0, 8]);
    expect([all.knows(4), all.knows(3), all.knows(5), all.knows(-1)]).toEqual([true, false, false, false]);
  });

  it('the weight is the threads a load report gives (at least 1), whatever load it reports: that is up to an interval old', () => {
    const all = views(2);
    all.apply(report(1, ServerState.RUNNING, { threads: 20, loadPercent: 0 }));
    expect(all.weight(1)).toBe(20);
    all.apply(report(1, ServerState.RUNNING, { threads: 20, loadPercent: 100 }));
    expect(all.weight(1)).toBe(20);
    all.apply(report(1, ServerState.RUNNING, { threads: 0, loadPercent: 100 }));
    expect(all.weight(1)).toBe(1);
    expect(all.weight(0)).toBe(10);
  });

  it('a load report says whether the state or the mode changed', () => {
    const all = views(2);
    expect(all.apply(report(1, ServerState.RUNNING))).toBe(false);
    expect(all.apply(report(1, ServerState.MAINTENANCE, { mode: MaintenanceMode.AFFINITY }))).toBe(true);
    expect([all.state(1), all.mode(1)]).toEqual([ServerState.MAINTENANCE, MaintenanceMode.AFFINITY]);
    expect(all.apply(report(1, ServerState.MAINTENANCE, { mode: MaintenanceMode.AFFINITY }))).toBe(false);
    expect(all.apply(report(1, ServerState.MAINTENANCE, { mode: MaintenanceMode.BREAK }))).toBe(true);
    expect(all.mode(1)).toBe(MaintenanceMode.BREAK);
    expect(all.apply(report(1, ServerState.FAILED, { mode: MaintenanceMode.BREAK }))).toBe(true);
    expect([all.state(1), all.mode(1)]).toEqual([ServerState.FAILED, MaintenanceMode.BREAK]);
    expect([all.state(0), all.mode(0)]).toEqual([ServerState.RUNNING, MaintenanceMode.UNSPECIFIED]);
  });

  it('ignores a report of a server it does not know', () => {
    const all = views(2);
    expect(all.apply(report(7, ServerState.FAILED))).toBe(false);
    expect(all.knows(7)).toBe(false);
  });

  it('counts outstanding requests per server, and forgets them all at once', () => {
    const all = views(3);
    all.addOutstanding(1, 1);
    all.addOutstanding(1, 1);
    all.addOutstanding(2, 1);
    all.addOutstanding(1, -1);
    expect([all.outstanding(0), all.outstanding(1), all.outstanding(2)]).toEqual([0, 1, 1]);
    all.clearOutstanding();
    expect([all.outstanding(0), all.outstanding(1), all.outstanding(2)]).toEqual([0, 0, 0]);
    expect(all.state(1)).toBe(ServerState.RUNNING);
  });

  it('a group is only made of servers it knows', () => {
    expect(() => views(2).group([0, 2])).toThrow(/server 2/);
  });

  it('chooses the server with the least outstanding requests per unit of weight', () => {
    const all = views(3);
    const group = groupOf(all, 3);
    all.addOutstanding(0, 2);
    all.addOutstanding(1, 1);
    all.addOutstanding(2, 3);
    expect(group.choose(open(), ServerPool.running, [], draws(0))).toBe(1);
    // Four times the weight: (3+1)/40 = 0.1 beats (1+1)/10 = 0.2.
    all.apply(report(2, ServerState.RUNNING, { threads: 40 }));
    expect(group.choose(open(), ServerPool.running, [], draws(0))).toBe(2);
  });

  it("estimates a server's requests as the router's own plus the other routers' its last answer counted, decaying toward their mean", () => {
    const all = views(3);
    all.addOutstanding(1, 1);
    expect(all.estimate(1, 0)).toBe(1); // nothing heard: the router's own, exactly
    all.addOutstanding(1, -1);
    all.heard(1, 7, 10_000, 0); // 7 requests of other routers there; a 10 ms response time
    expect(all.estimate(1, 10_000)).toBeCloseTo(7);
    all.addOutstanding(1, 1);
    expect(all.estimate(1, 10_000)).toBeCloseTo(8);
    // The others' mean so far is 7 * 0.01; half a response time later the others' part has decayed by e.
    const mean = 0.07;
    expect(all.estimate(1, 15_000)).toBeCloseTo(1 + mean + (7 - mean) / Math.E);
    expect(all.estimate(1, 1_000_000)).toBeCloseTo(1 + mean);
    // A server never heard from counts the mean of others' too.
    expect(all.estimate(0, 15_000)).toBeCloseTo(mean);
    // The newest answer replaces what was heard; a crash forgets it.
    all.heard(1, 2, 20_000, 10_000);
    expect(all.estimate(1, 20_000)).toBeCloseTo(3);
    all.clearOutstanding();
    expect(all.outstanding(1)).toBe(0);
    expect([all.estimate(0, 20_000), all.estimate(1, 20_000)]).toEqual([0, 0]);
  });

  it("with a router alone the estimate is its own count exactly, so the choice is join-the-shortest-queue", () => {
    const all = views(3);
    const group = groupOf(all, 3);
    all.addOutstanding(0, 2);
    all.addOutstanding(1, 2);
    all.addOutstanding(1, -1);
    all.heard(1, 0, 5_000, 0); // no other router's requests there
    all.addOutstanding(2, 3);
    expect(group.choose(open(), ServerPool.running, [], draws(0), 6_000)).toBe(1);
    expect(all.estimate(1, 6_000)).toBe(1);
  });

  it('shuns a server whose last answer counted many requests of other routers, until that has aged', () => {
    const all = views(2);
    const group = groupOf(all, 2);
    all.addOutstanding(0, 1);
    all.addOutstanding(1, 1);
    all.addOutstanding(1, -1);
    all.heard(1, 30, 10_000, 0);
    expect(group.choose(open(), ServerPool.running, [], draws(0.9), 10_000)).toBe(0);
    expect(group.choose(open(), ServerPool.running, [], draws(0.9), 200_000)).toBe(1);
  });

  it('breaks ties by the scan order, which starts at a random offset', () => {
    const group = groupOf(views(3), 3);
    expect(group.choose(open(), ServerPool.running, [], draws(0))).toBe(0);
    expect(group.choose(open(), ServerPool.running, [], draws(0.5))).toBe(1);
    expect(group.choose(open(), ServerPool.running, [], draws(0.9))).toBe(2);
  });

  it('skips the servers already tried, and answers noServer when every one was', () => {
    const group = groupOf(views(3), 3);
    expect(group.choose(open(), ServerPool.running, [0], draws(0))).toBe(1);
    expect(group.choose(open(), ServerPool.running, [1, 2], draws(0))).toBe(0);
    expect(group.choose(open(), ServerPool.running, [0, 1, 2], draws(0))).toBe(noServer);
  });

  it('chooses among the servers of the pool asked for: running, in maintenance, or both', () => {
    const all = views(4);
    const group = groupOf(all, 4);
    all.apply(report(1, ServerState.MAINTENANCE, { mode: MaintenanceMode.AFFINITY }));
    all.apply(report(2, ServerState.STOPPED));
    all.apply(report(3, ServerState.FAILED));
    const seen = (pool: ServerPool, asked: Request) => new Set([0, 0.3, 0.6, 0.9].map((draw) => group.choose(asked, pool, [], draws(draw))));
    expect(seen(ServerPool.running, open())).toEqual(new Set([0]));
    expect(seen(ServerPool.inMaintenance, open({ maintenanceOnly: true }))).toEqual(new Set([1]));
    expect(seen(ServerPool.available, open({ protocol: Protocol.JMS, kind: RequestKind.MESSAGE }))).toEqual(new Set([0, 1]));
  });

  it('keeps a server in maintenance out of the running pool, even for a message it would take', () => {
    const all = views(3);
    const group = groupOf(all, 3);
    all.apply(report(0, ServerState.MAINTENANCE, { mode: MaintenanceMode.AFFINITY }));
    const message = open({ protocol: Protocol.JMS, kind: RequestKind.MESSAGE });
    // Running: servers 1 and 2, the scan starting at 1; both pools: 0, 1 and 2, starting at 0.
    expect(group.choose(message, ServerPool.running, [], draws(0))).toBe(1);
    expect(group.choose(message, ServerPool.available, [], draws(0))).toBe(0);
  });

  it('the scan offset is drawn over the servers of the pool only', () => {
    const all = views(3);
    const group = groupOf(all, 3);
    all.apply(report(0, ServerState.STOPPED));
    const message = open({ protocol: Protocol.JMS, kind: RequestKind.MESSAGE });
    // Both pools hold servers 1 and 2: a draw of 0.6 starts the scan at the second, 2.
    expect(group.choose(message, ServerPool.available, [], draws(0.6))).toBe(2);
    expect(group.choose(message, ServerPool.running, [], draws(0.6))).toBe(2);
    all.apply(report(1, ServerState.MAINTENANCE, { mode: MaintenanceMode.BREAK }));
    all.apply(report(2, ServerState.MAINTENANCE, { mode: MaintenanceMode.BREAK }));
    expect(group.choose(open({ maintenanceOnly: true }), ServerPool.inMaintenance, [], draws(0.6))).toBe(2);
  });

  it('never chooses a server that would refuse the request, however lightly loaded', () => {
    const all = views(2);
    const group = groupOf(all, 2);
    all.apply(report(1, ServerState.MAINTENANCE, { mode: MaintenanceMode.AFFINITY }));
    all.addOutstanding(0, 50);
    expect(group.choose(open(), ServerPool.available, [], draws(0.9))).toBe(0);
    expect(group.choose(open(), ServerPool.inMaintenance, [], draws(0))).toBe(noServer);
  });

  it('sees a change of state in the next choice, in every group that lists the server', () => {
    const all = views(2);
    const group = groupOf(all, 2);
    const other = all.group([1]);
    expect(group.choose(open(), ServerPool.running, [], draws(0.9))).toBe(1);
    expect(other.choose(open(), ServerPool.running, [], draws(0))).toBe(1);
    all.apply(report(1, ServerState.STOPPED));
    expect(group.choose(open(), ServerPool.running, [], draws(0.9))).toBe(0);
    expect(other.choose(open(), ServerPool.running, [], draws(0))).toBe(noServer);
    all.apply(report(1, ServerState.RUNNING));
    expect(group.choose(open(), ServerPool.running, [], draws(0.9))).toBe(1);
  });

  it('an empty pool has no choice', () => {
    const group = groupOf(views(2, ServerState.STOPPED), 2);
    expect(group.choose(open(), ServerPool.running, [], draws(0))).toBe(noServer);
    expect(views(2).group([]).choose(open(), ServerPool.available, [], draws(0))).toBe(noServer);
  });

  describe('a group larger than 32 servers', () => {
    /** `count` servers with 10 outstanding each, but for server `light` with none. */
    function large(count: number, light: number) {
      const all = views(count);
      for (let actor = 0; actor < count; actor++) if (actor !== light) all.addOutstanding(actor, 10);
      return { group: groupOf(all, count), all };
    }

    it('is scanned in full up to 32 servers', () => {
      const { group } = large(32, 31);
      expect(group.choose(open(), ServerPool.running, [], draws(0, 0, 0, 0, 0))).toBe(31);
    });

    it('beyond that, takes the best of four servers drawn at random', () => {
      const { group, all } = large(40, 39);
      all.addOutstanding(20, -5);
      // Draws 0.1, 0.5, 0.25, 0.75 pick servers 4, 20, 10, 30; the fifth draw would pick 39.
      expect(group.choose(open(), ServerPool.running, [], draws(0.1, 0.5, 0.25, 0.75, 0.99))).toBe(20);
    });

    it('scans them all when none of the four drawn is eligible', () => {
      const { group, all } = large(40, 39);
      all.addOutstanding(36, -7);
      all.addOutstanding(37, -9);
      all.addOutstanding(38, -9);
      // The four draws all pick server 0, already tried; server 39 was tried too. Of 37 and 38, the first scanned wins.
      expect(group.choose(open(), ServerPool.running, [0, 39], draws(0, 0, 0, 0))).toBe(37);
      expect(group.choose(open(), ServerPool.running, group.actors, draws(0, 0, 0, 0))).toBe(noServer);
    });
  });
});
