import { describe, expect, it } from 'vitest';
import { AddressAction, ClusterCatsService, RequestKind, ServerState, Status } from '../../nodes/messages.js';
import { administer, client, fire, newMember, openSession, peerReport, request, responses } from '../helpers/member.js';

describe('ClusterCATS member: load thresholds', () => {
  it('peak threshold 0% redirects every new request to the most available member; users with a session stay', () => {
    const { member, context } = newMember();
    openSession(member, context, 100);
    context.clear();
    administer(member, context, { peakThresholdPercent: 0 });
    expect(member.state).toBe(ServerState.MAINTENANCE);
    member.onMessage(request(RequestKind.OPEN, 101), context);
    member.onMessage(request(RequestKind.IN_SESSION, 100), context);
    fire(member, context, 'service-done');
    const [redirect, served] = responses(context);
    expect(redirect).toMatchObject({ status: Status.REDIRECT, redirectAddress: '10.0.0.3', sessionId: 101 });
    expect(served).toMatchObject({ status: Status.OK, sessionId: 100, redirectAddress: '10.0.0.1' });
    expect(context.recordsOf('redirect')).toEqual([{ type: 'redirect', server: 1, toServer: 3, address: '10.0.0.3', reason: 'peak' }]);
  });

  it('between the gradual and the peak threshold, the share redirected grows with the load', () => {
    const { member, context } = newMember();
    for (let session = 1; session <= 5; session++) member.onMessage(request(RequestKind.OPEN, session), context);
    expect(member.loadPercent).toBe(50); // 5 of 10 threads busy: share (50 - 10) / (90 - 10) = 0.5
    context.clear();
    context.willDraw(0.49, 0.51);
    member.onMessage(request(RequestKind.OPEN, 6), context);
    member.onMessage(request(RequestKind.OPEN, 7), context);
    expect(context.recordsOf('redirect').map((record) => record.reason)).toEqual(['gradual']);
    expect(context.recordsOf('accepted').map((record) => record.session)).toEqual([7]);
  });

  it('at or above the peak threshold every new request is redirected', () => {
    const { member, context } = newMember();
    context.willDraw(...new Array<number>(9).fill(0.999));
    for (let session = 1; session <= 9; session++) member.onMessage(request(RequestKind.OPEN, session), context);
    expect(member.loadPercent).toBe(90);
    context.clear();
    member.onMessage(request(RequestKind.OPEN, 10), context);
    expect(context.recordsOf('redirect').map((record) => record.reason)).toEqual(['peak']);
  });
});

describe('ClusterCATS member: stopping the service with a drain-down period', () => {
  it('current users finish; new ones are redirected; when every session has ended the member fails over before the deadline', () => {
    const { member, context } = newMember();
    openSession(member, context, 1);
    context.clear();
    administer(member, context, { service: ClusterCatsService.STOPPED, drainDownPeriodUs: 60_000_000 });
    expect(context.recordsOf('drain-started')).toEqual([{ type: 'drain-started', server: 1, deadlineUs: context.now + 60_000_000 }]);
    member.onMessage(request(RequestKind.OPEN, 2), context);
    expect(responses(context)[0]).toMatchObject({ status: Status.REDIRECT, cause: 'service-stopped' });
    context.now = 5_000_000;
    member.onMessage(request(RequestKind.CLOSE, 1, true), context);
    fire(member, context, 'service-done');
    expect(context.recordsOf('drain-ended')).toEqual([{ type: 'drain-ended', server: 1, reason: 'drained', openSessions: 0 }]);
    expect(member.state).toBe(ServerState.STOPPED);
    expect(context.recordsOf('address-owner')).toEqual([{ type: 'address-owner', address: '10.0.0.1', owner: 1, change: 'release', reason: 'failover' }]);
    const handover = context.sent.find((sent) => sent.message.$case === 'address');
    expect(handover).toMatchObject({ to: 3, message: { value: { address: '10.0.0.1', action: AddressAction.HANDOVER } } });
  });

  it('at the deadline the sessions still open are dropped with cause drain-expired', () => {
    const { member, context } = newMember();
    openSession(member, context, 1);
    openSession(member, context, 2);
    administer(member, context, { service: ClusterCatsService.STOPPED, drainDownPeriodUs: 10_000_000 });
    context.clear();
    const stoppedAtUs = context.now;
    fire(member, context, 'drain-deadline');
    expect(context.now).toBe(stoppedAtUs + 10_000_000);
    expect(context.recordsOf('drain-ended')).toEqual([{ type: 'drain-ended', server: 1, reason: 'expired', openSessions: 2 }]);
    expect(responses(context).map((response) => [response.sessionId, response.status, response.cause])).toEqual([
      [1, Status.DROPPED, 'drain-expired'],
      [2, Status.DROPPED, 'drain-expired'],
    ]);
    expect(member.sessions.size).toBe(0);
  });

  it('with replication, the sessions open at the deadline are handed over instead of dropped', () => {
    const { member, context } = newMember({ buddy: 2, replicationCostUs: 1_000 });
    openSession(member, context, 1);
    administer(member, context, { service: ClusterCatsService.STOPPED, drainDownPeriodUs: 10_000_000 });
    context.clear();
    fire(member, context, 'drain-deadline');
    expect(responses(context)).toEqual([]);
    const handover = context.sent.find((sent) => sent.message.$case === 'address')!.message;
    expect(handover.$case === 'address' && handover.value.sessions.map((session) => session.sessionId)).toEqual([1]);
  });
});

