import { describe, expect, it } from 'vitest';
import { MaintenanceMode, Protocol, RequestKind, ServerState } from '../../gen/clustersim/v1/cluster.js';
import { AffinityChecker } from '../../sim/checkers/affinity.js';
import { CheckerSet } from '../../sim/checkers/checker-set.js';
import type { SimRecord } from '../../sim/metrics/records.js';
import { accepted, check, client, maintenance, refused, rulesBroken, s1, s2, sessionEnded, state, type Entry } from './stream.js';

const run = (entries: Entry[]) => check(new AffinityChecker(), entries);
const inSession = (protocol = Protocol.HTTP) => ({ protocol, kind: RequestKind.IN_SESSION, affinityServer: s1, request: 9, session: 3 });

describe('affinity through maintenance', () => {
  it('keep-affinity: an existing session stays on its server', () => {
    expect(run([[1, s1, maintenance(s1)], [2, s1, accepted(s1, inSession())]]).violationCount).toBe(0);
    const moved = run([[1, s1, maintenance(s1)], [2, s2, accepted(s2, inSession())]]);
    expect(moved.violations).toEqual([
      {
        timeUs: 2,
        rule: 'keep-affinity',
        actor: 'node1/shop-2',
        detail: 'http request of a session with affinity to node1/shop-1 (in maintenance) accepted here instead',
        session: 3,
        request: 9,
      },
    ]);
    expect(rulesBroken(run([[1, s1, maintenance(s1)], [2, s2, accepted(s2, { ...inSession(), kind: RequestKind.CLOSE })]]))).toEqual(['keep-affinity']);
    // Refused by its server for a full queue, a replicated session's request fails over: capacity, not maintenance.
    expect(run([[1, s1, maintenance(s1)], [2, s1, refused(s1, 'queue-full', { request: 9, session: 3 })], [3, s2, accepted(s2, inSession())]]).violationCount).toBe(0);
    expect(rulesBroken(run([[1, s1, maintenance(s1)], [2, s1, refused(s1, 'queue-full', { request: 8, session: 3 })], [3, s2, accepted(s2, inSession())]]))).toEqual(['keep-affinity']);
  });

  it('keep-affinity: refusing an existing session is a violation, unless the queue is full', () => {
    const held: Entry = [0, s1, accepted(s1, { session: 1 })];
    expect(rulesBroken(run([held, [1, s1, maintenance(s1)], [2, s1, refused(s1, 'maintenance')]]))).toEqual(['keep-affinity']);
    expect(run([held, [1, s1, maintenance(s1)], [2, s1, refused(s1, 'queue-full')]]).violationCount).toBe(0);
    expect(run([held, [1, s1, maintenance(s1)], [2, s1, refused(s1, 'maintenance', { kind: RequestKind.OPEN })]]).violationCount).toBe(0);
    // A session another server holds (its own restarted and lost it) is new work here: refusing it is the rule.
    expect(run([[0, s2, accepted(s2, { session: 1 })], [1, s1, maintenance(s1)], [2, s1, refused(s1, 'maintenance')]]).violationCount).toBe(0);
  });

  it('break-affinity maintenance lets HTTP sessions move; running servers are not guarded', () => {
    expect(run([[1, s1, maintenance(s1, MaintenanceMode.BREAK)], [2, s2, accepted(s2, inSession())], [3, s1, refused(s1, 'affinity-broken')]]).violationCount).toBe(0);
    expect(run([[2, s2, accepted(s2, inSession())], [3, s1, refused(s1, 'anything')]]).violationCount).toBe(0);
    expect(run([[1, s1, maintenance(s1)], [2, s1, state(s1, ServerState.RUNNING)], [3, s2, accepted(s2, inSession())]]).violationCount).toBe(0);
  });

  it('EJB affinity is never broken by maintenance, in either mode', () => {
    for (const mode of [MaintenanceMode.AFFINITY, MaintenanceMode.BREAK]) {
      expect(rulesBroken(run([[1, s1, maintenance(s1, mode)], [2, s2, accepted(s2, inSession(Protocol.EJB))]]))).toEqual(['ejb-affinity']);
      expect(rulesBroken(run([[0, s1, accepted(s1, { session: 1, protocol: Protocol.EJB })], [1, s1, maintenance(s1, mode)], [2, s1, refused(s1, 'affinity-broken', { protocol: Protocol.EJB })]]))).toEqual(['ejb-affinity']);
      expect(run([[1, s1, maintenance(s1, mode)], [2, s1, accepted(s1, inSession(Protocol.EJB))]]).violationCount).toBe(0);
    }
  });

  it('a session dropped while its server is in keep-affinity maintenance is a violation, whoever dropped it', () => {
    const held: Entry[] = [[1, s1, accepted(s1, { session: 3, request: 1 })], [2, s1, maintenance(s1)]];
    const dropped = run([...held, [3, client, sessionEnded(3, 'dropped', 'maintenance')]]);
    expect(dropped.violations).toEqual([
      { timeUs: 3, rule: 'keep-affinity', actor: 'node1/shop-1', detail: 'http session held here dropped (maintenance) while in maintenance that must keep it', session: 3 },
    ]);
    expect(run([...held, [3, client, sessionEnded(3, 'dropped', 'queue-full')]]).violationCount).toBe(0);
    expect(run([...held, [3, client, sessionEnded(3, 'completed')]]).violationCount).toBe(0);
    expect(run([[1, s1, accepted(s1, { session: 3 })], [2, s1, maintenance(s1, MaintenanceMode.BREAK)], [3, client, sessionEnded(3, 'dropped', 'affinity-broken')]]).violationCount).toBe(0);
    const ejb = run([[1, s1, accepted(s1, { session: 3, protocol: Protocol.EJB })], [2, s1, maintenance(s1, MaintenanceMode.BREAK)], [3, client, sessionEnded(3, 'dropped', 'affinity-broken', Protocol.EJB)]]);
    expect(rulesBroken(ejb)).toEqual(['ejb-affinity']);
    // Given up when a break-mode maintenance began, then met by a keep-affinity one: the break dropped it.
    const broken: Entry[] = [[1, s1, accepted(s1, { session: 3 })], [2, s1, maintenance(s1, MaintenanceMode.BREAK)], [3, s1, maintenance(s1)]];
    expect(run([...broken, [4, client, sessionEnded(3, 'dropped', 'session-lost')]]).violationCount).toBe(0);
    // Lost to the routing tier, or timed out past a crash: not the maintenance's doing.
    expect(run([...held, [3, client, sessionEnded(3, 'dropped', 'no-router-available')]]).violationCount).toBe(0);
    expect(run([...held, [3, client, sessionEnded(3, 'dropped', 'router-stopped')]]).violationCount).toBe(0);
    const crashed: Entry = [2, 0, { type: 'fault', kind: 'crash', target: 'odr1', detail: '' }];
    expect(run([...held, crashed, [3, client, sessionEnded(3, 'dropped', 'timeout')]]).violationCount).toBe(0);
    expect(rulesBroken(run([...held, [3, client, sessionEnded(3, 'dropped', 'timeout')]]))).toEqual(['keep-affinity']);
    // The answer to its last request was lost with a crashed ODR: the retry finds the session
    // already ended on its server (session-lost). The crash lost it, not the maintenance.
    expect(run([...held, crashed, [3, client, sessionEnded(3, 'dropped', 'session-lost')]]).violationCount).toBe(0);
    expect(rulesBroken(run([...held, [3, client, sessionEnded(3, 'dropped', 'session-lost')]]))).toEqual(['keep-affinity']);
  });

  it('a request that opens a session, or a message, is bound by no affinity', () => {
    for (const kind of [RequestKind.OPEN, RequestKind.MESSAGE]) {
      expect(run([[1, s1, maintenance(s1)], [2, s2, accepted(s2, { ...inSession(), kind })]]).violationCount).toBe(0);
      expect(run([[1, s1, maintenance(s1)], [2, s2, accepted(s2, { ...inSession(Protocol.EJB), kind })]]).violationCount).toBe(0);
    }
  });

  it('EJB requests may move off a server that is not in maintenance', () => {
    expect(run([[2, s2, accepted(s2, inSession(Protocol.EJB))], [3, s1, refused(s1, 'server-unavailable', { protocol: Protocol.EJB })]]).violationCount).toBe(0);
  });

  it('the affinity of a session to the first server is guarded like any other', () => {
    const set = new CheckerSet({ actorNames: ['node1/app-0', 'node1/app-1'], checkers: [new AffinityChecker()] });
    const feed: [number, number, SimRecord][] = [
      [1, 0, maintenance(0)],
      [2, 1, accepted(1, { kind: RequestKind.IN_SESSION, affinityServer: 0, session: 5, request: 6 })],
    ];
    for (const [timeUs, actor, record] of feed) set.record(timeUs, actor, record);
    expect(set.finish(10).violations).toEqual([
      { timeUs: 2, rule: 'keep-affinity', actor: 'node1/app-1', detail: 'http request of a session with affinity to node1/app-0 (in maintenance) accepted here instead', session: 5, request: 6 },
    ]);
  });

  it('a refusal by a server in keep-affinity maintenance names the request, its session and the cause', () => {
    expect(run([[0, s1, accepted(s1, { session: 4, protocol: Protocol.SIP })], [1, s1, maintenance(s1)], [2, s1, refused(s1, 'maintenance', { protocol: Protocol.SIP, kind: RequestKind.CLOSE, request: 8, session: 4 })]]).violations).toEqual([
      { timeUs: 2, rule: 'keep-affinity', actor: 'node1/shop-1', detail: 'sip request refused (maintenance) by a server in maintenance that must still take it', session: 4, request: 8 },
    ]);
    expect(run([[1, s1, maintenance(s1)], [2, s1, refused(s1, 'maintenance', { kind: RequestKind.MESSAGE })]]).violationCount).toBe(0);
  });

  it('a session is held by the server that last took one of its requests', () => {
    const moved: Entry[] = [[1, s1, accepted(s1, { session: 3, request: 1 })], [2, s2, accepted(s2, { session: 3, request: 2, kind: RequestKind.IN_SESSION })], [3, s1, maintenance(s1)]];
    expect(run([...moved, [4, client, sessionEnded(3, 'dropped', 'maintenance')]]).violationCount).toBe(0);
    const back: Entry[] = [[1, s2, accepted(s2, { session: 3, request: 1 })], [2, s1, accepted(s1, { session: 3, request: 2, kind: RequestKind.IN_SESSION })], [3, s1, maintenance(s1)]];
    expect(rulesBroken(run([...back, [4, client, sessionEnded(3, 'dropped', 'maintenance')]]))).toEqual(['keep-affinity']);
  });

  it('a session that has ended is held by no server any more', () => {
    const ended: Entry[] = [[1, s1, accepted(s1, { session: 3, request: 1 })], [2, client, sessionEnded(3, 'completed')], [3, s1, maintenance(s1)]];
    expect(run([...ended, [4, client, sessionEnded(3, 'dropped', 'maintenance')]]).violationCount).toBe(0);
  });

  it('requests outside any session hold no session', () => {
    const jms: Entry[] = [[1, s1, accepted(s1, { protocol: Protocol.JMS, kind: RequestKind.MESSAGE, session: 0 })], [2, s1, maintenance(s1)]];
    expect(run([...jms, [3, client, sessionEnded(0, 'dropped', 'maintenance')]]).violationCount).toBe(0);
  });

  it('a dropped SIP dialog held by a server in keep-affinity maintenance names its protocol', () => {
    const held: Entry[] = [[1, s1, accepted(s1, { session: 3, protocol: Protocol.SIP })], [2, s1, maintenance(s1)]];
    expect(run([...held, [3, client, sessionEnded(3, 'dropped', 'maintenance', Protocol.SIP)]]).violations).toEqual([
      { timeUs: 3, rule: 'keep-affinity', actor: 'node1/shop-1', detail: 'sip session held here dropped (maintenance) while in maintenance that must keep it', session: 3 },
    ]);
  });

  it('a session lost when its server crashed is no affinity violation, even once the server is back in the same maintenance', () => {
    const crashed: Entry[] = [
      [1, s1, accepted(s1, { session: 3, request: 1 })],
      [2, s1, maintenance(s1)],
      [3, s1, state(s1, ServerState.FAILED, MaintenanceMode.AFFINITY)],
      [4, s1, maintenance(s1)],
    ];
    expect(run([...crashed, [5, client, sessionEnded(3, 'dropped', 'session-lost')]]).violationCount).toBe(0);
    expect(run([...crashed, [5, s2, accepted(s2, { ...inSession(), session: 3, request: 2 })]]).violationCount).toBe(0);
    const ejb: Entry[] = [[1, s1, accepted(s1, { session: 3, protocol: Protocol.EJB })], [2, s1, maintenance(s1, MaintenanceMode.BREAK)], [3, s1, state(s1, ServerState.STOPPED, MaintenanceMode.BREAK)], [4, s1, maintenance(s1, MaintenanceMode.BREAK)]];
    expect(run([...ejb, [5, client, sessionEnded(3, 'dropped', 'session-lost', Protocol.EJB)]]).violationCount).toBe(0);
  });

  it('a session taken after the server came back is guarded again', () => {
    const back: Entry[] = [
      [1, s1, accepted(s1, { session: 3, request: 1 })],
      [2, s1, state(s1, ServerState.FAILED)],
      [3, s1, state(s1, ServerState.RUNNING)],
      [4, s1, accepted(s1, { session: 3, request: 2, kind: RequestKind.IN_SESSION })],
      [5, s1, maintenance(s1)],
    ];
    expect(rulesBroken(run([...back, [6, client, sessionEnded(3, 'dropped', 'maintenance')]]))).toEqual(['keep-affinity']);
    expect(rulesBroken(run([...back, [6, s2, accepted(s2, { ...inSession(), session: 3, request: 3 })]]))).toEqual(['keep-affinity']);
  });
});
