import { ClusterCatsMember, type MemberConfig } from '../../nodes/clustercats/member.js';
import { ClusterCatsService, RequestKind, ServerState, type ClusterCatsCommand, type Message, type Request, type Response } from '../../nodes/messages.js';
import { constant } from '../../sim/kernel/distributions.js';
import { FakeContext } from './fake-context.js';
import { requestMessage } from './requests.js';

/**
 * Driving one ClusterCATS member message by message: member 1 of a ring of three, the LAN is
 * actor 4, the clients actor 5. Peers 2 and 3 have reported loads of 50% and 20%.
 */
export const lan = 4;
export const client = 5;

export function memberConfig(overrides: Partial<MemberConfig> = {}): MemberConfig {
  return {
    name: 'node1/app-1',
    self: 1,
    address: '10.0.0.1',
    ring: [1, 2, 3],
    lan,
    threads: 10,
    queueLimit: 10,
    service: constant(1_000),
    gradualThresholdPercent: 10,
    peakThresholdPercent: 90,
    sessionAware: true,
    dynamicAddressing: true,
    heartbeatIntervalUs: 500_000,
    failureTimeoutUs: 2_000_000,
    loadReportIntervalUs: 1_000_000,
    buddy: undefined,
    replicationCostUs: 0,
    isDown: () => false,
    ...overrides,
  };
}

export function newMember(overrides: Partial<MemberConfig> = {}): { member: ClusterCatsMember; context: FakeContext } {
  const member = new ClusterCatsMember(memberConfig(overrides));
  const context = new FakeContext(1, 'scripted');
  member.onMessage(ClusterCatsMember.start(), context);
  peerReport(member, context, 2, 50);
  peerReport(member, context, 3, 20);
  context.clear();
  return { member, context };
}

export function peerReport(
  member: ClusterCatsMember,
  context: FakeContext,
  peer: number,
  loadPercent: number,
  state = ServerState.RUNNING,
  peak = 90,
  facts: { addresses?: string[]; conflict?: boolean; threads?: number } = {},
): void {
  const address = `10.0.0.${peer}`;
  member.onMessage(
    {
      $case: 'memberReport',
      value: {
        load: { server: peer, atUs: context.now, state, mode: 0, inFlight: 0, threads: facts.threads ?? 10, queued: 0, loadPercent, openSessions: 0, completedInInterval: 0, responseTimeSumUs: 0, errorsInInterval: 0 },
        address,
        peakThresholdPercent: peak,
        addresses: facts.addresses ?? [address],
        addressConflict: facts.conflict ?? false,
      },
    },
    context,
  );
}

let nextId = 1;
/** A request of session `sessionId` from the clients (actor 5) to 10.0.0.1, with its own id. */
export function request(kind: RequestKind, sessionId: number, last = false, overrides: Partial<Request> = {}): Message {
  return requestMessage({ id: nextId++, protocol: 1, kind, sessionId, client, address: '10.0.0.1', last, ...overrides });
}

export function responses(context: FakeContext): Response[] {
  return context.sent.flatMap((sent) => (sent.message.$case === 'response' ? [sent.message.value] : []));
}

/** Delivers every timer set so far with the given tag. */
export function fire(member: ClusterCatsMember, context: FakeContext, tag: string): void {
  const due = context.timers.filter((timer) => timer.message.$case === 'timer' && timer.message.value.tag === tag);
  context.timers = context.timers.filter((timer) => !due.includes(timer));
  for (const timer of due) {
    context.now = Math.max(context.now, timer.atUs);
    member.onMessage(timer.message, context);
  }
}

export function administer(member: ClusterCatsMember, context: FakeContext, value: Partial<ClusterCatsCommand>): void {
  member.onMessage({ $case: 'clustercats', value: { service: ClusterCatsService.UNSPECIFIED, drainDownPeriodUs: 0, ...value } }, context);
}

/** Opens a session and lets its first request finish, so the member holds it idle. */
export function openSession(member: ClusterCatsMember, context: FakeContext, sessionId: number): void {
  member.onMessage(request(RequestKind.OPEN, sessionId), context);
  fire(member, context, 'service-done');
}
