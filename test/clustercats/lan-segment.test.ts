import { describe, expect, it } from 'vitest';
import { LanSegment } from '../../nodes/clustercats/lan-segment.js';
import { AddressAction, Status, type AddressMessage, type Message } from '../../nodes/messages.js';
import { FakeContext } from '../helpers/fake-context.js';
import { clientActor, request, requestMessage } from '../helpers/requests.js';

// Members 1 to 3 share the LAN (actor 4); member 1 holds 10.0.0.1 and member 2 holds 10.0.0.2 at the start.
const lanActor = 4;

function newLan(): { lan: LanSegment; context: FakeContext } {
  const lan = new LanSegment('lan', new Map([
    ['10.0.0.1', 1],
    ['10.0.0.2', 2],
  ]));
  return { lan, context: new FakeContext(lanActor) };
}

function address(action: AddressAction, addressed: string, member: number): Message {
  const value: AddressMessage = { address: addressed, action, member, reason: 'test', sessions: [] };
  return { $case: 'address', value };
}

function packetFor(addressed: string, id = 1): Message {
  return requestMessage({ id, address: addressed });
}

/** The member each packet was delivered to. */
function deliveredTo(lan: LanSegment, context: FakeContext, addressed: string): number[] {
  lan.onMessage(packetFor(addressed), context);
  return context.take().map((sent) => sent.to);
}

describe('ClusterCATS LAN segment: delivery', () => {
  it('delivers a packet, unchanged, to the member that holds its address from the start', () => {
    const { lan, context } = newLan();
    lan.onMessage(packetFor('10.0.0.2', 7), context);
    expect(context.take()).toEqual([{ to: 2, message: { $case: 'request', value: request({ id: 7, address: '10.0.0.2' }) } }]);
    expect(lan.ownerOf('10.0.0.1')).toBe(1);
    expect(lan.ownerOf('10.0.0.9')).toBeUndefined();
  });

  it('a claim moves the traffic to the claimant, and the last of two claims wins', () => {
    const { lan, context } = newLan();
    lan.onMessage(address(AddressAction.CLAIM, '10.0.0.1', 3), context);
    expect(context.take()).toEqual([]); // a gratuitous ARP is not answered
    expect(lan.ownerOf('10.0.0.1')).toBe(3);
    expect(deliveredTo(lan, context, '10.0.0.1')).toEqual([3]);
    lan.onMessage(address(AddressAction.CLAIM, '10.0.0.1', 2), context);
    expect(deliveredTo(lan, context, '10.0.0.1')).toEqual([2]);
    lan.onMessage(address(AddressAction.CLAIM, '10.0.0.1', 3), context);
    expect(deliveredTo(lan, context, '10.0.0.1')).toEqual([3]);
    expect(deliveredTo(lan, context, '10.0.0.2')).toEqual([2]);
  });

  it('a claim of an address nobody held makes it reachable', () => {
    const { lan, context } = newLan();
    lan.onMessage(address(AddressAction.CLAIM, '10.0.0.3', 3), context);
    expect(deliveredTo(lan, context, '10.0.0.3')).toEqual([3]);
  });

  it('rejects a packet for an address nobody holds back to its client as unreachable', () => {
    const { lan, context } = newLan();
    lan.onMessage(requestMessage({ id: 8, sessionId: 12, address: '10.0.0.9', attempts: 2, redirects: 1, sentAtUs: 300, workClass: 'gold' }), context);
    expect(context.take()).toEqual([
      {
        to: clientActor,
        message: {
          $case: 'response',
          value: {
            requestId: 8,
            protocol: request().protocol,
            kind: request().kind,
            sessionId: 12,
            status: Status.REJECTED,
            cause: 'address-unreachable',
            server: -1,
            client: clientActor,
            sentAtUs: 300,
            attempts: 2,
            redirects: 1,
            workClass: 'gold',
            retryable: false,
            redirectAddress: '',
            othersInFlight: 0,
          },
        },
      },
    ]);
  });
});

