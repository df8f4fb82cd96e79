import { AddressAction, ServerState, type NodeContext } from '../messages.js';
import type { FailureDetector } from '../membership/failure-detector.js';
import type { AddressOwnership } from './address-ownership.js';
import type { PeerView, PeerViews } from './peer-views.js';
import type { SessionBook } from './session-book.js';

/** What the takeover reads of the member that runs it. */
export interface TakeoverCandidate {
  /** Serving, and not in an address conflict: it may coordinate. */
  inService: boolean;
  /** Serving with a peak threshold above 0%: it may take the addresses itself. */
  available: boolean;
  loadPercent: number;
}

/**
 * IP takeover of a failed member. Every survivor computes the same coordinator without a
 * vote: the first member after the failed one in ring order that it does not suspect and
 * that is in service. The coordinator hands the failed member's addresses, with the session
 * copies it holds of it, to the most available member (itself included).
 */
export class IpTakeover {
  constructor(
    private readonly ring: readonly number[],
    private readonly self: number,
    private readonly views: PeerViews,
    private readonly detector: FailureDetector,
    private readonly addresses: AddressOwnership,
    private readonly book: SessionBook,
  ) {}

  onSuspect(member: number, candidate: TakeoverCandidate, context: NodeContext): void {
    const view = this.views.get(member);
    if (view === undefined || view.addresses.length === 0) return;
    if (this.coordinatorFor(member, candidate.inService) !== context.self) return;
    const taker = this.mostAvailableMember(candidate, context);
    const sessions = taker === context.self ? [] : this.book.takeReplicasOf(member);
    view.addresses.forEach((address, index) => {
      if (taker === context.self) {
        this.addresses.acquire(address, 'failover', context);
        this.addresses.markTakenOnSuspicion(address);
      }
      else context.send(taker, { $case: 'address', value: { address, action: AddressAction.HANDOVER, member: context.self, reason: 'failover', sessions: index === 0 ? sessions : [] } });
    });
    view.addresses = [];
  }

  /**
   * Both sides of a partition may have taken over one address (of a failed member, or of a
   * stopped one from the peer it had handed it to). Of two holders that hear each other again,
   * the one later in ring order hands its claim to the earlier (which claims it again on the
   * LAN), so that one member answers for it. An address whose owner is heard running, or still
   * holding it, goes back to the owner instead (give-back).
   */
  resolveDuplicates(peer: PeerView, context: NodeContext): void {
    // Cheap tests first: nearly every report lists the peer's own address alone.
    const onlyItsOwn = peer.addresses.length === 0 || (peer.addresses.length === 1 && peer.addresses[0] === peer.address);
    if (onlyItsOwn || (peer.state !== ServerState.RUNNING && peer.state !== ServerState.MAINTENANCE)) return;
    const ring = this.ring;
    for (const address of peer.addresses) {
      if (address === peer.address || !this.addresses.holdsPeerAddress(address)) continue;
      if (ring.indexOf(peer.actor) > ring.indexOf(this.self)) return; // the peer is the later one: it hands over
      const owner = ring.find((member) => this.views.get(member)?.address === address);
      const ownerView = owner === undefined ? undefined : this.views.get(owner)!;
      if (ownerView !== undefined && !this.detector.isSuspected(ownerView.actor) && (ownerView.state === ServerState.RUNNING || ownerView.addresses.includes(address))) continue;
      this.addresses.release(address, 'duplicate', context);
      context.send(peer.actor, { $case: 'address', value: { address, action: AddressAction.HANDOVER, member: context.self, reason: 'duplicate', sessions: [] } });
    }
  }

  private coordinatorFor(failed: number, selfInService: boolean): number | undefined {
    const ring = this.ring;
    const start = ring.indexOf(failed);
    for (let offset = 1; offset < ring.length; offset++) {
      const member = ring[(start + offset) % ring.length]!;
      if (this.views.get(member) === undefined && member !== this.self) continue;
      if (member === this.self) {
        if (selfInService) return member;
        continue;
      }
      if (this.detector.isSuspected(member)) continue;
      const state = this.views.get(member)!.state;
      if (state === ServerState.RUNNING || state === ServerState.MAINTENANCE) return member;
    }
    return undefined;
  }

  /** The most available member for a takeover: peers by their reports, this one by its own load. */
  private mostAvailableMember(candidate: TakeoverCandidate, context: NodeContext): number {
    const peer = this.views.mostAvailable(-1);
    if (peer === undefined) return context.self;
    return candidate.available && candidate.loadPercent <= peer.loadPercent ? context.self : peer.actor;
  }
}
