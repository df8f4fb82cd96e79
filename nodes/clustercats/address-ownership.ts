import { AddressAction, ServerState, type NodeContext, type SessionReplica } from '../messages.js';
import type { PeerView } from './peer-views.js';

/**
 * The IP addresses a member answers for: its own, and any it took over. Claims go to the LAN
 * segment, which delivers an address's packets to its holder; addresses leave by handover to
 * a peer or by release on the LAN.
 */
export class AddressOwnership {
  readonly held: string[] = [];
  /** A probe for the own address is out on the LAN: its answer (free or held) is awaited. */
  probing = false;
  /** Addresses of others held when the machine crashed: the LAN still delivers them here. */
  private othersHeldAtCrash: string[] = [];
  /** Addresses held because their owner was suspected, not handed over by the owner itself. */
  private readonly takenOnSuspicion = new Set<string>();
  /** The own address was released at a failover that found no peer to take it: the first one available will. */
  private ownAwaitsTaker = false;

  constructor(
    private readonly ownAddress: string,
    private readonly lan: number,
    private readonly dynamicAddressing: boolean,
  ) {}

  /** Where this member's users reach it: its own address when it holds it, else the one they used. */
  forSessions(requestAddress: string): string {
    return this.held.includes(this.ownAddress) ? this.ownAddress : requestAddress;
  }

  /**
   * A member back in service asks the LAN whether its own address is free. Under dynamic
   * addressing it waits, as well, until its threshold is restored (`mayClaim` says so); under
   * static addressing the probe at service start is what finds the conflict.
   */
  claimOwnIfDue(mayClaim: boolean, context: NodeContext): void {
    if (this.probing || !mayClaim || this.held.includes(this.ownAddress)) return;
    this.probing = true;
    context.send(this.lan, { $case: 'address', value: { address: this.ownAddress, action: AddressAction.PROBE, member: context.self, reason: 'return', sessions: [] } });
  }

  acquire(address: string, reason: string, context: NodeContext): void {
    if (address === this.ownAddress) this.ownAwaitsTaker = false;
    if (!this.held.includes(address)) {
      this.held.push(address);
      context.record({ type: 'address-owner', address, owner: context.self, change: 'acquire', reason });
    }
    context.send(this.lan, { $case: 'address', value: { address, action: AddressAction.CLAIM, member: context.self, reason, sessions: [] } });
  }

  /** The machine crashes: it holds nothing any more, though the LAN still sends its addresses here. */
  dropAllAtCrash(context: NodeContext): void {
    this.ownAwaitsTaker = false;
    this.othersHeldAtCrash = this.held.filter((address) => address !== this.ownAddress);
    while (this.held.length > 0) this.release(this.held[0]!, 'crash', context);
  }

  /**
   * Back from a crash, the machine answers only for its own address: the addresses of others it
   * held are freed on the LAN (unless someone claimed them since), so that their owner finds
   * them free on its return rather than held by a member that forgot them.
   */
  forgetOthersAfterCrash(context: NodeContext): void {
    for (const address of this.othersHeldAtCrash) {
      context.send(this.lan, { $case: 'address', value: { address, action: AddressAction.RELEASE, member: context.self, reason: 'restart', sessions: [] } });
    }
    this.othersHeldAtCrash = [];
  }

  /** Whether this member holds a peer's address (not its own). */
  holdsPeerAddress(address: string): boolean {
    return address !== this.ownAddress && this.held.includes(address);
  }

  /** The address was taken over because its owner was suspected (by a coordinator's takeover). */
  markTakenOnSuspicion(address: string): void {
    this.takenOnSuspicion.add(address);
  }

  release(address: string, reason: string, context: NodeContext): void {
    const index = this.held.indexOf(address);
    if (index < 0) return;
    this.takenOnSuspicion.delete(address);
    this.held.splice(index, 1);
    context.record({ type: 'address-owner', address, owner: context.self, change: 'release', reason });
  }

  /**
   * Hands every address held to `taker`, with the sessions that travel along; with no taker they
   * are released on the LAN, and the own address waits for a later taker unless `peersSuspected`
   * (peers cut off by a partition take it over themselves, and a crashed one cannot).
   */
  failOver(taker: PeerView | undefined, sessions: SessionReplica[], context: NodeContext, peersSuspected = false): void {
    for (let index = 0; this.held.length > 0; index++) {
      const address = this.held[0]!;
      this.release(address, taker === undefined ? 'no-member-available' : 'failover', context);
      if (taker === undefined) {
        if (address === this.ownAddress) this.ownAwaitsTaker = !peersSuspected;
        context.send(this.lan, { $case: 'address', value: { address, action: AddressAction.RELEASE, member: context.self, reason: 'failover', sessions: [] } });
        continue;
      }
      context.send(taker.actor, {
        $case: 'address',
        value: { address, action: AddressAction.HANDOVER, member: context.self, reason: 'failover', sessions: index === 0 ? sessions : [] },
      });
    }
  }

  get awaitsTaker(): boolean {
    return this.ownAwaitsTaker;
  }

  /**
   * A member out of service whose failover found nobody to take its address hands it to the
   * first peer available afterwards (a stop before any peer was heard of, or while none ran).
   */
  handOwnToLateTaker(taker: PeerView | undefined, context: NodeContext): void {
    if (!this.ownAwaitsTaker || taker === undefined) return;
    this.ownAwaitsTaker = false;
    context.send(taker.actor, { $case: 'address', value: { address: this.ownAddress, action: AddressAction.HANDOVER, member: context.self, reason: 'failover', sessions: [] } });
  }

  /**
   * The address of a member taken over goes back when the member is in service again with its
   * threshold restored (dynamic addressing); under static addressing only when the member met
   * the conflict, so that its next start finds the address free. An address taken over on a
   * suspicion that proved false (a partition, now healed) goes back to its owner as soon as the
   * owner reports still holding it, in either addressing and at any threshold: two members
   * must not go on claiming it.
   */
  giveBackIfDue(view: PeerView, suspected: boolean, context: NodeContext): void {
    if (!this.held.includes(view.address) || suspected) return;
    const ownerKeptIt = this.takenOnSuspicion.has(view.address) && view.addresses.includes(view.address);
    if (this.dynamicAddressing || ownerKeptIt) {
      if (view.state !== ServerState.RUNNING && !ownerKeptIt) return;
      this.release(view.address, 'give-back', context);
      context.send(view.actor, { $case: 'address', value: { address: view.address, action: AddressAction.HANDOVER, member: context.self, reason: 'give-back', sessions: [] } });
    } else if (view.conflict) {
      this.release(view.address, 'conflict', context);
      context.send(this.lan, { $case: 'address', value: { address: view.address, action: AddressAction.RELEASE, member: context.self, reason: 'conflict', sessions: [] } });
    }
  }
}
