import { ServerState } from '../../gen/clustersim/v1/cluster.js';
import type { RecordOf } from '../metrics/record-bus.js';
import type { Checker, CheckContext, CheckerHandlers } from './checker.js';
import { isDown } from './cluster-truth.js';

/** How long a returned owner may wait for its address before it counts as not given back. */
export const giveBackGraceUs = 60_000_000;

interface AddressFacts {
  /** The member that owned the address first: the one it is given back to. */
  home: number;
  owners: Set<number>;
}

/**
 * ClusterCATS dynamic IP addressing:
 * - address-ownership: one address is never owned by two live members at once; while a
 *   partition is in force (and until the members can have heard each other after the heal)
 *   such an overlap is unavoidable and only noted (partition-overlap),
 *   but one still there a grace period after the heal is a violation;
 * - address-give-back: an address taken over is back with its home member once that member
 *   has been running again for a while, and no partition has kept them apart for that while.
 * A member that goes down owns nothing any more: it must acquire its address again on return.
 */
export class AddressChecker implements Checker {
  readonly rules = ['address-ownership', 'address-give-back'];

  /** `viewLagUs`: how long after a heal a member may still suspect a peer it cannot yet have heard. */
  constructor(private readonly viewLagUs = 0) {}
  private readonly addresses = new Map<string, AddressFacts>();
  /** Addresses that came to have two live owners during a partition, and since: the heal must resolve them. */
  private readonly overlapsInPartition = new Set<string>();

  readonly handlers: CheckerHandlers = {
    'server-state': (_timeUs, _actor, record) => {
      if (isDown(record.state)) for (const facts of this.addresses.values()) facts.owners.delete(record.server);
    },
    'address-owner': (timeUs, actor, record, context) => this.ownerChanged(timeUs, actor, record, context),
  };

  private ownerChanged(timeUs: number, actor: number, record: RecordOf<'address-owner'>, context: CheckContext): void {
    let facts = this.addresses.get(record.address);
    if (facts === undefined) {
      facts = { home: record.owner, owners: new Set() };
      this.addresses.set(record.address, facts);
    }
    if (record.change === 'release') {
      facts.owners.delete(record.owner);
      if (facts.owners.size < 2) this.overlapsInPartition.delete(record.address);
      return;
    }
    const others = [...facts.owners].filter((owner) => owner !== record.owner && context.truth.isLive(owner)).sort((a, b) => a - b);
    facts.owners.add(record.owner);
    if (others.length === 0) return;
    if (context.truth.partitioned || timeUs - context.truth.healedAtUs <= this.viewLagUs) {
      context.note('partition-overlap');
      this.overlapsInPartition.add(record.address);
      return;
    }
    this.overlapsInPartition.delete(record.address); // reported here: not again at the end
    context.report({
      timeUs,
      rule: 'address-ownership',
      actor: context.actorName(actor),
      detail: `${context.actorName(record.owner)} acquired ${record.address} (${record.reason}) while ${others.map((owner) => context.actorName(owner)).join(', ')} still own it`,
    });
  }

  finish(endUs: number, context: CheckContext): void {
    this.overlapsNotResolved(endUs, context);
    for (const [address, facts] of [...this.addresses].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      const home = facts.home;
      if (facts.owners.has(home) || context.truth.state(home) !== ServerState.RUNNING) continue;
      // Cut off from the holder, the owner cannot be heard: the address waits for the heal.
      if (context.truth.partitioned) {
        context.note('give-back-partitioned');
        continue;
      }
      const backSinceUs = context.truth.sinceUs(home);
      if (endUs - Math.max(backSinceUs, context.truth.healedAtUs) < giveBackGraceUs) continue;
      const holders = [...facts.owners].sort((a, b) => a - b).map((owner) => context.actorName(owner));
      context.report({
        timeUs: endUs,
        rule: 'address-give-back',
        actor: context.actorName(home),
        detail: `${address} not given back: ${context.actorName(home)} has run again since ${backSinceUs}us, the address is with ${holders.length === 0 ? 'nobody' : holders.join(', ')}`,
      });
    }
  }

  /** Two live owners of an address taken during a partition, still a grace period after the heal. */
  private overlapsNotResolved(endUs: number, context: CheckContext): void {
    const truth = context.truth;
    if (truth.partitioned || endUs - truth.healedAtUs < giveBackGraceUs) return;
    for (const address of [...this.overlapsInPartition].sort()) {
      const owners = [...this.addresses.get(address)!.owners].filter((owner) => truth.isLive(owner)).sort((a, b) => a - b);
      if (owners.length < 2) continue;
      context.report({
        timeUs: endUs,
        rule: 'address-ownership',
        actor: context.actorName(owners.at(-1)!),
        detail: `${address} still owned by ${owners.map((owner) => context.actorName(owner)).join(', ')} since the partition healed at ${truth.healedAtUs}us`,
      });
    }
  }
}
