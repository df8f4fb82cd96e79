/**
 * The pending-event queue: a binary min-heap over slots held in typed arrays.
 *
 * Events are ordered by (time, origin actor, origin sequence). That order is total and does
 * not depend on insertion order, so a run gives the same result however its actors are spread
 * over hosts. The heap moves only 32-bit slot numbers; an event's fields stay in its slot.
 */
/**
 * Events pending at once, at most: past it the queue would outgrow the heap (each pending event
 * and its message take a few hundred bytes) and V8 aborts the process with no report.
 */
export const maxPendingEvents = 2 ** 23;

/** A run whose pending events outgrow `maxPendingEvents` (e.g. every member of a huge cluster messaging every other at once). */
export class PendingEventsError extends Error {}

export class EventQueue<Payload> {
  private timeUs: Float64Array;
  private origin: Int32Array;
  private sequence: Float64Array;
  private target: Int32Array;
  private payload: (Payload | undefined)[];
  private heap: Int32Array;
  private freeSlots: Int32Array;
  private freeCount = 0;
  private slotCount = 0;
  private count = 0;

  constructor(
    initialCapacity = 1024,
    private readonly maxCapacity = maxPendingEvents,
  ) {
    this.timeUs = new Float64Array(initialCapacity);
    this.origin = new Int32Array(initialCapacity);
    this.sequence = new Float64Array(initialCapacity);
    this.target = new Int32Array(initialCapacity);
    this.payload = new Array<Payload | undefined>(initialCapacity);
    this.heap = new Int32Array(initialCapacity);
    this.freeSlots = new Int32Array(initialCapacity);
  }

  get size(): number {
    return this.count;
  }

  push(timeUs: number, origin: number, sequence: number, target: number, payload: Payload): void {
    const slot = this.allocateSlot();
    this.timeUs[slot] = timeUs;
    this.origin[slot] = origin;
    this.sequence[slot] = sequence;
    this.target[slot] = target;
    this.payload[slot] = payload;
    this.siftUp(this.count++, slot);
  }

  /** Time of the earliest event; Infinity when empty. */
  peekTimeUs(): number {
    return this.count === 0 ? Infinity : this.timeUs[this.heap[0]!]!;
  }

  /**
   * Removes the earliest event and returns its slot. The slot's fields stay readable through
   * the accessors below until the next push.
   */
  pop(): number {
    const heap = this.heap;
    const top = heap[0]!;
    const last = heap[--this.count]!;
    if (this.count > 0) this.siftDown(0, last);
    this.freeSlots[this.freeCount++] = top;
    return top;
  }

  /** Whether the event (timeUs, origin, sequence) comes before every event of this queue (true when empty). */
  precedes(timeUs: number, origin: number, sequence: number): boolean {
    if (this.count === 0) return true;
    const head = this.heap[0]!;
    const headTimeUs = this.timeUs[head]!;
    if (timeUs !== headTimeUs) return timeUs < headTimeUs;
    const headOrigin = this.origin[head]!;
    if (origin !== headOrigin) return origin < headOrigin;
    return sequence < this.sequence[head]!;
  }

  /** Whether this queue's earliest event comes before `other`'s (both must hold one). */
  headsBefore(other: EventQueue<Payload>): boolean {
    return this.slotBefore(this.heap[0]!, other, other.heap[0]!);
  }

  slotTimeUs(slot: number): number {
    return this.timeUs[slot]!;
  }
  slotOrigin(slot: number): number {
    return this.origin[slot]!;
  }
  slotSequence(slot: number): number {
    return this.sequence[slot]!;
  }
  slotTarget(slot: number): number {
    return this.target[slot]!;
  }
  /** Takes the payload out of a popped slot (so the slot does not keep it alive). */
  takePayload(slot: number): Payload {
    const payload = this.payload[slot] as Payload;
    this.payload[slot] = undefined;
    return payload;
  }

  private before(a: number, b: number): boolean {
    return this.slotBefore(a, this, b);
  }

  /** Whether the event in this queue's slot `mine` comes before the one in `other`'s slot `theirs`. */
  private slotBefore(mine: number, other: EventQueue<Payload>, theirs: number): boolean {
    const ta = this.timeUs[mine]!;
    const tb = other.timeUs[theirs]!;
    if (ta !== tb) return ta < tb;
    const oa = this.origin[mine]!;
    const ob = other.origin[theirs]!;
    if (oa !== ob) return oa < ob;
    return this.sequence[mine]! < other.sequence[theirs]!;
  }

  private siftUp(position: number, slot: number): void {
    const heap = this.heap;
    while (position > 0) {
      const parentPosition = (position - 1) >> 1;
      const parent = heap[parentPosition]!;
      if (!this.before(slot, parent)) break;
      heap[position] = parent;
      position = parentPosition;
    }
    heap[position] = slot;
  }

  private siftDown(position: number, slot: number): void {
    const heap = this.heap;
    const count = this.count;
    const half = count >> 1;
    while (position < half) {
      let child = 2 * position + 1;
      let childSlot = heap[child]!;
      const right = child + 1;
      if (right < count) {
        const rightSlot = heap[right]!;
        if (this.before(rightSlot, childSlot)) {
          child = right;
          childSlot = rightSlot;
        }
      }
      if (!this.before(childSlot, slot)) break;
      heap[position] = childSlot;
      position = child;
    }
    heap[position] = slot;
  }

  private allocateSlot(): number {
    if (this.freeCount > 0) return this.freeSlots[--this.freeCount]!;
    if (this.slotCount === this.heap.length) this.grow();
    return this.slotCount++;
  }

  private grow(): void {
    const capacity = this.heap.length * 2;
    if (capacity > this.maxCapacity) throw new PendingEventsError(`more than ${this.maxCapacity.toLocaleString('en-US')} events pending at once`);
    const growFloat = (from: Float64Array): Float64Array => {
      const to = new Float64Array(capacity);
      to.set(from);
      return to;
    };
    const growInt = (from: Int32Array): Int32Array => {
      const to = new Int32Array(capacity);
      to.set(from);
      return to;
    };
    this.timeUs = growFloat(this.timeUs);
    this.sequence = growFloat(this.sequence);
    this.origin = growInt(this.origin);
    this.target = growInt(this.target);
    this.heap = growInt(this.heap);
    this.freeSlots = growInt(this.freeSlots);
    this.payload.length = capacity;
  }
}
