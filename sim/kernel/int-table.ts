import { capacityFor, homeSlot, maxNarrowKey } from './int-map.js';

const empty = -1;

/**
 * A hash map from non-negative integer keys (up to 2^53) to numbers, for the tables of a
 * million open sessions that every request touches (a session's server, its requests in
 * flight). The same open addressing as IntMap, but each slot's key and value lie side by side
 * in one typed array: a lookup in a table far bigger than the caches costs one cache miss
 * instead of two, and the table holds no pointers for the collector to trace. Iteration is in
 * table order (deterministic, arbitrary): callers that act on entries in turn sort them first.
 */
export class IntTable {
  /** Key then value, per slot: 32-bit integers while every key and value fits, 64-bit floats once one does not. */
  private slots: Int32Array | Float64Array;
  private mask: number;
  private shift: number;
  private count = 0;

  constructor(expectedSize = 8) {
    const capacity = capacityFor(expectedSize);
    this.slots = new Int32Array(capacity * 2).fill(empty);
    this.mask = capacity - 1;
    this.shift = 32 - Math.log2(capacity);
  }

  get size(): number {
    return this.count;
  }

  get(key: number): number | undefined {
    const slot = this.find(key);
    return slot < 0 ? undefined : this.slots[2 * slot + 1];
  }

  has(key: number): boolean {
    return this.find(key) >= 0;
  }

  set(key: number, value: number): void {
    if ((key > maxNarrowKey || (value | 0) !== value) && this.slots instanceof Int32Array) this.slots = Float64Array.from(this.slots);
    const slots = this.slots;
    const mask = this.mask;
    let slot = homeSlot(key, this.shift);
    for (;;) {
      const held = slots[2 * slot]!;
      if (held === key) {
        slots[2 * slot + 1] = value;
        return;
      }
      if (held === empty) break;
      slot = (slot + 1) & mask;
    }
    slots[2 * slot] = key;
    slots[2 * slot + 1] = value;
    // At most half full: probe sequences stay a slot or two long.
    if (++this.count * 2 > mask + 1) this.grow();
  }

  delete(key: number): boolean {
    let hole = this.find(key);
    if (hole < 0) return false;
    const slots = this.slots;
    const mask = this.mask;
    // Each entry after the hole moves back into it if the hole lies between its home and where it is.
    for (let next = (hole + 1) & mask; slots[2 * next] !== empty; next = (next + 1) & mask) {
      if (((next - homeSlot(slots[2 * next]!, this.shift)) & mask) >= ((next - hole) & mask)) {
        slots[2 * hole] = slots[2 * next]!;
        slots[2 * hole + 1] = slots[2 * next + 1]!;
        hole = next;
      }
    }
    slots[2 * hole] = empty;
    this.count--;
    return true;
  }

  clear(): void {
    this.slots.fill(empty);
    this.count = 0;
  }

  /** The entries, in table order. */
  entryList(): [key: number, value: number][] {
    const list: [number, number][] = [];
    for (let slot = 0; slot <= this.mask; slot++) if (this.slots[2 * slot] !== empty) list.push([this.slots[2 * slot]!, this.slots[2 * slot + 1]!]);
    return list;
  }

  private find(key: number): number {
    const slots = this.slots;
    const mask = this.mask;
    for (let slot = homeSlot(key, this.shift); ; slot = (slot + 1) & mask) {
      const held = slots[2 * slot]!;
      if (held === key) return slot;
      if (held === empty) return -1;
    }
  }

  private grow(): void {
    const old = this.slots;
    const capacity = (this.mask + 1) * 2;
    this.slots = old instanceof Int32Array ? new Int32Array(capacity * 2).fill(empty) : new Float64Array(capacity * 2).fill(empty);
    this.mask = capacity - 1;
    this.shift--;
    this.count = 0;
    for (let slot = 0; 2 * slot < old.length; slot++) if (old[2 * slot] !== empty) this.set(old[2 * slot]!, old[2 * slot + 1]!);
  }
}