describe('ClusterCATS LAN segment: releasing an address', () => {
  it('a release by the holder frees the address: its packets are rejected as unreachable', () => {
    const { lan, context } = newLan();
    lan.onMessage(address(AddressAction.RELEASE, '10.0.0.1', 1), context);
    expect(context.take()).toEqual([]);
    expect(lan.ownerOf('10.0.0.1')).toBeUndefined();
    lan.onMessage(packetFor('10.0.0.1'), context);
    expect(context.take()).toMatchObject([{ to: clientActor, message: { $case: 'response', value: { status: Status.REJECTED, cause: 'address-unreachable', server: -1 } } }]);
    expect(deliveredTo(lan, context, '10.0.0.2')).toEqual([2]);
  });

  it('a release by a member that does not hold the address changes nothing', () => {
    const { lan, context } = newLan();
    lan.onMessage(address(AddressAction.RELEASE, '10.0.0.1', 3), context);
    expect(context.take()).toEqual([]);
    expect(lan.ownerOf('10.0.0.1')).toBe(1);
    expect(deliveredTo(lan, context, '10.0.0.1')).toEqual([1]);
  });

  it('after two claims, only the last claimant can free the address by releasing it', () => {
    const { lan, context } = newLan();
    lan.onMessage(address(AddressAction.CLAIM, '10.0.0.1', 3), context);
    lan.onMessage(address(AddressAction.RELEASE, '10.0.0.1', 1), context);
    expect(deliveredTo(lan, context, '10.0.0.1')).toEqual([3]);
    lan.onMessage(address(AddressAction.RELEASE, '10.0.0.1', 3), context);
    expect(lan.ownerOf('10.0.0.1')).toBeUndefined();
  });
});

describe('ClusterCATS LAN segment: probes (ARP probe)', () => {
  /** The LAN's answer to `prober`: `holder` is the member holding the address, -1 for none. */
  function answer(prober: number, action: AddressAction, addressed: string, holder: number): { to: number; message: Message } {
    return { to: prober, message: { $case: 'address', value: { address: addressed, action, member: holder, reason: 'probe', sessions: [] } } };
  }

  it('answers FREE, with no holder, to the prober of an address nobody holds', () => {
    const { lan, context } = newLan();
    lan.onMessage(address(AddressAction.PROBE, '10.0.0.3', 3), context);
    expect(context.take()).toEqual([answer(3, AddressAction.FREE, '10.0.0.3', -1)]);
    expect(lan.ownerOf('10.0.0.3')).toBeUndefined();
  });

  it('answers FREE to a prober that holds the address itself', () => {
    const { lan, context } = newLan();
    lan.onMessage(address(AddressAction.PROBE, '10.0.0.2', 2), context);
    expect(context.take()).toEqual([answer(2, AddressAction.FREE, '10.0.0.2', 2)]);
  });

  it('answers HELD with the holder to a prober of an address another member holds, and leaves it held', () => {
    const { lan, context } = newLan();
    lan.onMessage(address(AddressAction.PROBE, '10.0.0.1', 3), context);
    expect(context.take()).toEqual([answer(3, AddressAction.HELD, '10.0.0.1', 1)]);
    expect(lan.ownerOf('10.0.0.1')).toBe(1);
    expect(deliveredTo(lan, context, '10.0.0.1')).toEqual([1]);
  });

  it('answers a probe from what the last claim and release left', () => {
    const { lan, context } = newLan();
    lan.onMessage(address(AddressAction.CLAIM, '10.0.0.1', 3), context);
    lan.onMessage(address(AddressAction.PROBE, '10.0.0.1', 1), context);
    expect(context.take()).toEqual([answer(1, AddressAction.HELD, '10.0.0.1', 3)]);
    lan.onMessage(address(AddressAction.RELEASE, '10.0.0.1', 3), context);
    lan.onMessage(address(AddressAction.PROBE, '10.0.0.1', 1), context);
    expect(context.take()).toEqual([answer(1, AddressAction.FREE, '10.0.0.1', -1)]);
  });
});

describe('ClusterCATS LAN segment: wiring errors', () => {
  it('throws on a message it does not expect', () => {
    const { lan, context } = newLan();
    expect(() => lan.onMessage({ $case: 'timer', value: { tag: 'publish', ref: 0 } }, context)).toThrow('lan cannot handle a timer message');
  });

  it('throws on an address action meant for members, naming it', () => {
    const { lan, context } = newLan();
    expect(() => lan.onMessage(address(AddressAction.HANDOVER, '10.0.0.1', 3), context)).toThrow(`lan cannot handle address action ${AddressAction.HANDOVER}`);
    expect(() => lan.onMessage(address(AddressAction.HELD, '10.0.0.1', 3), context)).toThrow('lan cannot handle address action');
    expect(context.take()).toEqual([]);
    expect(lan.ownerOf('10.0.0.1')).toBe(1);
  });
});
