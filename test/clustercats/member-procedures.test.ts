import { describe, expect, it } from 'vitest';
import { AddressAction, ClusterCatsService, FaultKind, MaintenanceMode, RequestKind, ServerState, Status, type Message } from '../../nodes/messages.js';
import { ClusterCatsMember } from '../../nodes/clustercats/member.js';
import { FakeContext } from '../helpers/fake-context.js';
import { administer, client, fire, lan, memberConfig, newMember, openSession, peerReport, request, responses } from '../helpers/member.js';

function fault(kind: FaultKind, factor = 1): Message {
  return { $case: 'fault', value: { kind, target: 'node1/app-1', factor, detail: 'node' } };
}

function address(action: AddressAction, value: string, member: number, sessions: { sessionId: number; owner: number }[] = []): Message {
  return {
    $case: 'address',
    value: { address: value, action, member, reason: 'failover', sessions: sessions.map(({ sessionId, owner }) => ({ sessionId, client, protocol: 1, owner, closed: false })) },
  };
}

type Sent<Case extends Message['$case']> = { to: number; value: Extract<Message, { $case: Case }>['value'] };

/** Messages of one kind sent so far, with their receivers. */
function sentOf<Case extends Message['$case']>(context: FakeContext, kind: Case): Sent<Case>[] {
  return context.sent.filter(({ message }) => message.$case === kind).map(({ to, message }) => ({ to, value: message.value }) as Sent<Case>);
}

function timersTagged(context: FakeContext, tag: string): { atUs: number; ref: number }[] {
  return context.timers.flatMap(({ atUs, message }) => (message.$case === 'timer' && message.value.tag === tag ? [{ atUs, ref: message.value.ref }] : []));
}

describe('ClusterCATS member: reports and heartbeats', () => {
  it('reports its load, threshold and addresses to every peer, then again each interval', () => {
    const { member, context } = newMember();
    member.onMessage(request(RequestKind.OPEN, 1), context);
    member.onMessage(request(RequestKind.OPEN, 2), context);
    context.clear({ timers: true });
    context.now = 3_000_000;
    member.onMessage({ $case: 'timer', value: { tag: 'report', ref: 0 } }, context);
    const reports = sentOf(context, 'memberReport');
    expect(reports.map(({ to }) => to)).toEqual([2, 3]);
    expect(reports[0]!.value).toEqual({
      load: {
        server: 1,
        atUs: 3_000_000,
        state: ServerState.RUNNING,
        mode: MaintenanceMode.UNSPECIFIED,
        inFlight: 2,
        threads: 10,
        queued: 0,
        loadPercent: 20,
        openSessions: 2,
        completedInInterval: 0,
        responseTimeSumUs: 0,
        errorsInInterval: 0,
      },
      address: '10.0.0.1',
      peakThresholdPercent: 90,
      addresses: ['10.0.0.1'],
      addressConflict: false,
    });
    expect(timersTagged(context, 'report')).toEqual([{ atUs: 4_000_000, ref: 0 }]);
  });

  it('a report lists the addresses held then, not what the member holds later', () => {
    const { member, context } = newMember();
    member.onMessage({ $case: 'timer', value: { tag: 'report', ref: 0 } }, context);
    const report = sentOf(context, 'memberReport')[0]!.value;
    member.onMessage(address(AddressAction.HANDOVER, '10.0.0.3', 3), context);
    expect(report.addresses).toEqual(['10.0.0.1']);
  });

  it('counts queued requests in its load: in service plus waiting, over the threads', () => {
    const { member, context } = newMember({ threads: 2, queueLimit: 5 });
    context.willDraw(...new Array<number>(10).fill(0.999));
    for (let session = 1; session <= 3; session++) member.onMessage(request(RequestKind.OPEN, session, false, { redirects: 2 }), context);
    expect(member.queued).toBe(1);
    expect(member.loadPercent).toBe(100);
    context.clear();
    member.onMessage({ $case: 'timer', value: { tag: 'report', ref: 0 } }, context);
    expect(sentOf(context, 'memberReport')[0]!.value.load).toMatchObject({ inFlight: 3, queued: 1, loadPercent: 100 });
  });

  it('sends a heartbeat to every peer each interval, numbered in turn', () => {
    const { member, context } = newMember();
    context.now = 500_000;
    fire(member, context, 'heartbeat');
    context.now = 1_000_000;
    fire(member, context, 'heartbeat');
    const beats = sentOf(context, 'heartbeat');
    expect(beats).toEqual([
      { to: 2, value: { from: 1, sequence: 0, sentAtUs: 500_000 } },
      { to: 3, value: { from: 1, sequence: 0, sentAtUs: 500_000 } },
      { to: 2, value: { from: 1, sequence: 1, sentAtUs: 1_000_000 } },
      { to: 3, value: { from: 1, sequence: 1, sentAtUs: 1_000_000 } },
    ]);
    expect(timersTagged(context, 'heartbeat')).toEqual([{ atUs: 1_500_000, ref: 0 }]);
  });

  it('a heartbeat from a peer keeps it from being suspected', () => {
    const { member, context } = newMember();
    context.now = 1_900_000;
    member.onMessage({ $case: 'heartbeat', value: { from: 3, sequence: 0, sentAtUs: 1_900_000 } }, context);
    member.onMessage({ $case: 'heartbeat', value: { from: 2, sequence: 0, sentAtUs: 1_900_000 } }, context);
    context.now = 2_500_000;
    fire(member, context, 'heartbeat');
    expect(context.recordsOf('suspicion')).toEqual([]);
  });
});

