import { describe, expect, it } from 'vitest';
import { ClusterCatsMember } from '../../nodes/clustercats/member.js';
import { AddressAction, ClusterCatsService, FaultKind, ServerState, type Message } from '../../nodes/messages.js';
import { FakeContext } from '../helpers/fake-context.js';
import { administer, fire, lan, memberConfig, newMember, peerReport } from '../helpers/member.js';

function fault(kind: FaultKind): Message {
  return { $case: 'fault', value: { kind, target: 'node1/app-1', factor: 1, detail: 'node' } };
}

function handover(address: string, from: number): Message {
  return { $case: 'address', value: { address, action: AddressAction.HANDOVER, member: from, reason: 'failover', sessions: [] } };
}

function addressMessagesTo(context: FakeContext, to: number): { address: string; action: AddressAction }[] {
  return context.sent.flatMap((sent) => (sent.to === to && sent.message.$case === 'address' ? [{ address: sent.message.value.address, action: sent.message.value.action }] : []));
}

describe('ClusterCATS member: edges of crash and restart', () => {
  it('back from a crash, it frees on the LAN the addresses it had taken over: it no longer answers for them, so their owner can claim them', () => {
    const { member, context } = newMember();
    member.onMessage(handover('10.0.0.3', 2), context); // took over member 3's address
    expect(member.held).toEqual(['10.0.0.1', '10.0.0.3']);
    member.onMessage(fault(FaultKind.CRASH), context);
    context.clear({ timers: true });
    context.now = 10_000_000;
    member.onMessage(fault(FaultKind.RESTART), context);
    expect(addressMessagesTo(context, lan)).toEqual([
      { address: '10.0.0.3', action: AddressAction.RELEASE },
      { address: '10.0.0.1', action: AddressAction.PROBE },
    ]);
    // Only once: a second crash and restart has nothing more to free.
    member.onMessage(fault(FaultKind.CRASH), context);
    context.clear({ timers: true });
    member.onMessage(fault(FaultKind.RESTART), context);
    expect(addressMessagesTo(context, lan)).toEqual([{ address: '10.0.0.1', action: AddressAction.PROBE }]);
  });
});

/** A member that has heard from no peer yet, as at time zero. */
function loneMember(): { member: ClusterCatsMember; context: FakeContext } {
  const member = new ClusterCatsMember(memberConfig());
  const context = new FakeContext(1, 'scripted');
  member.onMessage(ClusterCatsMember.start(), context);
  context.clear();
  return { member, context };
}

describe('ClusterCATS member: back from a crash it knows nothing of its peers', () => {
  it('a peer that failed while it was down, whose address another member took meanwhile, is not taken over again from the picture before the crash', () => {
    const { member, context } = newMember({ ring: [3, 1, 2] }); // peer 3 reported at 0 with its address
    member.onMessage(fault(FaultKind.CRASH), context);
    context.now = 100_000_000;
    member.onMessage(fault(FaultKind.RESTART), context);
    context.clear();
    context.now = 101_000_000;
    peerReport(member, context, 2, 10, ServerState.RUNNING, 90, { addresses: ['10.0.0.2', '10.0.0.3'] });
    context.now = 102_500_000; // 3 has been silent since the restart: suspected now
    fire(member, context, 'heartbeat');
    expect(context.recordsOf('suspicion').map((record) => record.member)).toContain(3);
    expect(member.held).not.toContain('10.0.0.3');
    expect(addressMessagesTo(context, 2)).toEqual([]);
  });
});

describe('ClusterCATS member: a failover that finds no peer', () => {
  it('releases its address, then hands it to the first peer that reports running', () => {
    const { member, context } = loneMember();
    administer(member, context, { service: ClusterCatsService.STOPPED, drainDownPeriodUs: 0 });
    expect(addressMessagesTo(context, lan)).toEqual([{ address: '10.0.0.1', action: AddressAction.RELEASE }]);
    context.clear();
    peerReport(member, context, 2, 50, ServerState.MAINTENANCE, 0); // not available: nothing yet
    expect(addressMessagesTo(context, 2)).toEqual([]);
    peerReport(member, context, 3, 20);
    expect(addressMessagesTo(context, 3)).toEqual([{ address: '10.0.0.1', action: AddressAction.HANDOVER }]);
    context.clear();
    peerReport(member, context, 2, 10);
    expect(context.sent.filter((sent) => sent.message.$case === 'address')).toEqual([]);
  });

  it('cut off from its peers (they suspect it and take its address themselves), it hands nothing over once it hears them again', () => {
    const { member, context } = newMember();
    context.now = 2_500_000; // peers silent since their reports at 0: suspected at this heartbeat
    fire(member, context, 'heartbeat');
    expect(context.recordsOf('suspicion').map((record) => record.member)).toEqual([2, 3]);
    administer(member, context, { service: ClusterCatsService.STOPPED, drainDownPeriodUs: 0 });
    expect(addressMessagesTo(context, lan)).toContainEqual({ address: '10.0.0.1', action: AddressAction.RELEASE });
    context.clear();
    peerReport(member, context, 3, 20, ServerState.RUNNING, 90, { addresses: ['10.0.0.3'] });
    expect(context.sent.filter((sent) => sent.message.$case === 'address')).toEqual([]);
  });

  it('keeps its address to itself once it runs again before any peer could take it', () => {
    const { member, context } = loneMember();
    administer(member, context, { service: ClusterCatsService.STOPPED, drainDownPeriodUs: 0 });
    administer(member, context, { service: ClusterCatsService.RUNNING });
    context.clear();
    peerReport(member, context, 3, 20);
    expect(addressMessagesTo(context, 3)).toEqual([]);
  });
});

