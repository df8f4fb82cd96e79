import { describe, expect, it } from 'vitest';
import { Protocol, RequestKind, ServerState } from '../../gen/clustersim/v1/cluster.js';
import { MaintenanceAdmissionChecker } from '../../sim/checkers/maintenance-admission.js';
import { accepted, check, maintenance, rulesBroken, s1, s2, s3, state, type Entry } from './stream.js';

const run = (entries: Entry[]) => check(new MaintenanceAdmissionChecker(), entries);

describe('maintenance admission', () => {
  it('a server in maintenance takes no new HTTP session', () => {
    const result = run([
      [100, s1, maintenance(s1)],
      [200, s1, accepted(s1, { request: 5, session: 4 })],
    ]);
    expect(result.violations).toEqual([
      {
        timeUs: 200,
        rule: 'maintenance-new-session',
        actor: 'node1/shop-1',
        detail: 'new HTTP session accepted while the server is maintenance (work class "")',
        session: 4,
        request: 5,
      },
    ]);
  });

  it('nor a new SIP dialog, nor one while draining', () => {
    expect(rulesBroken(run([[1, s1, maintenance(s1)], [2, s1, accepted(s1, { protocol: Protocol.SIP })]]))).toEqual(['maintenance-new-session']);
    expect(rulesBroken(run([[1, s1, state(s1, ServerState.DRAINING)], [2, s1, accepted(s1)]]))).toEqual(['maintenance-new-session']);
  });

  it('decides with the state at the time: before maintenance and after it, new sessions are fine', () => {
    const result = run([
      [1, s1, accepted(s1, { request: 1 })],
      [2, s1, maintenance(s1)],
      [3, s1, state(s1, ServerState.RUNNING)],
      [4, s1, accepted(s1, { request: 2 })],
      [5, s2, accepted(s2, { request: 3 })],
    ]);
    expect(result.violationCount).toBe(0);
  });

  it('in maintenance, existing sessions, EJB and JMS are not new HTTP sessions', () => {
    const result = run([
      [1, s1, maintenance(s1)],
      [2, s1, accepted(s1, { kind: RequestKind.IN_SESSION, affinityServer: s1 })],
      [3, s1, accepted(s1, { protocol: Protocol.EJB })],
      [4, s1, accepted(s1, { protocol: Protocol.JMS, kind: RequestKind.MESSAGE, session: 0 })],
    ]);
    expect(result.violationCount).toBe(0);
  });

  it('permitMM work classes open sessions only on servers in maintenance', () => {
    const permit = { workClass: 'admin', maintenanceOnly: true };
    expect(run([[1, s1, maintenance(s1)], [2, s1, accepted(s1, permit)]]).violationCount).toBe(0);
    const wrong = run([[2, s2, accepted(s2, permit)]]);
    expect(wrong.violations).toEqual([expect.objectContaining({ rule: 'permit-mm', actor: 'node1/shop-2', timeUs: 2 })]);
    expect(wrong.violations[0]!.detail).toContain('"admin"');
    expect(rulesBroken(run([[1, s1, state(s1, ServerState.DRAINING)], [2, s1, accepted(s1, permit)]]))).toEqual(['permit-mm']);
  });

  it('a stopped, failed or starting server takes nothing in', () => {
    for (const down of [ServerState.STOPPED, ServerState.FAILED, ServerState.STARTING]) {
      expect(rulesBroken(run([[1, s1, state(s1, down)], [2, s1, accepted(s1, { kind: RequestKind.IN_SESSION })]]))).toEqual(['down-server']);
    }
  });

  it('a down server taking a request in names the protocol and its state', () => {
    expect(run([[1, s1, state(s1, ServerState.STOPPED)], [2, s1, accepted(s1, { protocol: Protocol.EJB, request: 7, session: 8 })]]).violations).toEqual([
      { timeUs: 2, rule: 'down-server', actor: 'node1/shop-1', detail: 'ejb request accepted while the server is stopped', session: 8, request: 7 },
    ]);
    expect(run([[1, s1, state(s1, ServerState.STARTING)], [2, s1, accepted(s1, { protocol: Protocol.UNSPECIFIED })]]).violations).toEqual([
      expect.objectContaining({ rule: 'down-server', detail: 'unknown request accepted while the server is starting' }),
    ]);
  });

  it('a down server taking a maintenance-only request is one violation: down-server', () => {
    expect(rulesBroken(run([[1, s1, state(s1, ServerState.FAILED)], [2, s1, accepted(s1, { workClass: 'admin', maintenanceOnly: true })]]))).toEqual(['down-server']);
  });

  it('a new SIP dialog on a draining server names the dialog, the state and the work class', () => {
    expect(run([[1, s1, state(s1, ServerState.DRAINING)], [2, s1, accepted(s1, { protocol: Protocol.SIP, workClass: 'calls', request: 3, session: 4 })]]).violations).toEqual([
      { timeUs: 2, rule: 'maintenance-new-session', actor: 'node1/shop-1', detail: 'new SIP dialog accepted while the server is draining (work class "calls")', session: 4, request: 3 },
    ]);
  });

  it('a maintenance-only request on a running server names its work class and the state', () => {
    expect(run([[2, s2, accepted(s2, { protocol: Protocol.SIP, kind: RequestKind.IN_SESSION, workClass: 'admin', maintenanceOnly: true, request: 5, session: 6 })]]).violations).toEqual([
      { timeUs: 2, rule: 'permit-mm', actor: 'node1/shop-2', detail: 'sip request of maintenance-only work class "admin" accepted while the server is running', session: 6, request: 5 },
    ]);
  });

  it('an ordinary request on a running server breaks nothing', () => {
    expect(run([[2, s2, accepted(s2, { protocol: Protocol.SIP })], [3, s2, accepted(s2, { kind: RequestKind.CLOSE })]]).violationCount).toBe(0);
  });

  describe('ClusterCATS members at peak 0%', () => {
    const second = 1_000_000;
    const members = (entries: Entry[]) => check(new MaintenanceAdmissionChecker({ members: [s1, s2, s3], viewLagUs: 3 * second }), entries);
    const allAtZero: Entry[] = [
      [10 * second, s1, maintenance(s1)],
      [10 * second, s2, maintenance(s2)],
      [10 * second, s3, maintenance(s3)],
    ];

    it('with every member at 0%, a member serves a new user itself: nowhere to redirect', () => {
      expect(members([...allAtZero, [11 * second, s1, accepted(s1)], [50 * second, s2, accepted(s2)]]).violationCount).toBe(0);
    });

    it('once a member has been running longer than a view may lag, a member at 0% must redirect to it', () => {
      const back: Entry[] = [...allAtZero, [20 * second, s3, state(s3, ServerState.RUNNING)]];
      expect(members([...back, [22 * second, s1, accepted(s1)]]).violationCount).toBe(0);
      expect(rulesBroken(members([...back, [24 * second, s1, accepted(s1)]]))).toEqual(['maintenance-new-session']);
    });

    it('a member at 0% with running peers must redirect, and a draining member never takes a new user', () => {
      expect(rulesBroken(members([[10 * second, s1, maintenance(s1)], [11 * second, s1, accepted(s1)]]))).toEqual(['maintenance-new-session']);
      const draining: Entry[] = [...allAtZero, [12 * second, s1, state(s1, ServerState.DRAINING)], [13 * second, s1, accepted(s1)]];
      expect(rulesBroken(members(draining))).toEqual(['maintenance-new-session']);
    });

    it('a server that is not a member gets no such exception', () => {
      const stream: Entry[] = [[10 * second, s1, maintenance(s1)], [10 * second, s2, maintenance(s2)], [11 * second, s2, accepted(s2)]];
      expect(rulesBroken(check(new MaintenanceAdmissionChecker({ members: [s1], viewLagUs: 0 }), stream))).toEqual(['maintenance-new-session']);
    });
  });
});
