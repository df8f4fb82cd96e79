import { EventQueue } from './event-queue.js';

const none = -1;
const stride = 3;

/**
 * A queue of payloads by due time, first in first out among equal times: the order of a binary
 * heap, at the cost of a few appends. Built for the clients' think times, where a million
 * sessions wait seconds to minutes each: a heap of a million spends twenty cache misses on every
 * push and pop, a wheel one.
 *
 * Time is cut into buckets of `bucketUs`. Entries due in the bucket of the earliest one wait in
 * a small heap (the front); entries due within `bucketCount` buckets after it wait unsorted in
 * their bucket's list; later ones in a second heap (the overflow), and move to the wheel as it
 * turns. Only the front needs an order, and it holds a bucket's worth of entries.
 */
export class TimingWheel<Payload> {
  private readonly bucketUs: number;
  private readonly bucketMask: number;
  /** First slot of each bucket's list, by bucket number modulo the wheel's size. */
  private readonly firstSlot: Int32Array;
  /** Per slot, side by side (one cache line to read when the wheel turns): due time, order, next slot of the bucket's list. */
  private entries: Float64Array;
  private payload: (Payload | undefined)[];
  private freeSlots: Int32Array;
  private freeCount = 0;
  private slotCount = 0;
  private onWheel = 0;
  /** The bucket the front holds: every entry due in it or before is in the front. */
  private cursor = -Infinity;
  private readonly front = new EventQueue<Payload>(256);
  private readonly overflow = new EventQueue<Payload>(256);

  /** `bucketCount` must be a power of two. */
  constructor(bucketUs = 4096, bucketCount = 16384) {
    if (bucketCount <= 0 || (bucketCount & (bucketCount - 1)) !== 0) throw new Error(`bucketCount must be a power of two, not ${bucketCount}`);
    this.bucketUs = bucketUs;
    this.bucketMask = bucketCount - 1;
    this.firstSlot = new Int32Array(bucketCount).fill(none);
    const capacity = 1024;
    this.entries = new Float64Array(capacity * stride);
    this.payload = new Array<Payload | undefined>(capacity);
    this.freeSlots = new Int32Array(capacity);
  }

  get size(): number {
    return this.front.size + this.onWheel + this.overflow.size;
  }

  /** Queues `payload` for `timeUs`; among equal times, entries leave in increasing `order`. */
  push(timeUs: number, order: number, payload: Payload): void {
    const bucket = Math.floor(timeUs / this.bucketUs);
    if (bucket <= this.cursor) this.front.push(timeUs, 0, order, 0, payload);
    else if (bucket - this.cursor <= this.bucketMask) this.hang(bucket, timeUs, order, payload);
    else this.overflow.push(timeUs, 0, order, 0, payload);
  }

  /** Time of the earliest entry; Infinity when empty. */
  peekTimeUs(): number {
    while (this.front.size === 0) {
      if (this.onWheel === 0 && this.overflow.size === 0) return Infinity;
      this.turn();
    }
    return this.front.peekTimeUs();
  }

  /** Removes the earliest entry and returns its payload; the wheel must not be empty. */
  pop(): Payload {
    const front = this.front;
    if (front.size === 0 && this.peekTimeUs() === Infinity) throw new Error('pop from an empty timing wheel');
    return front.takePayload(front.pop());
  }

  private hang(bucket: number, timeUs: number, order: number, payload: Payload): void {
    const slot = this.allocateSlot();
    const entries = this.entries;
    const at = slot * stride;
    const index = bucket & this.bucketMask;
    entries[at] = timeUs;
    entries[at + 1] = order;
    entries[at + 2] = this.firstSlot[index]!;
    this.payload[slot] = payload;
    this.firstSlot[index] = slot;
    this.onWheel++;
  }

  /** Moves the cursor to the next bucket (straight to the overflow's first when the wheel is empty) and its entries to the front. */
  private turn(): void {
    const overflow = this.overflow;
    this.cursor = this.onWheel === 0 ? Math.floor(overflow.peekTimeUs() / this.bucketUs) : this.cursor + 1;
    // Entries of the overflow now within the wheel's reach go on it (or straight to the front).
    while (overflow.size > 0 && Math.floor(overflow.peekTimeUs() / this.bucketUs) - this.cursor <= this.bucketMask) {
      const slot = overflow.pop();
      const timeUs = overflow.slotTimeUs(slot);
      const order = overflow.slotSequence(slot);
      const payload = overflow.takePayload(slot);
      const bucket = Math.floor(timeUs / this.bucketUs);
      if (bucket === this.cursor) this.front.push(timeUs, 0, order, 0, payload);
      else this.hang(bucket, timeUs, order, payload);
    }
    const index = this.cursor & this.bucketMask;
    let slot = this.firstSlot[index]!;
    this.firstSlot[index] = none;
    const entries = this.entries;
    while (slot !== none) {
      const at = slot * stride;
      this.front.push(entries[at]!, 0, entries[at + 1]!, 0, this.payload[slot] as Payload);
      this.payload[slot] = undefined;
      this.freeSlots[this.freeCount++] = slot;
      this.onWheel--;
      slot = entries[at + 2]!;
    }
  }

  private allocateSlot(): number {
    if (this.freeCount > 0) return this.freeSlots[--this.freeCount]!;
    if (this.slotCount === this.freeSlots.length) this.grow();
    return this.slotCount++;
  }

  private grow(): void {
    const capacity = this.freeSlots.length * 2;
    const entries = new Float64Array(capacity * stride);
    entries.set(this.entries);
    this.entries = entries;
    const freeSlots = new Int32Array(capacity);
    freeSlots.set(this.freeSlots);
    this.freeSlots = freeSlots;
    this.payload.length = capacity;
  }
}
