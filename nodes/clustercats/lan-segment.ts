import {
  AddressAction,
  Status,
  responseTo,
  unexpected,
  type AddressMessage,
  type Message,
  type NodeActor,
  type NodeContext,
  type Request,
} from '../messages.js';

/**
 * The LAN the members share: it delivers a packet for an IP address to the member that last
 * claimed the address (gratuitous ARP), and answers probes for an address (ARP probe). It
 * decides nothing: two members may claim one address, and the last claim wins the traffic.
 */
export class LanSegment implements NodeActor {
  readonly name: string;
  private readonly owners: Map<string, number>;

  constructor(name: string, initialOwners: ReadonlyMap<string, number>) {
    this.name = name;
    this.owners = new Map(initialOwners);
  }

  onMessage(message: Message, context: NodeContext): void {
    switch (message.$case) {
      case 'request':
        return this.deliver(message.value, context);
      case 'address':
        return this.arp(message.value, context);
      default:
        return unexpected(this.name, message);
    }
  }

  ownerOf(address: string): number | undefined {
    return this.owners.get(address);
  }

  private deliver(request: Request, context: NodeContext): void {
    const owner = this.owners.get(request.address);
    if (owner !== undefined) return context.send(owner, { $case: 'request', value: request });
    // Nobody answers ARP for the address: the client's stack reports the host unreachable.
    context.send(request.client, { $case: 'response', value: responseTo(request, Status.REJECTED, 'address-unreachable', -1) });
  }

  private arp(message: AddressMessage, context: NodeContext): void {
    switch (message.action) {
      case AddressAction.CLAIM:
        this.owners.set(message.address, message.member);
        return;
      case AddressAction.RELEASE:
        if (this.owners.get(message.address) === message.member) this.owners.delete(message.address);
        return;
      case AddressAction.PROBE: {
        const holder = this.owners.get(message.address);
        const free = holder === undefined || holder === message.member;
        context.send(message.member, {
          $case: 'address',
          value: {
            address: message.address,
            action: free ? AddressAction.FREE : AddressAction.HELD,
            member: holder ?? -1,
            reason: 'probe',
            sessions: [],
          },
        });
        return;
      }
      default:
        throw new Error(`${this.name} cannot handle address action ${message.action}`);
    }
  }
}
