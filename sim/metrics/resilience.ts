import { ServerState } from '../../gen/clustersim/v1/cluster.js';
import { Histogram } from './histogram.js';
import type { RecordHandlers } from './record-bus.js';

interface Drain {
  startedAtUs: number;
  deadlineUs: number;
  endedAtUs: number | undefined;
  reason: string;
  openSessionsAtEnd: number;
}

/**
 * Folds the records of drains, failovers, failure detection and faults: how long drains took,
 * how late and how wrong detection was, who held which address, what crashes lost.
 */
export class ResilienceFigures {
  readonly redirects = new Map<string, number>();
  readonly drains = new Map<number, Drain>();
  readonly faults = new Map<string, number>();
  readonly lostRequests = new Map<string, number>();
  readonly lostSessions = new Map<string, number>();
  readonly recovered = new Map<string, number>();
  readonly detectionDelay = new Histogram();
  suspicions = 0;
  falseSuspicions = 0;
  undetectedCrashes = 0;
  takeovers = 0;
  givebacks = 0;
  conflicts = 0;
  /** Time during which some address had two or more owners, summed over addresses. */
  doubleOwnedUs = 0;
  maxOwners = 0;
  /** Owners of each address, in the order they acquired it. */
  readonly owners = new Map<string, number[]>();
  private readonly multipleOwnersSinceUs = new Map<string, number>();
  /** Crashes not yet detected: actor → time of the crash. */
  private readonly crashedAtUs = new Map<number, number>();
  private readonly actorByName: ReadonlyMap<string, number>;

  constructor(actorNames: readonly string[]) {
    this.actorByName = new Map(actorNames.map((name, index) => [name, index]));
  }

  readonly handlers: RecordHandlers = {
    redirect: (_timeUs, _actor, record) => increment(this.redirects, record.reason),
    'drain-started': (timeUs, _actor, record) => {
      this.drains.set(record.server, { startedAtUs: timeUs, deadlineUs: record.deadlineUs, endedAtUs: undefined, reason: 'open', openSessionsAtEnd: 0 });
    },
    'drain-ended': (timeUs, _actor, record) => {
      const drain = this.drains.get(record.server);
      if (drain === undefined) return;
      drain.endedAtUs = timeUs;
      drain.reason = record.reason;
      drain.openSessionsAtEnd = record.openSessions;
    },
    // A crash of the draining member ends its drain: what it held is the crash's loss.
    'server-state': (timeUs, _actor, record) => {
      const drain = this.drains.get(record.server);
      if (record.state !== ServerState.FAILED || drain === undefined || drain.endedAtUs !== undefined) return;
      drain.endedAtUs = timeUs;
      drain.reason = 'failed';
    },
    fault: (timeUs, _actor, record) => {
      increment(this.faults, record.kind);
      const actor = this.actorByName.get(record.target);
      if (actor === undefined) return;
      if (record.kind === 'crash' && !this.crashedAtUs.has(actor)) this.crashedAtUs.set(actor, timeUs);
      if (record.kind === 'restart' && this.crashedAtUs.delete(actor)) this.undetectedCrashes++;
    },
    suspicion: (timeUs, _actor, record) => {
      if (!record.suspected) return;
      this.suspicions++;
      if (!record.correct) this.falseSuspicions++;
      const crashedAtUs = this.crashedAtUs.get(record.member);
      if (crashedAtUs !== undefined && record.correct) {
        this.detectionDelay.add(timeUs - crashedAtUs);
        this.crashedAtUs.delete(record.member);
      }
    },
    lost: (_timeUs, _actor, record) => {
      if (record.requests > 0) add(this.lostRequests, record.cause, record.requests);
      if (record.sessions > 0) add(this.lostSessions, record.cause, record.sessions);
    },
    'session-recovered': (_timeUs, _actor, record) => increment(this.recovered, record.reason),
    'address-conflict': () => {
      this.conflicts++;
    },
    'address-owner': (timeUs, _actor, record) => this.changeOwner(timeUs, record.address, record.owner, record.change, record.reason),
  };

  private changeOwner(timeUs: number, address: string, owner: number, change: 'acquire' | 'release', reason: string): void {
    let owners = this.owners.get(address);
    if (owners === undefined) this.owners.set(address, (owners = []));
    if (change === 'acquire') {
      if (!owners.includes(owner)) owners.push(owner);
      if (reason === 'failover') this.takeovers++;
    } else {
      if (reason === 'give-back') this.givebacks++;
      const index = owners.indexOf(owner);
      if (index >= 0) owners.splice(index, 1);
    }
    if (owners.length > this.maxOwners) this.maxOwners = owners.length;
    const since = this.multipleOwnersSinceUs.get(address);
    if (owners.length >= 2 && since === undefined) this.multipleOwnersSinceUs.set(address, timeUs);
    if (owners.length < 2 && since !== undefined) {
      this.doubleOwnedUs += timeUs - since;
      this.multipleOwnersSinceUs.delete(address);
    }
  }

  /** Closes the intervals still open at the end of the run. */
  finish(endUs: number): void {
    for (const since of this.multipleOwnersSinceUs.values()) this.doubleOwnedUs += endUs - since;
    this.multipleOwnersSinceUs.clear();
    this.undetectedCrashes += this.crashedAtUs.size;
    this.crashedAtUs.clear();
  }
}

function increment(counts: Map<string, number>, key: string): void {
  add(counts, key, 1);
}

function add(counts: Map<string, number>, key: string, amount: number): void {
  counts.set(key, (counts.get(key) ?? 0) + amount);
}