describe('ClusterCATS member: crash and restart', () => {
  it('a restart brings the member back with its own address; timers of before the crash are ignored', () => {
    const { member, context } = newMember();
    member.onMessage(fault(FaultKind.CRASH), context);
    expect(member.state).toBe(ServerState.FAILED);
    const before = [...context.timers];
    context.clear({ timers: true });
    context.now = 10_000_000;
    member.onMessage(fault(FaultKind.RESTART), context);
    expect(member.state).toBe(ServerState.RUNNING);
    expect(context.recordsOf('threshold')).toEqual([{ type: 'threshold', server: 1, gradualPercent: 10, peakPercent: 90 }]);
    // Its own address comes back by a probe of the LAN, as on any return to service.
    expect(sentOf(context, 'address')).toEqual([{ to: lan, value: { address: '10.0.0.1', action: AddressAction.PROBE, member: 1, reason: 'return', sessions: [] } }]);
    expect(timersTagged(context, 'heartbeat')).toEqual([{ atUs: 10_500_000, ref: 1 }]);
    expect(timersTagged(context, 'report')).toEqual([{ atUs: 10_000_000, ref: 1 }]);
    context.clear({ timers: true });
    for (const timer of before) member.onMessage(timer.message, context);
    expect(context.sent).toEqual([]);
    expect(context.timers).toEqual([]);
  });

  it('a restart of a member that is not down changes nothing; a second crash records nothing more', () => {
    const { member, context } = newMember();
    member.onMessage(fault(FaultKind.RESTART), context);
    expect(context.sent).toEqual([]);
    expect(context.records).toEqual([]);
    member.onMessage(fault(FaultKind.CRASH), context);
    context.clear();
    member.onMessage(fault(FaultKind.CRASH), context);
    expect(context.records).toEqual([]);
  });

  it('a slow fault stretches service times by its factor', () => {
    const { member, context } = newMember();
    member.onMessage(fault(FaultKind.SLOW, 3), context);
    member.onMessage(request(RequestKind.OPEN, 1), context);
    expect(timersTagged(context, 'service-done').map((timer) => timer.atUs)).toEqual([3_000]);
  });

  it('a crash with a buddy loses the work in flight but no session, and drops the copies it kept for others', () => {
    const { member, context } = newMember({ buddy: 2, replicationCostUs: 1_000 });
    openSession(member, context, 1);
    member.onMessage({ $case: 'replica', value: { sessionId: 9, client, protocol: 1, owner: 3, closed: false } }, context);
    member.onMessage(request(RequestKind.OPEN, 2), context);
    member.onMessage(request(RequestKind.OPEN, 3), context);
    context.clear();
    member.onMessage(fault(FaultKind.CRASH), context);
    expect(context.recordsOf('lost')).toEqual([{ type: 'lost', server: 1, requests: 2, sessions: 0, cause: 'crash' }]);
    expect(member.replicas.size).toBe(0);
    expect(member.sessions.size).toBe(0);
    expect(context.recordsOf('server-sessions')).toEqual([{ type: 'server-sessions', server: 1, protocol: 1, open: 0, total: 0 }]);
    expect(context.recordsOf('address-owner')).toEqual([{ type: 'address-owner', address: '10.0.0.1', owner: 1, change: 'release', reason: 'crash' }]);
    expect(context.recordsOf('server-state')).toEqual([{ type: 'server-state', server: 1, state: ServerState.FAILED, mode: MaintenanceMode.UNSPECIFIED }]);
    // A failed member tells nobody: its peers find out by its silence.
    expect(sentOf(context, 'memberReport')).toEqual([]);
  });

  it('a crashed member hears nothing until restarted', () => {
    const { member, context } = newMember();
    member.onMessage(fault(FaultKind.CRASH), context);
    context.clear();
    administer(member, context, { peakThresholdPercent: 0 });
    member.onMessage({ $case: 'timer', value: { tag: 'report', ref: 0 } }, context);
    expect(context.sent).toEqual([]);
    expect(context.records).toEqual([]);
    expect(member.peakPercent).toBe(90);
  });
});

describe('ClusterCATS member: administration', () => {
  it('sets either threshold alone and records both', () => {
    const { member, context } = newMember();
    administer(member, context, { gradualThresholdPercent: 30 });
    administer(member, context, { peakThresholdPercent: 70 });
    expect(context.recordsOf('threshold')).toEqual([
      { type: 'threshold', server: 1, gradualPercent: 30, peakPercent: 90 },
      { type: 'threshold', server: 1, gradualPercent: 30, peakPercent: 70 },
    ]);
    administer(member, context, { service: ClusterCatsService.RUNNING });
    expect(context.recordsOf('threshold')).toHaveLength(2);
  });

  it('peak threshold 0% is maintenance: it is reported to the peers at once, and 90% again ends it', () => {
    const { member, context } = newMember();
    administer(member, context, { peakThresholdPercent: 0 });
    expect(context.recordsOf('server-state')).toEqual([{ type: 'server-state', server: 1, state: ServerState.MAINTENANCE, mode: MaintenanceMode.AFFINITY }]);
    expect(sentOf(context, 'memberReport').map(({ to, value }) => [to, value.load!.state, value.peakThresholdPercent])).toEqual([
      [2, ServerState.MAINTENANCE, 0],
      [3, ServerState.MAINTENANCE, 0],
    ]);
    context.clear();
    administer(member, context, { peakThresholdPercent: 0 });
    expect(context.recordsOf('server-state')).toEqual([]);
    expect(sentOf(context, 'memberReport')).toEqual([]);
    administer(member, context, { peakThresholdPercent: 90 });
    expect(member.state).toBe(ServerState.RUNNING);
    expect(member.mode).toBe(MaintenanceMode.UNSPECIFIED);
  });

  it('a second stop while draining starts no second drain', () => {
    const { member, context } = newMember();
    openSession(member, context, 1);
    administer(member, context, { service: ClusterCatsService.STOPPED, drainDownPeriodUs: 60_000_000 });
    context.now = 1_000_000;
    administer(member, context, { service: ClusterCatsService.STOPPED, drainDownPeriodUs: 1_000_000 });
    expect(context.recordsOf('drain-started')).toHaveLength(1);
    expect(timersTagged(context, 'drain-deadline').map((timer) => timer.atUs)).toEqual([60_000_000 + 1_000]);
  });

  it('a stop with nobody on the member fails over at once, with no deadline to wait for', () => {
    const { member, context } = newMember();
    administer(member, context, { service: ClusterCatsService.STOPPED, drainDownPeriodUs: 60_000_000 });
    expect(context.recordsOf('drain-ended')).toEqual([{ type: 'drain-ended', server: 1, reason: 'drained', openSessions: 0 }]);
    expect(timersTagged(context, 'drain-deadline')).toEqual([]);
    expect(member.state).toBe(ServerState.STOPPED);
    expect(member.mode).toBe(MaintenanceMode.STOP);
  });

  it('the deadline of an earlier drain does not end a later one', () => {
    const { member, context } = newMember();
    openSession(member, context, 1);
    administer(member, context, { service: ClusterCatsService.STOPPED, drainDownPeriodUs: 10_000_000 });
    const firstDeadline = context.timers.find((timer) => timer.message.$case === 'timer' && timer.message.value.tag === 'drain-deadline')!;
    member.onMessage(request(RequestKind.CLOSE, 1, true), context);
    fire(member, context, 'service-done');
    administer(member, context, { service: ClusterCatsService.RUNNING });
    openSession(member, context, 2);
    administer(member, context, { service: ClusterCatsService.STOPPED, drainDownPeriodUs: 60_000_000 });
    context.clear();
    context.now = firstDeadline.atUs;
    member.onMessage(firstDeadline.message, context);
    expect(context.recordsOf('drain-ended')).toEqual([]);
    expect(member.state).toBe(ServerState.DRAINING);
  });

  it('setting the service back to Running during a drain-down cancels the drain: the member serves again and cuts nothing', () => {
    const { member, context } = newMember();
    openSession(member, context, 1);
    administer(member, context, { service: ClusterCatsService.STOPPED, drainDownPeriodUs: 60_000_000 });
    const deadline = context.timers.find((timer) => timer.message.$case === 'timer' && timer.message.value.tag === 'drain-deadline')!;
    context.now = 10_000_000;
    context.clear();
    administer(member, context, { service: ClusterCatsService.RUNNING });
    expect(context.recordsOf('drain-ended')).toEqual([{ type: 'drain-ended', server: 1, reason: 'cancelled', openSessions: 1 }]);
    expect(member.state).toBe(ServerState.RUNNING);
    // The old deadline passes unnoticed: the user keeps the session, and new users are served.
    context.clear();
    context.now = deadline.atUs;
    member.onMessage(deadline.message, context);
    expect(context.recordsOf('drain-ended')).toEqual([]);
    member.onMessage(request(RequestKind.IN_SESSION, 1), context);
    member.onMessage(request(RequestKind.OPEN, 2), context);
    fire(member, context, 'service-done');
    expect(responses(context).map((response) => [response.sessionId, response.status])).toEqual([
      [1, Status.OK],
      [2, Status.OK],
    ]);
    expect(member.state).toBe(ServerState.RUNNING);
  });

  it('a stopped member refuses requests; a start takes them again', () => {
    const { member, context } = newMember();
    administer(member, context, { service: ClusterCatsService.STOPPED, drainDownPeriodUs: 0 });
    context.clear();
    member.onMessage(request(RequestKind.OPEN, 1), context);
    expect(responses(context)).toMatchObject([{ sessionId: 1, status: Status.REJECTED, cause: 'service-stopped', server: 1 }]);
    administer(member, context, { service: ClusterCatsService.RUNNING });
    context.clear();
    member.onMessage(request(RequestKind.OPEN, 2), context);
    expect(context.recordsOf('accepted').map((record) => record.session)).toEqual([2]);
  });
});

