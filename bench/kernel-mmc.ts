import type { Actor, Context } from '../sim/kernel/actor.js';
import { exponential } from '../sim/kernel/distributions.js';
import type { Network } from '../sim/kernel/network.js';
import { Simulation } from '../sim/kernel/simulation.js';

/**
 * The same M/M/c model as the bare loop, written as clustersim actors on the kernel: a source
 * whose arrival timer sends each customer to a station, and a station with c servers whose
 * departures are timers. Three events per customer (arrival timer, delivery, departure)
 * against the bare loop's two.
 */
type Message = { kind: 'arrival-timer' } | { kind: 'customer'; arrivedAtUs: number } | { kind: 'departure' };

const zeroLatency: Network = { delayUs: () => 0, minimumDelayUs: () => 0 };
const arrivalTimer: Message = { kind: 'arrival-timer' };
const departure: Message = { kind: 'departure' };

class Source implements Actor<Message, never> {
  readonly name = 'source';
  private sent = 0;
  constructor(
    private readonly interArrivalMeanUs: number,
    private readonly customers: number,
  ) {}
  onMessage(_message: Message, context: Context<Message, never>): void {
    context.send(1, { kind: 'customer', arrivedAtUs: context.now });
    if (++this.sent < this.customers) {
      context.setTimer(context.now + Math.max(1, Math.round(-this.interArrivalMeanUs * Math.log(1 - context.rng('arrivals')()))), arrivalTimer);
    }
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
  ) {
    this.service = exponential(serviceMeanUs);
  }
  onMessage(message: Message, context: Context<Message, never>): void {
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

export function kernelMmc(options: { servers: number; load: number; customers: number; seed: number }): { events: number; meanWaitUs: number } {
  const serviceMeanUs = 1_000_000;
  const source = new Source(serviceMeanUs / (options.load * options.servers), options.customers);
  const station = new Station(options.servers, serviceMeanUs);
  const simulation = new Simulation<Message, never>({
    seed: options.seed,
    actors: [source, station],
    actorNames: ['source', 'station'],
    network: zeroLatency,
    sink: { record: () => undefined },
  });
  simulation.schedule(0, 0, 0, arrivalTimer);
  simulation.runUntil(Infinity);
  return { events: simulation.eventsProcessed, meanWaitUs: station.totalWaitUs / station.served };
}