describe('ClusterCATS member: addresses', () => {
  it('gives a taken-over address back only once its owner runs with its threshold restored', () => {
    const { member, context } = newMember();
    member.onMessage({ $case: 'address', value: { address: '10.0.0.2', action: AddressAction.HANDOVER, member: 2, reason: 'failover', sessions: [] } }, context);
    expect(member.held).toEqual(['10.0.0.1', '10.0.0.2']);
    peerReport(member, context, 2, 0, ServerState.MAINTENANCE, 0); // service Running, threshold still 0%
    expect(member.held).toContain('10.0.0.2');
    peerReport(member, context, 2, 0, ServerState.RUNNING, 90);
    expect(member.held).toEqual(['10.0.0.1']);
    expect(context.recordsOf('address-owner').map((record) => [record.change, record.reason])).toEqual([
      ['acquire', 'failover'],
      ['release', 'give-back'],
    ]);
  });

  it('static addressing: a member back in service that finds its address held meets a conflict and stays out', () => {
    const { member, context } = newMember({ dynamicAddressing: false });
    administer(member, context, { service: ClusterCatsService.STOPPED, drainDownPeriodUs: 0 });
    administer(member, context, { service: ClusterCatsService.RUNNING });
    const probe = context.sent.filter((sent) => sent.message.$case === 'address' && sent.message.value.action === AddressAction.PROBE);
    expect(probe).toHaveLength(1);
    member.onMessage({ $case: 'address', value: { address: '10.0.0.1', action: AddressAction.HELD, member: 3, reason: 'probe', sessions: [] } }, context);
    expect(context.recordsOf('address-conflict')).toEqual([{ type: 'address-conflict', server: 1, address: '10.0.0.1', holder: 3 }]);
    expect(member.state).toBe(ServerState.STOPPED);
    expect(member.held).toEqual([]);
  });

  it('the coordinator of a failed member takes its address over (itself, being the most available)', () => {
    const { member, context } = newMember();
    context.now = 1_900_000;
    peerReport(member, context, 2, 50); // member 3 stays silent
    context.now = 2_500_000;
    fire(member, context, 'heartbeat');
    expect(context.recordsOf('suspicion')).toEqual([{ type: 'suspicion', detector: 1, member: 3, suspected: true, correct: false }]);
    expect(member.held).toEqual(['10.0.0.1', '10.0.0.3']);
  });
});

describe('ClusterCATS member: session replication and crashes', () => {
  it('copies each served request to the buddy and takes up a copy for a session it does not hold', () => {
    const { member, context } = newMember({ buddy: 2, replicationCostUs: 1_000 });
    openSession(member, context, 1);
    expect(context.sent.some((sent) => sent.to === 2 && sent.message.$case === 'replica' && sent.message.value.sessionId === 1)).toBe(true);
    member.onMessage({ $case: 'replica', value: { sessionId: 9, client, protocol: 1, owner: 3, closed: false } }, context);
    context.clear();
    member.onMessage(request(RequestKind.IN_SESSION, 9), context);
    member.onMessage(request(RequestKind.IN_SESSION, 10), context);
    expect(context.recordsOf('session-recovered')).toEqual([{ type: 'session-recovered', server: 1, session: 9, from: 3, reason: 'replica' }]);
    expect(responses(context)).toMatchObject([{ sessionId: 10, status: Status.DROPPED, cause: 'session-lost' }]);
  });

  it('a crash loses the work in flight and the sessions without a buddy, and silences the member', () => {
    const { member, context } = newMember();
    openSession(member, context, 1);
    member.onMessage(request(RequestKind.OPEN, 2), context);
    context.clear();
    member.onMessage({ $case: 'fault', value: { kind: 1, target: 'node1/app-1', factor: 1, detail: 'node' } }, context);
    expect(context.recordsOf('lost')).toEqual([{ type: 'lost', server: 1, requests: 1, sessions: 2, cause: 'crash' }]);
    expect(member.held).toEqual([]);
    context.clear();
    member.onMessage(request(RequestKind.OPEN, 3), context);
    expect(context.sent).toEqual([]);
  });
});