describe('ClusterCATS member: the end of a drain', () => {
  it('at the deadline, requests in service and waiting are dropped once each; idle sessions are told', () => {
    const { member, context } = newMember({ threads: 1, queueLimit: 5 });
    context.willDraw(...new Array<number>(10).fill(0.999));
    openSession(member, context, 1);
    openSession(member, context, 2);
    openSession(member, context, 3);
    administer(member, context, { service: ClusterCatsService.STOPPED, drainDownPeriodUs: 10_000_000 });
    member.onMessage(request(RequestKind.IN_SESSION, 1), context); // in service
    member.onMessage(request(RequestKind.IN_SESSION, 2), context); // waiting for the thread
    context.clear();
    fire(member, context, 'drain-deadline');
    expect(context.recordsOf('drain-ended')).toEqual([{ type: 'drain-ended', server: 1, reason: 'expired', openSessions: 3 }]);
    expect(responses(context).map((response) => [response.sessionId, response.requestId === 0 ? 'idle' : 'request', response.status, response.cause])).toEqual([
      [1, 'request', Status.DROPPED, 'drain-expired'],
      [2, 'request', Status.DROPPED, 'drain-expired'],
      [3, 'idle', Status.DROPPED, 'drain-expired'],
    ]);
    expect(responses(context)[2]).toEqual({
      requestId: 0,
      protocol: 1,
      kind: RequestKind.IN_SESSION,
      sessionId: 3,
      status: Status.DROPPED,
      cause: 'drain-expired',
      server: 1,
      client,
      sentAtUs: 10_000_000 + 3_000,
      attempts: 0,
      redirects: 0,
      workClass: '',
      retryable: false,
      redirectAddress: '',
      othersInFlight: 0,
    });
    expect(member.queued).toBe(0);
    expect(member.loadPercent).toBe(0);
    // Nothing is left to finish: a service timer of before the deadline finds nothing.
    context.clear();
    fire(member, context, 'service-done');
    expect(responses(context)).toEqual([]);
  });

  it('with no peer available the address is released to the LAN instead of handed over', () => {
    const { member, context } = newMember();
    peerReport(member, context, 2, 50, ServerState.MAINTENANCE, 0);
    peerReport(member, context, 3, 95, ServerState.RUNNING, 90);
    context.clear();
    administer(member, context, { service: ClusterCatsService.STOPPED, drainDownPeriodUs: 0 });
    expect(context.recordsOf('address-owner')).toEqual([{ type: 'address-owner', address: '10.0.0.1', owner: 1, change: 'release', reason: 'no-member-available' }]);
    expect(sentOf(context, 'address')).toEqual([{ to: lan, value: { address: '10.0.0.1', action: AddressAction.RELEASE, member: 1, reason: 'failover', sessions: [] } }]);
    expect(member.held).toEqual([]);
  });

  it('every address held fails over, the sessions with the first one only', () => {
    const { member, context } = newMember({ buddy: 2, replicationCostUs: 0 });
    member.onMessage(address(AddressAction.HANDOVER, '10.0.0.2', 2), context);
    openSession(member, context, 1);
    administer(member, context, { service: ClusterCatsService.STOPPED, drainDownPeriodUs: 1_000_000 });
    context.clear();
    fire(member, context, 'drain-deadline');
    const handovers = sentOf(context, 'address').filter(({ value }) => value.action === AddressAction.HANDOVER);
    expect(handovers.map(({ to, value }) => [to, value.address, value.sessions.map((session) => session.sessionId)])).toEqual([
      [3, '10.0.0.1', [1]],
      [3, '10.0.0.2', []],
    ]);
    expect(handovers[0]!.value.sessions[0]).toEqual({ sessionId: 1, client, protocol: 1, owner: 1, closed: false });
    expect(member.held).toEqual([]);
  });
});

