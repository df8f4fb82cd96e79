import { describe, expect, it } from 'vitest';
import { AddressAction, FaultKind, type Message } from '../../nodes/messages.js';
import type { FakeContext } from '../helpers/fake-context.js';
import { lan, newMember } from '../helpers/member.js';

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
