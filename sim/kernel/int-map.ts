const empty = -1;
const twoTo32 = 4294967296;
/** Keys (and values) up to this fit the tables' 32-bit storage. */
export const maxNarrowKey = 0x7fffffff;

/** Slots for a table of `expectedSize` entries: a power of two, at most half full. */
export function capacityFor(expectedSize: number): number {
  let capacity = 16;
  while (capacity < expectedSize * 2) capacity *= 2;
  return capacity;
}

/** Fibonacci hashing of the key's two 32-bit halves; `shift` is 32 minus log2 of the table's capacity. */
export function homeSlot(key: number, shift: number): number {
  const mixed = (key >>> 0) ^ Math.imul((key / twoTo32) >>> 0, 0x85ebca6b);
  return Math.imul(mixed, 0x9e3779b1) >>> shift;
}

/**
 * A hash map from non-negative integer keys (session and request ids, up to 2^53) to values:
 * open addressing with linear probing, keys in a typed array (32-bit until a key needs more).
 * Built for the tables that take an insert and a delete per request (requests in flight,
 * sessions open): a Map keeps deleted
 * entries until its table is full of them and then allocates a new one, every few hundred such
 * pairs; this table allocates only when it grows. A delete shifts the entries after it back, so
 * there are no tombstones. Iteration is in table order, which is deterministic but arbitrary:
 * callers that act on the entries in turn sort them first.
 */
export class IntMap<Value> {
  /** 32-bit while every key fits (half the memory to miss in), 64-bit floats once one does not. */
  private keys: Int32Array | Float64Array;
  private values: (Value | undefined)[];
  private mask: number;
  /** 32 minus log2 of the capacity: the hash's top bits pick the slot. */
  private shift: number;
  private count = 0;

  constructor(expectedSize = 8) {
    const capacity = capacityFor(expectedSize);
    this.keys = new Int32Array(capacity).fill(empty);
    this.values = new Array<Value | undefined>(capacity).fill(undefined);
    this.mask = capacity - 1;
    this.shift = 32 - Math.log2(capacity);
  }

  get size(): number {
    return this.count;
  }

  get(key: number): Value | undefined {
    const slot = this.find(key);
    return slot < 0 ? undefined : this.values[slot];
  }

  has(key: number): boolean {
    return this.find(key) >= 0;
  }

  set(key: number, value: Value): void {
    if (key > maxNarrowKey && this.keys instanceof Int32Array) this.keys = Float64Array.from(this.keys);
    const keys = this.keys;
    const mask = this.mask;
    let slot = this.home(key);
    for (;;) {
      const held = keys[slot]!;
      if (held === key) {
        this.values[slot] = value;
        return;
      }
      if (held === empty) break;
      slot = (slot + 1) & mask;
    }
    keys[slot] = key;
    this.values[slot] = value;
    // At most half full: probe sequences stay a slot or two long.
    if (++this.count * 2 > keys.length) this.grow();
  }

  delete(key: number): boolean {
    let hole = this.find(key);
    if (hole < 0) return false;
    const keys = this.keys;
    const values = this.values;
    const mask = this.mask;
    // Each entry after the hole moves back into it if the hole lies between its home and where it is.
    for (let next = (hole + 1) & mask; keys[next] !== empty; next = (next + 1) & mask) {
      if (((next - this.home(keys[next]!)) & mask) >= ((next - hole) & mask)) {
        keys[hole] = keys[next]!;
        values[hole] = values[next];
        hole = next;
      }
    }
    keys[hole] = empty;
    values[hole] = undefined;
    this.count--;
    return true;
  }

  clear(): void {
    this.keys.fill(empty);
    this.values.fill(undefined);
    this.count = 0;
  }

  /** The values, in table order. */
  valueList(): Value[] {
    return this.valuesWhere(() => true);
  }

  /** The values that pass `test`, in table order. */
  valuesWhere(test: (value: Value) => boolean): Value[] {
    const list: Value[] = [];
    for (let slot = 0; slot < this.keys.length; slot++)
      if (this.keys[slot] !== empty && test(this.values[slot] as Value)) list.push(this.values[slot] as Value);
    return list;
  }

  /** The entries, in table order. */
  entryList(): [key: number, value: Value][] {
    const list: [number, Value][] = [];
    for (let slot = 0; slot < this.keys.length; slot++)
      if (this.keys[slot] !== empty) list.push([this.keys[slot]!, this.values[slot] as Value]);
    return list;
  }

  private find(key: number): number {
    const keys = this.keys;
    const mask = this.mask;
    for (let slot = this.home(key); ; slot = (slot + 1) & mask) {
      const held = keys[slot]!;
      if (held === key) return slot;
      if (held === empty) return -1;
    }
  }

  private home(key: number): number {
    return homeSlot(key, this.shift);
  }

  private grow(): void {
    const keys = this.keys;
    const values = this.values;
    const capacity = keys.length * 2;
    this.keys = keys instanceof Int32Array ? new Int32Array(capacity).fill(empty) : new Float64Array(capacity).fill(empty);
    this.values = new Array<Value | undefined>(capacity).fill(undefined);
    this.mask = capacity - 1;
    this.shift--;
    this.count = 0;
    for (let slot = 0; slot < keys.length; slot++) if (keys[slot] !== empty) this.set(keys[slot]!, values[slot] as Value);
  }
}