describe('ClusterCATS member: addresses taken over and given back', () => {
  it('under static addressing a taken-over address goes back only once its owner meets the conflict', () => {
    const { member, context } = newMember({ dynamicAddressing: false });
    member.onMessage(address(AddressAction.HANDOVER, '10.0.0.2', 2), context);
    context.clear();
    peerReport(member, context, 2, 0, ServerState.RUNNING, 90, { addresses: [] });
    expect(member.held).toEqual(['10.0.0.1', '10.0.0.2']);
    peerReport(member, context, 2, 0, ServerState.STOPPED, 90, { addresses: [], conflict: true });
    expect(member.held).toEqual(['10.0.0.1']);
    expect(context.recordsOf('address-owner')).toEqual([{ type: 'address-owner', address: '10.0.0.2', owner: 1, change: 'release', reason: 'conflict' }]);
    expect(sentOf(context, 'address')).toEqual([{ to: lan, value: { address: '10.0.0.2', action: AddressAction.RELEASE, member: 1, reason: 'conflict', sessions: [] } }]);
  });

  it('gives an address back to its owner with a handover, not before the owner is heard from again', () => {
    const { member, context } = newMember();
    member.onMessage(address(AddressAction.HANDOVER, '10.0.0.3', 3), context);
    context.now = 2_500_000;
    peerReport(member, context, 2, 50);
    member.onMessage({ $case: 'heartbeat', value: { from: 2, sequence: 0, sentAtUs: 2_500_000 } }, context);
    fire(member, context, 'heartbeat'); // member 3 is now suspected
    expect(member.held).toEqual(['10.0.0.1', '10.0.0.3']);
    context.clear();
    peerReport(member, context, 3, 0); // heard again: no longer suspected, running with its threshold
    expect(member.held).toEqual(['10.0.0.1']);
    expect(sentOf(context, 'address')).toEqual([{ to: 3, value: { address: '10.0.0.3', action: AddressAction.HANDOVER, member: 1, reason: 'give-back', sessions: [] } }]);
  });

  it('a member back in service under dynamic addressing claims its address only once its threshold is restored', () => {
    const { member, context } = newMember();
    administer(member, context, { peakThresholdPercent: 0 });
    administer(member, context, { service: ClusterCatsService.STOPPED, drainDownPeriodUs: 0 });
    administer(member, context, { service: ClusterCatsService.RUNNING });
    context.clear();
    expect(member.held).toEqual([]);
    administer(member, context, { peakThresholdPercent: 0 });
    expect(sentOf(context, 'address')).toEqual([]);
    administer(member, context, { peakThresholdPercent: 90 });
    expect(sentOf(context, 'address')).toEqual([{ to: lan, value: { address: '10.0.0.1', action: AddressAction.PROBE, member: 1, reason: 'return', sessions: [] } }]);
    // One probe at a time.
    administer(member, context, { gradualThresholdPercent: 20 });
    expect(sentOf(context, 'address')).toHaveLength(1);
    member.onMessage(address(AddressAction.FREE, '10.0.0.1', -1), context);
    expect(member.held).toEqual(['10.0.0.1']);
    expect(context.recordsOf('address-owner')).toEqual([{ type: 'address-owner', address: '10.0.0.1', owner: 1, change: 'acquire', reason: 'return' }]);
    expect(sentOf(context, 'address').at(-1)).toEqual({ to: lan, value: { address: '10.0.0.1', action: AddressAction.CLAIM, member: 1, reason: 'return', sessions: [] } });
  });

  it('an address found free after the member stopped again is not taken', () => {
    const { member, context } = newMember();
    administer(member, context, { service: ClusterCatsService.STOPPED, drainDownPeriodUs: 0 });
    administer(member, context, { service: ClusterCatsService.RUNNING });
    administer(member, context, { service: ClusterCatsService.STOPPED, drainDownPeriodUs: 0 });
    context.clear();
    member.onMessage(address(AddressAction.FREE, '10.0.0.1', -1), context);
    expect(member.held).toEqual([]);
    expect(context.sent).toEqual([]);
  });

  it('under dynamic addressing an address found held is no conflict: its holder gives it back', () => {
    const { member, context } = newMember();
    administer(member, context, { service: ClusterCatsService.STOPPED, drainDownPeriodUs: 0 });
    administer(member, context, { service: ClusterCatsService.RUNNING });
    context.clear();
    member.onMessage(address(AddressAction.HELD, '10.0.0.1', 3), context);
    expect(context.recordsOf('address-conflict')).toEqual([]);
    expect(member.state).toBe(ServerState.RUNNING);
  });

  it('a conflict is reported to the peers, and a new start retries the address', () => {
    const { member, context } = newMember({ dynamicAddressing: false });
    administer(member, context, { service: ClusterCatsService.STOPPED, drainDownPeriodUs: 0 });
    administer(member, context, { service: ClusterCatsService.RUNNING });
    context.clear();
    member.onMessage(address(AddressAction.HELD, '10.0.0.1', 3), context);
    expect(sentOf(context, 'memberReport').map(({ value }) => value.addressConflict)).toEqual([true, true, true, true]);
    member.onMessage(request(RequestKind.OPEN, 1), context);
    expect(responses(context)).toMatchObject([{ status: Status.REJECTED, cause: 'service-stopped' }]);
    context.clear();
    administer(member, context, { service: ClusterCatsService.RUNNING });
    expect(sentOf(context, 'address').map(({ value }) => value.action)).toEqual([AddressAction.PROBE]);
  });

  it('sessions handed over with an address are recovered as handed over, copies from a buddy as replicas', () => {
    const { member, context } = newMember();
    member.onMessage(address(AddressAction.HANDOVER, '10.0.0.2', 2, [{ sessionId: 7, owner: 2 }, { sessionId: 8, owner: 3 }]), context);
    member.onMessage(request(RequestKind.IN_SESSION, 7), context);
    member.onMessage(request(RequestKind.IN_SESSION, 8), context);
    expect(context.recordsOf('session-recovered').map((record) => [record.session, record.from, record.reason])).toEqual([
      [7, 2, 'handover'],
      [8, 3, 'replica'],
    ]);
    expect(context.recordsOf('server-sessions').map((record) => [record.open, record.total])).toEqual([
      [1, 1],
      [2, 2],
    ]);
  });

  it('a closed session is no longer kept as a copy', () => {
    const { member, context } = newMember();
    member.onMessage({ $case: 'replica', value: { sessionId: 9, client, protocol: 1, owner: 3, closed: false } }, context);
    member.onMessage({ $case: 'replica', value: { sessionId: 9, client, protocol: 1, owner: 3, closed: true } }, context);
    expect(member.replicas.size).toBe(0);
  });
});

