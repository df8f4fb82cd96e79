import type { Message } from '../../nodes/messages.js';
import { Simulation } from '../kernel/simulation.js';
import type { SimRecord } from '../metrics/records.js';
import { buildTopology } from '../run/build.js';
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
  /** Deliveries sent to other hosts must arrive at or after this time (the window's end). */
  private windowEndUs = 0;
  private settingUp = true;

  constructor(setup: ShareSetup) {
    const loaded = parseScenario(setup.scenarioText, setup.scenarioFile);
    const topology = buildTopology(loaded);
    const actorCount = topology.actors.length;
    if (setup.actorHosts.length !== actorCount) {
      throw new ProtocolError(`the scenario has ${actorCount} actors but the assignment names ${setup.actorHosts.length}`);
    }
    if (setup.hostIndex >= setup.hostCount) throw new ProtocolError(`host index ${setup.hostIndex} is not below the host count ${setup.hostCount}`);
    if (setup.actorHosts.some((host) => host >= setup.hostCount)) throw new ProtocolError('the assignment names a host beyond the host count');
    this.actorHosts = setup.actorHosts;
    this.hostIndex = setup.hostIndex;
    this.outbound = Array.from({ length: setup.hostCount }, () => new DeliveryColumns());
    const actors = topology.actors.map((actor, index) => (setup.actorHosts[index] === setup.hostIndex ? actor : undefined));
    this.actorsHeld = actors.filter((actor) => actor !== undefined).length;
    const records = this.records;
    this.simulation = new Simulation<Message, SimRecord>({
      seed: setup.seed,
      actors,
      actorNames: topology.actorNames,
      network: topology.network,
      sink: { record: (timeUs, actor, record) => records.add(timeUs, actor, this.simulation.eventOrigin, this.simulation.eventSequence, record) },
      remote: { deliver: (timeUs, origin, sequence, target, message) => this.send(timeUs, origin, sequence, target, message) },
    });
    // Every host schedules every initial event, so that each origin's sequence numbers agree
    // everywhere; the ones for actors held elsewhere are scheduled by their own host.
    for (const event of topology.initialEvents) this.simulation.schedule(event.atUs, event.origin, event.target, event.message);
    this.settingUp = false;
  }

  accept(deliveries: readonly Delivery[]): void {
    for (const delivery of deliveries) {
      if (this.actorHosts[delivery.target] !== this.hostIndex) {
        throw new ProtocolError(`a delivery for actor ${delivery.target}, which this host does not hold`);
      }
      if (!(delivery.timeUs >= this.windowEndUs)) {
        throw new ProtocolError(`a delivery at ${delivery.timeUs} us arrived after the window it belongs to (host is at ${this.windowEndUs} us)`);
      }
      this.simulation.accept(delivery.timeUs, delivery.origin, delivery.sequence, delivery.target, delivery.message);
    }
  }

  /** Handles every event with time < endUs. */
  runWindow(startUs: number, endUs: number): void {
    if (!(startUs >= this.windowEndUs && endUs > startUs)) {
      throw new ProtocolError(`window [${startUs}, ${endUs}) does not follow the previous one, which ended at ${this.windowEndUs} us`);
    }
    if (this.simulation.nextEventTimeUs() < startUs) throw new ProtocolError(`window starts at ${startUs} us, after a pending event`);
    this.windowEndUs = endUs;
    this.simulation.runUntil(endUs);
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
    if (timeUs < this.windowEndUs) {
      throw new ProtocolError(
        `${this.simulation.actorName(origin)} sent to ${this.simulation.actorName(target)} on another host with a delay below the lookahead (arrives at ${timeUs} us, window ends at ${this.windowEndUs} us)`,
      );
    }
    this.outbound[this.actorHosts[target]!]!.add(timeUs, origin, sequence, target, message);
  }
}
