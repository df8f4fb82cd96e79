import type { Request } from '../messages.js';

/**
 * An application server's pool of threads in front of a FIFO queue, and the count of the
 * requests in flight (in service and queued) by the router that sent them.
 */
export class ServerThreads {
  busyThreads = 0;
  /** Requests in service and queued, by the router that sent them: each answer tells its router how many are the others'. */
  private readonly inFlightByRouter = new Map<number, number>();
  /** The queue, FIFO from `waitingHead`: each request beside the time it arrived (two arrays, no object per request). */
  private readonly waiting: Request[] = [];
  private readonly waitingSinceUs: number[] = [];
  private waitingHead = 0;
  /**
   * The request each busy thread serves, by thread, with when it arrived and the ticket its
   * service was given: a service-done timer names the ticket (and so the thread), so a timer
   * left over from before a stop is ignored.
   */
  private readonly serving: (Request | undefined)[];
  private readonly servingArrivedAtUs: Float64Array;
  private readonly servingTicket: Float64Array;
  private readonly idleThreads: number[];
  private nextTicket = 0;

  constructor(
    private readonly threads: number,
    private readonly queueLimit: number,
  ) {
    this.serving = new Array<Request | undefined>(threads);
    this.servingArrivedAtUs = new Float64Array(threads);
    this.servingTicket = new Float64Array(threads).fill(-1);
    this.idleThreads = Array.from({ length: threads }, (_, thread) => threads - 1 - thread);
  }

  get queued(): number {
    return this.waiting.length - this.waitingHead;
  }

  get full(): boolean {
    return this.busyThreads >= this.threads && this.queued >= this.queueLimit;
  }

  get hasIdleThread(): boolean {
    return this.busyThreads < this.threads;
  }

  /** In service and queued, less those that `router` sent. */
  othersInFlight(router: number): number {
    return Math.max(0, this.busyThreads + this.queued - (this.inFlightByRouter.get(router) ?? 0));
  }

  /** Counts an accepted request as in flight for its router. */
  admit(request: Request): void {
    this.inFlightByRouter.set(request.router, (this.inFlightByRouter.get(request.router) ?? 0) + 1);
  }

  enqueue(request: Request, nowUs: number): void {
    this.waiting.push(request);
    this.waitingSinceUs.push(nowUs);
  }

  /** When the request first in the queue arrived. */
  get headArrivedAtUs(): number {
    return this.waitingSinceUs[this.waitingHead]!;
  }

  dequeue(): Request {
    const next = this.waiting[this.waitingHead]!;
    this.waiting[this.waitingHead++] = undefined as never;
    // Compacting now and then keeps the queue from growing without a bound.
    if (this.waitingHead > 1024 && this.waitingHead * 2 > this.waiting.length) {
      this.waiting.splice(0, this.waitingHead);
      this.waitingSinceUs.splice(0, this.waitingHead);
      this.waitingHead = 0;
    }
    return next;
  }

  /** Gives `request` an idle thread; returns the ticket its service-done timer names. */
  assign(request: Request, arrivedAtUs: number): number {
    this.busyThreads++;
    const thread = this.idleThreads.pop()!;
    const ticket = this.nextTicket++ * this.threads + thread;
    this.serving[thread] = request;
    this.servingArrivedAtUs[thread] = arrivedAtUs;
    this.servingTicket[thread] = ticket;
    return ticket;
  }

  /** The request whose service ended with `ticket`, its thread freed; undefined if it was lost when the server stopped. */
  complete(ticket: number): Request | undefined {
    const thread = ticket % this.threads;
    const request = this.serving[thread];
    if (request === undefined || this.servingTicket[thread] !== ticket) return undefined;
    this.serving[thread] = undefined;
    this.idleThreads.push(thread);
    this.busyThreads--;
    this.inFlightByRouter.set(request.router, this.inFlightByRouter.get(request.router)! - 1);
    return request;
  }

  /** When the request served under `ticket` arrived. */
  arrivedAtUs(ticket: number): number {
    return this.servingArrivedAtUs[ticket % this.threads]!;
  }

  /** Every request in flight: in service by id, then queued in order. */
  inFlight(): Request[] {
    const requests = this.serving.filter((request) => request !== undefined).sort((a, b) => a.id - b.id);
    for (let index = this.waitingHead; index < this.waiting.length; index++) requests.push(this.waiting[index]!);
    return requests;
  }

  /** Forgets all work: the server stopped. */
  clear(): void {
    this.serving.fill(undefined);
    this.servingTicket.fill(-1);
    this.idleThreads.length = 0;
    for (let thread = this.threads - 1; thread >= 0; thread--) this.idleThreads.push(thread);
    this.waiting.length = 0;
    this.waitingSinceUs.length = 0;
    this.waitingHead = 0;
    this.busyThreads = 0;
    this.inFlightByRouter.clear();
  }
}