/** Lets member `silent` go unheard past the failure timeout while the other peer keeps talking. */
function silence(member: ReturnType<typeof newMember>['member'], context: FakeContext, silent: number, heard: { peer: number; load: number; state?: ServerState }): void {
  context.now = 1_900_000;
  peerReport(member, context, heard.peer, heard.load, heard.state ?? ServerState.RUNNING);
  context.now = 2_500_000;
  fire(member, context, 'heartbeat');
  expect(context.recordsOf('suspicion').map((record) => record.member)).toContain(silent);
}

describe('ClusterCATS member: IP takeover of a failed member', () => {
  it('the coordinator hands the address to a less loaded peer, with the copies it holds of that member only', () => {
    const { member, context } = newMember();
    member.onMessage({ $case: 'replica', value: { sessionId: 21, client, protocol: 1, owner: 2, closed: false } }, context);
    member.onMessage({ $case: 'replica', value: { sessionId: 31, client, protocol: 1, owner: 3, closed: false } }, context);
    for (let session = 1; session <= 5; session++) member.onMessage(request(RequestKind.OPEN, session), context); // its own load 50%
    context.clear();
    // Member 3 fails; member 1 comes next in the ring, so it coordinates.
    silence(member, context, 3, { peer: 2, load: 10 });
    expect(sentOf(context, 'address')).toEqual([
      {
        to: 2,
        value: { address: '10.0.0.3', action: AddressAction.HANDOVER, member: 1, reason: 'failover', sessions: [{ sessionId: 31, client, protocol: 1, owner: 3, closed: false }] },
      },
    ]);
    expect([...member.replicas.keys()]).toEqual([21]);
    expect(member.held).toEqual(['10.0.0.1']);
  });

  it('takes the address itself when it is the most available, keeping the copies', () => {
    const { member, context } = newMember();
    member.onMessage({ $case: 'replica', value: { sessionId: 31, client, protocol: 1, owner: 3, closed: false } }, context);
    context.clear();
    silence(member, context, 3, { peer: 2, load: 10 });
    expect(member.held).toEqual(['10.0.0.1', '10.0.0.3']);
    expect(context.recordsOf('address-owner')).toEqual([{ type: 'address-owner', address: '10.0.0.3', owner: 1, change: 'acquire', reason: 'failover' }]);
    expect([...member.replicas.keys()]).toEqual([31]);
    expect(sentOf(context, 'address').filter(({ value }) => value.action === AddressAction.HANDOVER)).toEqual([]);
  });

  it('takes the address itself on a tie of load with the best peer', () => {
    const { member, context } = newMember();
    member.onMessage(request(RequestKind.OPEN, 1), context);
    member.onMessage(request(RequestKind.OPEN, 2), context); // its own load 20%
    context.clear();
    // Member 2 reports 10%; choosing it counts one request more (10% of its 10 threads): 20%.
    silence(member, context, 3, { peer: 2, load: 10 });
    expect(member.held).toEqual(['10.0.0.1', '10.0.0.3']);
  });

  it('in maintenance (threshold 0%) it is no taker: a running peer takes the address', () => {
    const { member, context } = newMember();
    administer(member, context, { peakThresholdPercent: 0 });
    context.clear();
    silence(member, context, 3, { peer: 2, load: 60 });
    expect(member.held).toEqual(['10.0.0.1']);
    expect(sentOf(context, 'address').map(({ to, value }) => [to, value.address, value.action])).toEqual([[2, '10.0.0.3', AddressAction.HANDOVER]]);
  });

  it('with no peer available, a member in maintenance takes the address itself', () => {
    const { member, context } = newMember();
    administer(member, context, { peakThresholdPercent: 0 });
    context.clear();
    silence(member, context, 3, { peer: 2, load: 95 });
    expect(member.held).toEqual(['10.0.0.1', '10.0.0.3']);
  });

  it('is not the coordinator when the next member in the ring is alive: it leaves the takeover to it', () => {
    const { member, context } = newMember({ ring: [2, 3, 1] });
    context.clear();
    silence(member, context, 2, { peer: 3, load: 10 });
    expect(member.held).toEqual(['10.0.0.1']);
    expect(sentOf(context, 'address')).toEqual([]);
  });

  it('becomes the coordinator when the members after the failed one in the ring are out of service', () => {
    const { member, context } = newMember({ ring: [2, 3, 1] });
    context.now = 1_900_000;
    peerReport(member, context, 3, 10, ServerState.STOPPED);
    context.now = 2_500_000;
    fire(member, context, 'heartbeat');
    expect(member.held).toEqual(['10.0.0.1', '10.0.0.2']);
  });

  it('a member that held no address, or that it never heard of, is not taken over', () => {
    const { member, context } = newMember({ ring: [1, 2, 3, 6] });
    peerReport(member, context, 2, 10, ServerState.STOPPED, 90, { addresses: [] });
    context.now = 2_400_000;
    peerReport(member, context, 3, 10);
    context.now = 2_500_000;
    context.clear();
    fire(member, context, 'heartbeat');
    expect(context.recordsOf('suspicion').map((record) => record.member)).toEqual([2, 6]);
    expect(member.held).toEqual(['10.0.0.1']);
    expect(sentOf(context, 'address')).toEqual([]);
  });

  it('takes each address of a failed member over once', () => {
    const { member, context } = newMember();
    context.now = 1_900_000;
    peerReport(member, context, 3, 10, ServerState.RUNNING, 90, { addresses: ['10.0.0.3', '10.0.0.9'] });
    context.now = 4_400_000;
    peerReport(member, context, 2, 10);
    context.now = 4_500_000;
    context.clear();
    fire(member, context, 'heartbeat');
    expect(context.recordsOf('address-owner').map((record) => record.address)).toEqual(['10.0.0.3', '10.0.0.9']);
    context.now = 5_000_000;
    peerReport(member, context, 2, 10);
    fire(member, context, 'heartbeat');
    expect(context.recordsOf('address-owner')).toHaveLength(2);
  });
});

