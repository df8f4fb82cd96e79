import type { Request } from '../messages.js';

/** A member's web server threads and the queue of requests that wait for one. */
export class ThreadPool {
  busyThreads = 0;
  private readonly waiting: Request[] = [];
  private waitingHead = 0;
  private readonly inService = new Map<number, Request>();

  constructor(
    private readonly threads: number,
    private readonly queueLimit: number,
  ) {}

  get queued(): number {
    return this.waiting.length - this.waitingHead;
  }

  get hasIdleThread(): boolean {
    return this.busyThreads < this.threads;
  }

  get full(): boolean {
    return this.busyThreads >= this.threads && this.queued >= this.queueLimit;
  }

  enqueue(request: Request): void {
    this.waiting.push(request);
  }

  startService(request: Request): void {
    this.busyThreads++;
    this.inService.set(request.id, request);
  }

  /** The request whose service is done, or undefined if it was lost in a crash or cut at a drain's end. */
  finishService(requestId: number): Request | undefined {
    const request = this.inService.get(requestId);
    if (request === undefined) return undefined;
    this.inService.delete(requestId);
    this.busyThreads--;
    return request;
  }

  /** The next queued request if a thread is free for it. */
  nextWaiting(): Request | undefined {
    if (this.queued === 0 || !this.hasIdleThread) return undefined;
    const next = this.waiting[this.waitingHead]!;
    this.waiting[this.waitingHead++] = undefined as never;
    // Compacting now and then keeps the queue from growing without a bound.
    if (this.waitingHead > 1024 && this.waitingHead * 2 > this.waiting.length) {
      this.waiting.splice(0, this.waitingHead);
      this.waitingHead = 0;
    }
    return next;
  }

  /** Every request in the pool, in service first then queued in order, and the pool emptied. */
  takeAll(): Request[] {
    const requests = [...this.inService.values()];
    for (let index = this.waitingHead; index < this.waiting.length; index++) requests.push(this.waiting[index]!);
    this.clear();
    return requests;
  }

  clear(): void {
    this.inService.clear();
    this.waiting.length = 0;
    this.waitingHead = 0;
    this.busyThreads = 0;
  }
}