describe('ClusterCATS member: after a partition heals', () => {
  it('gives back an address it took over on a false suspicion to its owner, who kept it, even at 0%', () => {
    const { member, context } = newMember();
    context.now = 2_500_000; // peers silent: both suspected, and this member takes their addresses
    fire(member, context, 'heartbeat');
    expect(member.held).toEqual(['10.0.0.1', '10.0.0.2', '10.0.0.3']);
    context.clear();
    peerReport(member, context, 3, 20, ServerState.MAINTENANCE, 0, { addresses: ['10.0.0.3'] });
    expect(member.held).toEqual(['10.0.0.1', '10.0.0.2']);
    expect(addressMessagesTo(context, 3)).toEqual([{ address: '10.0.0.3', action: AddressAction.HANDOVER }]);
  });

  it('an address another taker handed over as a duplicate goes back to its owner too', () => {
    const { member, context } = newMember();
    member.onMessage({ $case: 'address', value: { address: '10.0.0.3', action: AddressAction.HANDOVER, member: 2, reason: 'duplicate', sessions: [] } }, context);
    context.clear();
    peerReport(member, context, 3, 20, ServerState.MAINTENANCE, 0, { addresses: ['10.0.0.3'] });
    expect(member.held).toEqual(['10.0.0.1']);
    expect(addressMessagesTo(context, 3)).toEqual([{ address: '10.0.0.3', action: AddressAction.HANDOVER }]);
  });

  it('keeps an address its owner handed over itself, whatever an older report of the owner still says', () => {
    const { member, context } = newMember();
    member.onMessage({ $case: 'address', value: { address: '10.0.0.3', action: AddressAction.HANDOVER, member: 3, reason: 'failover', sessions: [] } }, context);
    context.clear();
    peerReport(member, context, 3, 20, ServerState.MAINTENANCE, 0, { addresses: ['10.0.0.3'] });
    expect(member.held).toEqual(['10.0.0.1', '10.0.0.3']);
    expect(addressMessagesTo(context, 3)).toEqual([]);
  });
});

describe('ClusterCATS member: two takers of a failed member\'s address after a heal', () => {
  /** Member 3 fails as a partition stands: this member takes 10.0.0.3, and so did member 2 on its side. */
  function bothTook(ring: number[]): { member: ClusterCatsMember; context: FakeContext } {
    const { member, context } = newMember({ ring });
    context.now = 1_900_000;
    peerReport(member, context, 2, 50);
    context.now = 2_500_000;
    fire(member, context, 'heartbeat');
    expect(member.held).toContain('10.0.0.3');
    context.clear();
    peerReport(member, context, 2, 50, ServerState.RUNNING, 90, { addresses: ['10.0.0.2', '10.0.0.3'] });
    return { member, context };
  }

  it('the one later in ring order hands its claim to the earlier, so that one member answers for it', () => {
    const { member, context } = bothTook([2, 3, 1]);
    expect(member.held).toEqual(['10.0.0.1']);
    expect(addressMessagesTo(context, 2)).toEqual([{ address: '10.0.0.3', action: AddressAction.HANDOVER }]);
  });

  it('the earlier one keeps it and waits for the other to hand its claim over', () => {
    const { member, context } = bothTook([1, 2, 3]);
    expect(member.held).toEqual(['10.0.0.1', '10.0.0.3']);
    expect(context.sent.filter((sent) => sent.message.$case === 'address')).toEqual([]);
  });
});

describe('ClusterCATS member: two claims on a stopped member\'s address after a heal', () => {
  it('the later in ring order hands its claim over, though the owner is heard: stopped, it takes nothing back', () => {
    const { member, context } = newMember({ ring: [2, 3, 1] });
    member.onMessage({ $case: 'address', value: { address: '10.0.0.3', action: AddressAction.HANDOVER, member: 3, reason: 'failover', sessions: [] } }, context);
    peerReport(member, context, 3, 0, ServerState.STOPPED, 0, { addresses: [] });
    context.clear();
    peerReport(member, context, 2, 50, ServerState.RUNNING, 90, { addresses: ['10.0.0.2', '10.0.0.3'] });
    expect(member.held).toEqual(['10.0.0.1']);
    expect(addressMessagesTo(context, 2)).toEqual([{ address: '10.0.0.3', action: AddressAction.HANDOVER }]);
  });
});

describe('ClusterCATS member: the end of a drain as its peers hear it', () => {
  it('reports itself stopped holding nothing: the address has gone to the taker, and a crash just after must not make it look held', () => {
    const { member, context } = newMember();
    administer(member, context, { service: ClusterCatsService.STOPPED, drainDownPeriodUs: 0 });
    const reports = context.sent.flatMap((sent) => (sent.message.$case === 'memberReport' ? [sent.message.value] : []));
    const stopped = reports.filter((report) => report.load!.state === ServerState.STOPPED);
    expect(stopped.length).toBeGreaterThan(0);
    for (const report of stopped) expect(report.addresses).toEqual([]);
    expect(addressMessagesTo(context, 3)).toEqual([{ address: '10.0.0.1', action: AddressAction.HANDOVER }]);
  });
});