describe('ClusterCATS member: the most available member', () => {
  it('in maintenance, redirects to the least loaded running peer that answers at its own address, even one at its peak', () => {
    const cases: { name: string; peer3: Parameters<typeof peerReport>[5] extends infer _ ? [number, ServerState, number, { addresses?: string[] }] : never; expected: string }[] = [
      { name: 'least loaded', peer3: [20, ServerState.RUNNING, 90, {}], expected: '10.0.0.3' },
      { name: 'more loaded', peer3: [60, ServerState.RUNNING, 90, {}], expected: '10.0.0.2' },
      { name: 'in maintenance', peer3: [0, ServerState.MAINTENANCE, 0, {}], expected: '10.0.0.2' },
      // A peer at its peak is still available; this member at 0% is not.
      { name: 'at its peak', peer3: [40, ServerState.RUNNING, 40, {}], expected: '10.0.0.3' },
      { name: 'without its own address', peer3: [0, ServerState.RUNNING, 90, { addresses: ['10.0.0.9'] }], expected: '10.0.0.2' },
    ];
    for (const { name, peer3, expected } of cases) {
      const { member, context } = newMember();
      peerReport(member, context, 3, ...peer3);
      administer(member, context, { peakThresholdPercent: 0 });
      context.clear();
      member.onMessage(request(RequestKind.OPEN, 1), context);
      expect([name, responses(context)[0]!.redirectAddress]).toEqual([name, expected]);
    }
  });

  it('with every peer in maintenance too, a member at 0% serves the new user itself: there is nowhere to redirect', () => {
    const { member, context } = newMember();
    peerReport(member, context, 2, 0, ServerState.MAINTENANCE, 0, {});
    peerReport(member, context, 3, 0, ServerState.MAINTENANCE, 0, {});
    administer(member, context, { peakThresholdPercent: 0 });
    context.clear();
    member.onMessage(request(RequestKind.OPEN, 1), context);
    fire(member, context, 'service-done');
    expect(context.recordsOf('redirect')).toEqual([]);
    expect(responses(context).map((response) => [response.status, response.redirectAddress])).toEqual([[Status.OK, '10.0.0.1']]);
  });

  it('counts each redirect toward the chosen peer until its next report', () => {
    const { member, context } = newMember({ threads: 10 });
    peerReport(member, context, 2, 30, ServerState.RUNNING, 90, { threads: 10 });
    peerReport(member, context, 3, 20, ServerState.RUNNING, 90, { threads: 10 });
    administer(member, context, { peakThresholdPercent: 0 });
    context.clear();
    for (let session = 1; session <= 4; session++) member.onMessage(request(RequestKind.OPEN, session), context);
    // Member 3 (20%) gets the first and, at 30%, ties with member 2: a tie goes to the first looked at, which goes round.
    expect(responses(context).map((response) => response.redirectAddress)).toEqual(['10.0.0.3', '10.0.0.3', '10.0.0.2', '10.0.0.3']);
  });

  it.each([60, 50])('a gradual redirect goes only to a peer less loaded than this member (not one at %i%% against its 50%%)', (peerLoad) => {
    const { member, context } = newMember();
    peerReport(member, context, 2, peerLoad);
    peerReport(member, context, 3, 70);
    for (let session = 1; session <= 5; session++) member.onMessage(request(RequestKind.OPEN, session), context);
    context.clear();
    context.willDraw(0);
    member.onMessage(request(RequestKind.OPEN, 6), context);
    expect(context.recordsOf('redirect')).toEqual([]);
    expect(context.recordsOf('accepted').map((record) => record.session)).toEqual([6]);
  });

  it('at or under the gradual threshold nothing is redirected, and no number is drawn', () => {
    const { member, context } = newMember({ gradualThresholdPercent: 20 });
    member.onMessage(request(RequestKind.OPEN, 1), context);
    context.willDraw(0);
    member.onMessage(request(RequestKind.OPEN, 2), context); // load 10%, then 20%: at the threshold
    member.onMessage(request(RequestKind.OPEN, 3), context);
    expect(context.recordsOf('redirect')).toEqual([]);
  });
});

