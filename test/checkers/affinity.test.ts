import { describe, expect, it } from 'vitest';
import { MaintenanceMode, Protocol, RequestKind, ServerState } from '../../gen/clustersim/v1/cluster.js';
import { AffinityChecker } from '../../sim/checkers/affinity.js';
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
  });

  it('keep-affinity: refusing an existing session is a violation, unless the queue is full', () => {
    expect(rulesBroken(run([[1, s1, maintenance(s1)], [2, s1, refused(s1, 'maintenance')]]))).toEqual(['keep-affinity']);
    expect(run([[1, s1, maintenance(s1)], [2, s1, refused(s1, 'queue-full')]]).violationCount).toBe(0);
    expect(run([[1, s1, maintenance(s1)], [2, s1, refused(s1, 'maintenance', { kind: RequestKind.OPEN })]]).violationCount).toBe(0);
  });

  it('break-affinity maintenance lets HTTP sessions move; running servers are not guarded', () => {
    expect(run([[1, s1, maintenance(s1, MaintenanceMode.BREAK)], [2, s2, accepted(s2, inSession())], [3, s1, refused(s1, 'affinity-broken')]]).violationCount).toBe(0);
    expect(run([[2, s2, accepted(s2, inSession())], [3, s1, refused(s1, 'anything')]]).violationCount).toBe(0);
    expect(run([[1, s1, maintenance(s1)], [2, s1, state(s1, ServerState.RUNNING)], [3, s2, accepted(s2, inSession())]]).violationCount).toBe(0);
  });

  it('EJB affinity is never broken by maintenance, in either mode', () => {
    for (const mode of [MaintenanceMode.AFFINITY, MaintenanceMode.BREAK]) {
      expect(rulesBroken(run([[1, s1, maintenance(s1, mode)], [2, s2, accepted(s2, inSession(Protocol.EJB))]]))).toEqual(['ejb-affinity']);
      expect(rulesBroken(run([[1, s1, maintenance(s1, mode)], [2, s1, refused(s1, 'affinity-broken', { protocol: Protocol.EJB })]]))).toEqual(['ejb-affinity']);
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
  });

  it('JMS keeps flowing to a server in maintenance', () => {
    const jms = { protocol: Protocol.JMS, kind: RequestKind.MESSAGE, session: 0 };
    expect(rulesBroken(run([[1, s1, maintenance(s1, MaintenanceMode.BREAK)], [2, s1, refused(s1, 'maintenance', jms)]]))).toEqual(['jms-flows']);
    expect(run([[1, s1, maintenance(s1)], [2, s1, refused(s1, 'queue-full', jms)]]).violationCount).toBe(0);
    expect(run([[2, s1, refused(s1, 'server-unavailable', jms)]]).violationCount).toBe(0);
  });
});
