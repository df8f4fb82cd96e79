import type { Message } from '../../nodes/messages.js';
import { Simulation } from '../kernel/simulation.js';
import type { SimRecord } from '../metrics/records.js';
import { buildTopology } from '../topologies/index.js';
import { parseScenario } from '../scenario/load.js';
import { DeliveryColumns, StampedRecords, type Delivery } from './codec.js';

export interface ShareSetup {
  scenarioText: string;
  scenarioFile: string;
  seed: number;
  hostIndex: number;
  hostCount: number;
  /** The host of every actor, by actor index. */
  actorHosts: readonly number[];
  /** The smallest latency between actors of different hosts. */
  lookaheadUs: number;
}

/** A refusal of a command that does not fit the run (wrong target, time going backwards). */
export class ProtocolError extends Error {}

/**
 * The share of a run that one node host holds: the same topology as every other host, built
 * from the same scenario text and seed, with only this host's actors present. Transport-free,
 * so a test can drive several shares in one process.
 */
export class HostShare {
  readonly simulation: Simulation<Message, SimRecord>;
  readonly actorsHeld: number;
  readonly records = new StampedRecords();
  private readonly outbound: DeliveryColumns[];
  private readonly actorHosts: readonly number[];
  private readonly hostIndex: number;
  private readonly lookaheadUs: number;
  /** Every event before this time has been handled: no delivery may arrive before it. */
  private reachedUs = 0;
  /** Earliest arrival of a delivery sent to another host in the current window. */
  private earliestSentUs = Infinity;
  private settingUp = true;

  constructor(setup: ShareSetup) {
    const loaded = parseScenario(setup.scenarioText, setup.scenarioFile);
    const topology = buildTopology(loaded, setup.seed);
    const actorCount = topology.actors.length;
    if (setup.actorHosts.length !== actorCount) {
      throw new ProtocolError(`the scenario has ${actorCount} actors but the assignment names ${setup.actorHosts.length}`);
    }
    if (setup.hostIndex >= setup.hostCount)
      throw new ProtocolError(`host index ${setup.hostIndex} is not below the host count ${setup.hostCount}`);
    if (setup.actorHosts.some((host) => host >= setup.hostCount))
      throw new ProtocolError('the assignment names a host beyond the host count');
    if (!(setup.lookaheadUs > 0)) throw new ProtocolError(`the lookahead must be positive (got ${setup.lookaheadUs} us)`);
    this.actorHosts = setup.actorHosts;
    this.hostIndex = setup.hostIndex;
    this.lookaheadUs = setup.lookaheadUs;
    this.outbound = Array.from({ length: setup.hostCount }, () => new DeliveryColumns());
    const actors = topology.actors.map((actor, index) => (setup.actorHosts[index] === setup.hostIndex ? actor : undefined));
    this.actorsHeld = actors.filter((actor) => actor !== undefined).length;
    const records = this.records;
    this.simulation = new Simulation<Message, SimRecord>({
      seed: setup.seed,
      actors,
      actorNames: topology.actorNames,
      network: topology.network,
      sink: {
        record: (timeUs, actor, record) => records.add(timeUs, actor, this.simulation.eventOrigin, this.simulation.eventSequence, record),
      },
      remote: { deliver: (timeUs, origin, sequence, target, message) => this.send(timeUs, origin, sequence, target, message) },
    });
    // Every host schedules every initial event, so that each origin's sequence numbers agree
    // everywhere; the ones for actors held elsewhere are scheduled by their own host.
    for (const event of topology.initialEvents) this.simulation.schedule(event.atUs, event.origin, event.target, event.message);
    this.settingUp = false;
  }

  /** Time up to which every event has been handled. */
  get reached(): number {
    return this.reachedUs;
  }

  accept(deliveries: readonly Delivery[]): void {
    for (const delivery of deliveries) {
      if (this.actorHosts[delivery.target] !== this.hostIndex) {
        throw new ProtocolError(`a delivery for actor ${delivery.target}, which this host does not hold`);
      }
      if (!(delivery.timeUs >= this.reachedUs)) {
        throw new ProtocolError(
          `a delivery at ${delivery.timeUs} us arrived after this host had passed that time (it is at ${this.reachedUs} us)`,
        );
      }
      this.simulation.accept(delivery.timeUs, delivery.origin, delivery.sequence, delivery.target, delivery.message);
    }
  }

  /**
   * Handles events while their time is below the horizon, and below the earliest answer that a
   * delivery sent to another host in this window could bring back (its arrival plus the lookahead).
   */
  runWindow(horizonUs: number): void {
    if (!(horizonUs >= this.reachedUs))
      throw new ProtocolError(`horizon ${horizonUs} us is before the time this host has reached (${this.reachedUs} us)`);
    const simulation = this.simulation;
    this.earliestSentUs = Infinity;
    for (;;) {
      const limitUs = Math.min(horizonUs, this.earliestSentUs + this.lookaheadUs);
      const nextUs = simulation.nextEventTimeUs();
      if (nextUs >= limitUs) {
        this.reachedUs = Math.max(this.reachedUs, Math.min(limitUs, nextUs));
        return;
      }
      // Everything at one instant: what it sends arrives a lookahead later at the earliest.
      simulation.runUntil(nextUs + 1);
      this.reachedUs = nextUs + 1;
    }
  }

  /** Deliveries to each other host, encoded in batches. */
  drainOutbound(batchLimit: number): { host: number; count: number; earliestUs: number; batch: Buffer }[] {
    const parts: { host: number; count: number; earliestUs: number; batch: Buffer }[] = [];
    this.outbound.forEach((columns, host) => {
      for (const part of columns.drain(batchLimit)) parts.push({ host, ...part });
    });
    return parts;
  }

  private send(timeUs: number, origin: number, sequence: number, target: number, message: Message): void {
    if (this.settingUp) return;
    const simulation = this.simulation;
    if (timeUs - simulation.now < this.lookaheadUs) {
      throw new ProtocolError(
        `${simulation.actorName(origin)} sent to ${simulation.actorName(target)} on another host with a delay of ${timeUs - simulation.now} us, below the lookahead of ${this.lookaheadUs} us`,
      );
    }
    if (timeUs < this.earliestSentUs) this.earliestSentUs = timeUs;
    this.outbound[this.actorHosts[target]!]!.add(timeUs, origin, sequence, target, message);
  }
}