describe('ClusterCATS member: requests', () => {
  it('a request redirected twice already is served where it lands', () => {
    const { member, context } = newMember();
    administer(member, context, { peakThresholdPercent: 0 });
    context.clear();
    member.onMessage(request(RequestKind.OPEN, 1, false, { redirects: 1 }), context);
    member.onMessage(request(RequestKind.OPEN, 2, false, { redirects: 2 }), context);
    expect(context.recordsOf('redirect')).toHaveLength(1);
    expect(context.recordsOf('accepted').map((record) => record.session)).toEqual([2]);
  });

  it('while draining, a new user is turned away when no peer can take it', () => {
    const { member, context } = newMember();
    peerReport(member, context, 2, 95);
    peerReport(member, context, 3, 95);
    openSession(member, context, 1);
    administer(member, context, { service: ClusterCatsService.STOPPED, drainDownPeriodUs: 60_000_000 });
    context.clear();
    member.onMessage(request(RequestKind.OPEN, 2), context);
    member.onMessage(request(RequestKind.IN_SESSION, 1), context);
    expect(responses(context)).toMatchObject([{ sessionId: 2, status: Status.REJECTED, cause: 'no-member-available' }]);
    expect(context.recordsOf('accepted').map((record) => record.session)).toEqual([1]);
  });

  it('refuses a request when every thread is busy and the queue is full', () => {
    const { member, context } = newMember({ threads: 1, queueLimit: 1 });
    for (let session = 1; session <= 3; session++) member.onMessage(request(RequestKind.OPEN, session, false, { redirects: 2 }), context);
    expect(responses(context)).toMatchObject([{ sessionId: 3, status: Status.REJECTED, cause: 'queue-full' }]);
    expect(context.recordsOf('accepted').map((record) => record.session)).toEqual([1, 2]);
  });

  it('records what it accepts', () => {
    const { member, context } = newMember();
    member.onMessage(request(RequestKind.OPEN, 1), context);
    expect(context.recordsOf('accepted')).toEqual([
      { type: 'accepted', server: 1, protocol: 1, kind: RequestKind.OPEN, request: expect.any(Number) as number, session: 1, affinityServer: -1, state: ServerState.RUNNING, mode: MaintenanceMode.UNSPECIFIED, workClass: '', maintenanceOnly: false },
    ]);
  });

  it('serves the waiting requests in order as threads free up, and counts sessions per protocol', () => {
    const { member, context } = newMember({ threads: 1, queueLimit: 5 });
    for (let session = 1; session <= 3; session++) member.onMessage(request(RequestKind.OPEN, session, false, { redirects: 2, serviceUs: 100 * session }), context);
    for (let step = 0; step < 3; step++) {
      const timer = context.timers.filter((pending) => pending.message.$case === 'timer' && pending.message.value.tag === 'service-done').sort((a, b) => a.atUs - b.atUs)[0]!;
      context.timers.splice(context.timers.indexOf(timer), 1);
      context.now = timer.atUs;
      member.onMessage(timer.message, context);
    }
    expect(responses(context).map((response) => [response.sessionId, response.status])).toEqual([
      [1, Status.OK],
      [2, Status.OK],
      [3, Status.OK],
    ]);
    expect(context.now).toBe(100 + 200 + 300);
    expect(context.recordsOf('server-sessions').map((record) => record.open)).toEqual([1, 2, 3]);
  });

  it('adds the replication cost to a service when a buddy keeps copies', () => {
    const { member, context } = newMember({ buddy: 2, replicationCostUs: 250 });
    member.onMessage(request(RequestKind.OPEN, 1, false, { serviceUs: 1_000 }), context);
    expect(timersTagged(context, 'service-done').map((timer) => timer.atUs)).toEqual([1_250]);
  });

  it('tells the buddy when a session closes, and closes it here', () => {
    const { member, context } = newMember({ buddy: 2, replicationCostUs: 0 });
    openSession(member, context, 1);
    context.clear();
    member.onMessage(request(RequestKind.CLOSE, 1, true), context);
    fire(member, context, 'service-done');
    expect(sentOf(context, 'replica')).toEqual([{ to: 2, value: { sessionId: 1, client, protocol: 1, owner: 1, closed: true } }]);
    expect(member.sessions.size).toBe(0);
    expect(context.recordsOf('server-sessions')).toEqual([{ type: 'server-sessions', server: 1, protocol: 1, open: 0, total: 0 }]);
    const closing = responses(context)[0]!;
    expect(closing).toMatchObject({ status: Status.OK, redirectAddress: '' });
  });

  it('users who hold a session are told the address to keep using: its own, or the one they came by when it lost its own', () => {
    const { member, context } = newMember();
    member.onMessage(address(AddressAction.HANDOVER, '10.0.0.2', 2), context);
    member.onMessage(request(RequestKind.OPEN, 1, false, { address: '10.0.0.2' }), context);
    fire(member, context, 'service-done');
    expect(responses(context).map((response) => response.redirectAddress)).toEqual(['10.0.0.1']);
  });

  it('without session awareness every request is balanced, and no address is handed to users', () => {
    const { member, context } = newMember({ sessionAware: false });
    openSession(member, context, 1);
    administer(member, context, { peakThresholdPercent: 0 });
    context.clear();
    member.onMessage(request(RequestKind.IN_SESSION, 1), context);
    expect(responses(context)).toMatchObject([{ sessionId: 1, status: Status.REDIRECT, redirectAddress: '10.0.0.3' }]);
  });
});

