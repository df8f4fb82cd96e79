import type { Actor, Context } from '../sim/kernel/actor.js';
import { exponential } from '../sim/kernel/distributions.js';
import type { Network } from '../sim/kernel/network.js';
import { Simulation } from '../sim/kernel/simulation.js';

/**
 * The same M/M/c model as the bare loop, written as clustersim actors on the kernel: a source
 * whose arrival timer sends each customer to a station, and a station with c servers whose
 * departures are timers. Three events per customer (arrival timer, delivery, departure)
 * against the bare loop's two.
 *
 * `throughRelay` gives a customer the hops of the scenario machinery's request (client, router,
 * server, router, client): the source sends it to a relay that passes it on to the station, and
 * the station's answer goes back through the relay to the source. Six events per customer and no
 * logic, no records, no objects beyond the messages: the floor of any design with those hops.
 */
type Message = { kind: 'arrival-timer' } | { kind: 'customer'; arrivedAtUs: number } | { kind: 'departure' } | { kind: 'answer' };

const zeroLatency: Network = { delayUs: () => 0, minimumDelayUs: () => 0 };
const arrivalTimer: Message = { kind: 'arrival-timer' };
const departure: Message = { kind: 'departure' };

const answer: Message = { kind: 'answer' };
const sourceActor = 0;
const stationActor = 1;
const relayActor = 2;

class Source implements Actor<Message, never> {
  readonly name = 'source';
  private sent = 0;
  answered = 0;
  constructor(
    private readonly interArrivalMeanUs: number,
    private readonly customers: number,
    private readonly firstHop: number,
  ) {}
  onMessage(message: Message, context: Context<Message, never>): void {
    if (message.kind === 'answer') {
      this.answered++;
      return;
    }
    context.send(this.firstHop, { kind: 'customer', arrivedAtUs: context.now });
    if (++this.sent < this.customers) {
      context.setTimer(context.now + Math.max(1, Math.round(-this.interArrivalMeanUs * Math.log(1 - context.rng('arrivals')()))), arrivalTimer);
    }
  }
}

/** Passes customers on to the station and answers back to the source, as a router does. */
class Relay implements Actor<Message, never> {
  readonly name = 'relay';
  onMessage(message: Message, context: Context<Message, never>): void {
    context.send(message.kind === 'customer' ? stationActor : sourceActor, message);
  }
}

class Station implements Actor<Message, never> {
  readonly name = 'station';
  private busy = 0;
  private readonly waiting: number[] = [];
  private head = 0;
  totalWaitUs = 0;
  served = 0;
  private readonly service;
  constructor(
    private readonly servers: number,
    serviceMeanUs: number,
    private readonly answerTo: number | undefined,
  ) {
    this.service = exponential(serviceMeanUs);
  }
  onMessage(message: Message, context: Context<Message, never>): void {
    if (message.kind !== 'customer' && this.answerTo !== undefined) context.send(this.answerTo, answer);
    if (message.kind === 'customer') {
      if (this.busy < this.servers) {
        this.busy++;
        this.start(context);
      } else this.waiting.push(message.arrivedAtUs);
    } else if (this.head < this.waiting.length) {
      this.totalWaitUs += context.now - this.waiting[this.head++]!;
      this.start(context);
    } else this.busy--;
  }
  private start(context: Context<Message, never>): void {
    this.served++;
    context.setTimer(context.now + this.service.sample(context.rng('service')), departure);
  }
}

export function kernelMmc(options: { servers: number; load: number; customers: number; seed: number; throughRelay?: boolean }): { events: number; meanWaitUs: number; answered: number } {
  const serviceMeanUs = 1_000_000;
  const relay = options.throughRelay === true;
  const source = new Source(serviceMeanUs / (options.load * options.servers), options.customers, relay ? relayActor : stationActor);
  const station = new Station(options.servers, serviceMeanUs, relay ? relayActor : undefined);
  const actors: Actor<Message, never>[] = relay ? [source, station, new Relay()] : [source, station];
  const simulation = new Simulation<Message, never>({
    seed: options.seed,
    actors,
    actorNames: actors.map((actor) => actor.name),
    network: zeroLatency,
    sink: { record: () => undefined },
  });
  simulation.schedule(0, 0, 0, arrivalTimer);
  simulation.runUntil(Infinity);
  return { events: simulation.eventsProcessed, meanWaitUs: station.totalWaitUs / station.served, answered: source.answered };
}