describe('ClusterCATS member: the edges of each rule', () => {
  it('claims its own address at start, with reason start', () => {
    const member = new ClusterCatsMember(memberConfig());
    const context = new FakeContext(1, 'scripted');
    member.onMessage(ClusterCatsMember.start(), context);
    expect(context.recordsOf('address-owner')).toEqual([{ type: 'address-owner', address: '10.0.0.1', owner: 1, change: 'acquire', reason: 'start' }]);
    expect(sentOf(context, 'address')).toEqual([{ to: lan, value: { address: '10.0.0.1', action: AddressAction.CLAIM, member: 1, reason: 'start', sessions: [] } }]);
  });

  it('a crash counts the requests waiting for a thread as lost too; with no session open it records no session change', () => {
    const { member, context } = newMember({ threads: 1, queueLimit: 5 });
    member.onMessage(request(RequestKind.OPEN, 1, false, { redirects: 2 }), context);
    member.onMessage(request(RequestKind.OPEN, 2, false, { redirects: 2 }), context);
    context.clear();
    member.onMessage(fault(FaultKind.CRASH), context);
    expect(context.recordsOf('lost')).toMatchObject([{ requests: 2, sessions: 2 }]);
    const empty = newMember();
    empty.member.onMessage(fault(FaultKind.CRASH), empty.context);
    expect(empty.context.recordsOf('server-sessions')).toEqual([]);
  });

  it('a stop after the drain has ended starts no new drain', () => {
    const { member, context } = newMember();
    administer(member, context, { service: ClusterCatsService.STOPPED, drainDownPeriodUs: 0 });
    administer(member, context, { service: ClusterCatsService.STOPPED, drainDownPeriodUs: 0 });
    expect(context.recordsOf('drain-started')).toHaveLength(1);
    expect(context.recordsOf('drain-ended')).toHaveLength(1);
  });

  it('a failed member that held no address keeps its session copies where they are', () => {
    const { member, context } = newMember();
    for (let session = 1; session <= 5; session++) member.onMessage(request(RequestKind.OPEN, session), context); // its own load 50%
    peerReport(member, context, 3, 10, ServerState.STOPPED, 90, { addresses: [] });
    member.onMessage({ $case: 'replica', value: { sessionId: 31, client, protocol: 1, owner: 3, closed: false } }, context);
    context.clear();
    silence(member, context, 3, { peer: 2, load: 10 });
    expect([...member.replicas.keys()]).toEqual([31]);
    expect(context.sent.filter(({ message }) => message.$case === 'address')).toEqual([]);
  });

  it('of a failed member with two addresses, only the first handover carries the session copies', () => {
    const { member, context } = newMember();
    for (let session = 1; session <= 5; session++) member.onMessage(request(RequestKind.OPEN, session), context);
    peerReport(member, context, 3, 10, ServerState.RUNNING, 90, { addresses: ['10.0.0.3', '10.0.0.9'] });
    member.onMessage({ $case: 'replica', value: { sessionId: 31, client, protocol: 1, owner: 3, closed: false } }, context);
    context.clear();
    silence(member, context, 3, { peer: 2, load: 10 });
    expect(sentOf(context, 'address').map(({ to, value }) => [to, value.address, value.sessions.map((copy) => copy.sessionId)])).toEqual([
      [2, '10.0.0.3', [31]],
      [2, '10.0.0.9', []],
    ]);
  });

  it('ring members never heard from are passed over when the coordinator is worked out', () => {
    const { member, context } = newMember({ ring: [2, 6, 1, 3] });
    context.now = 1_900_000;
    member.onMessage({ $case: 'heartbeat', value: { from: 6, sequence: 0, sentAtUs: 1_900_000 } }, context);
    peerReport(member, context, 3, 60);
    context.now = 2_500_000;
    fire(member, context, 'heartbeat');
    expect(member.held).toEqual(['10.0.0.1', '10.0.0.2']);
  });

  it('a member out of service does not coordinate: the next member in the ring does', () => {
    const { member, context } = newMember();
    administer(member, context, { service: ClusterCatsService.STOPPED, drainDownPeriodUs: 0 });
    context.clear();
    silence(member, context, 3, { peer: 2, load: 10 });
    expect(context.sent.filter(({ message }) => message.$case === 'address')).toEqual([]);
  });

  it('a suspected member does not coordinate either: the next one in the ring does', () => {
    const { member, context } = newMember({ ring: [2, 3, 1] });
    context.now = 2_500_000;
    fire(member, context, 'heartbeat'); // members 2 and 3 both silent
    expect(member.held).toEqual(['10.0.0.1', '10.0.0.2', '10.0.0.3']);
  });

  it('a member in maintenance coordinates a takeover (it is in service)', () => {
    const { member, context } = newMember({ ring: [2, 3, 1] });
    context.clear();
    silence(member, context, 2, { peer: 3, load: 0, state: ServerState.MAINTENANCE });
    expect(member.held).toEqual(['10.0.0.1']);
    expect(context.sent.filter(({ message }) => message.$case === 'address')).toEqual([]);
  });

  it('no redirect goes to a suspected peer', () => {
    const { member, context } = newMember();
    silence(member, context, 3, { peer: 2, load: 60 });
    administer(member, context, { peakThresholdPercent: 0 });
    context.clear();
    member.onMessage(request(RequestKind.OPEN, 1), context);
    expect(responses(context)[0]!.redirectAddress).toBe('10.0.0.2');
  });

  it('between the thresholds a draw equal to the share stays; at the gradual threshold nothing is drawn', () => {
    const { member, context } = newMember();
    for (let session = 1; session <= 5; session++) member.onMessage(request(RequestKind.OPEN, session), context); // 50%: share 0.5
    context.willDraw(0.5);
    member.onMessage(request(RequestKind.OPEN, 6), context);
    expect(context.recordsOf('redirect')).toEqual([]);
    const atThreshold = newMember({ gradualThresholdPercent: 10 });
    atThreshold.member.onMessage(request(RequestKind.OPEN, 1), atThreshold.context); // load 10%
    atThreshold.context.willDraw(0);
    atThreshold.member.onMessage(request(RequestKind.OPEN, 2), atThreshold.context);
    expect(atThreshold.context.rng('any')()).toBe(0); // the scripted draw is still there
  });

  it('with no queue, a request is served as long as a thread is free', () => {
    const { member, context } = newMember({ threads: 2, queueLimit: 0 });
    member.onMessage(request(RequestKind.OPEN, 1, false, { redirects: 2 }), context);
    member.onMessage(request(RequestKind.OPEN, 2, false, { redirects: 2 }), context);
    member.onMessage(request(RequestKind.OPEN, 3, false, { redirects: 2 }), context);
    expect(context.recordsOf('accepted').map((record) => record.session)).toEqual([1, 2]);
    expect(responses(context)).toEqual([expect.objectContaining({ sessionId: 3, status: Status.REJECTED, cause: 'queue-full', retryable: false })]);
  });

  it('answers OK with no cause, and nobody retries a member’s refusal', () => {
    const { member, context } = newMember();
    openSession(member, context, 1);
    expect(responses(context)).toEqual([expect.objectContaining({ status: Status.OK, cause: '', retryable: false })]);
  });

  it('a session recovered from a copy and cut at a drain’s end is told to its own client', () => {
    const { member, context } = newMember();
    member.onMessage({ $case: 'replica', value: { sessionId: 9, client: 77, protocol: 1, owner: 3, closed: false } }, context);
    member.onMessage(request(RequestKind.IN_SESSION, 9), context);
    fire(member, context, 'service-done');
    administer(member, context, { service: ClusterCatsService.STOPPED, drainDownPeriodUs: 1_000 });
    context.clear();
    fire(member, context, 'drain-deadline');
    expect(context.sent).toContainEqual({ to: 77, message: { $case: 'response', value: expect.objectContaining({ requestId: 0, sessionId: 9, protocol: 1, client: 77 }) as object } });
  });

  it('without a buddy nothing is copied and no replication cost is added', () => {
    const { member, context } = newMember({ replicationCostUs: 250 });
    member.onMessage(request(RequestKind.OPEN, 1, false, { serviceUs: 1_000 }), context);
    expect(timersTagged(context, 'service-done').map((timer) => timer.atUs)).toEqual([1_000]);
    fire(member, context, 'service-done');
    expect(sentOf(context, 'replica')).toEqual([]);
  });

  it('a conflict sets no new report timer (the periodic one keeps going)', () => {
    const { member, context } = newMember({ dynamicAddressing: false });
    administer(member, context, { service: ClusterCatsService.STOPPED, drainDownPeriodUs: 0 });
    administer(member, context, { service: ClusterCatsService.RUNNING });
    context.clear({ timers: true });
    member.onMessage(address(AddressAction.HELD, '10.0.0.1', 3), context);
    expect(context.timers).toEqual([]);
  });

  it('unknown timers, faults and address actions are bugs, and say so', () => {
    const { member, context } = newMember();
    expect(() => member.onMessage({ $case: 'timer', value: { tag: 'nap', ref: 0 } }, context)).toThrow('node1/app-1 has no timer "nap"');
    expect(() => member.onMessage(fault(FaultKind.PARTITION), context)).toThrow('node1/app-1 cannot take a fault of kind 4');
    expect(() => member.onMessage(address(AddressAction.CLAIM, '10.0.0.1', 2), context)).toThrow('node1/app-1 cannot handle address action 1');
    expect(() => member.onMessage({ $case: 'loadTable', value: { reports: [] } }, context)).toThrow();
  });
});
