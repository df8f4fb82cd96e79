import { Packr, Unpackr } from 'msgpackr';
import { DeliveryBatch } from '../../gen/clustersim/v1/host.js';
import type { Message } from '../../nodes/messages.js';
import type { SimRecord } from '../metrics/records.js';

/** A delivery in flight between hosts: the kernel's event with its place in the canonical order. */
export interface Delivery {
  timeUs: number;
  origin: number;
  sequence: number;
  target: number;
  message: Message;
}

/** Deliveries bound for one host, gathered column by column as the window runs. */
export class DeliveryColumns {
  timeUs: number[] = [];
  origin: number[] = [];
  sequence: number[] = [];
  target: number[] = [];
  envelope: { body: Message }[] = [];
  earliestUs = Infinity;

  get count(): number {
    return this.timeUs.length;
  }

  add(timeUs: number, origin: number, sequence: number, target: number, message: Message): void {
    this.timeUs.push(timeUs);
    this.origin.push(origin);
    this.sequence.push(sequence);
    this.target.push(target);
    this.envelope.push({ body: message });
    if (timeUs < this.earliestUs) this.earliestUs = timeUs;
  }

  /** Encodes the deliveries in batches of at most `limit` and starts afresh. */
  drain(limit: number): { count: number; earliestUs: number; batch: Buffer }[] {
    const batches: { count: number; earliestUs: number; batch: Buffer }[] = [];
    for (let start = 0; start < this.count; start += limit) {
      const end = Math.min(this.count, start + limit);
      let earliestUs = Infinity;
      for (let index = start; index < end; index++) earliestUs = Math.min(earliestUs, this.timeUs[index]!);
      const encoded = DeliveryBatch.encode({
        timeUs: this.timeUs.slice(start, end),
        origin: this.origin.slice(start, end),
        sequence: this.sequence.slice(start, end),
        target: this.target.slice(start, end),
        envelope: this.envelope.slice(start, end),
      }).finish();
      const batch = Buffer.from(encoded.buffer, encoded.byteOffset, encoded.byteLength);
      batches.push({ count: end - start, earliestUs, batch });
    }
    this.timeUs = [];
    this.origin = [];
    this.sequence = [];
    this.target = [];
    this.envelope = [];
    this.earliestUs = Infinity;
    return batches;
  }
}

export class MalformedBatchError extends Error {}

/** Decodes a batch and checks that its columns agree; throws MalformedBatchError otherwise. */
export function decodeDeliveries(bytes: Uint8Array): Delivery[] {
  let batch: DeliveryBatch;
  try {
    batch = DeliveryBatch.decode(bytes);
  } catch (error) {
    throw new MalformedBatchError(`malformed delivery batch: ${(error as Error).message}`);
  }
  const count = batch.timeUs.length;
  if (
    batch.origin.length !== count ||
    batch.sequence.length !== count ||
    batch.target.length !== count ||
    batch.envelope.length !== count
  ) {
    throw new MalformedBatchError('malformed delivery batch: its columns differ in length');
  }
  const deliveries: Delivery[] = new Array<Delivery>(count);
  for (let index = 0; index < count; index++) {
    const body = batch.envelope[index]!.body;
    if (body === undefined) throw new MalformedBatchError(`malformed delivery batch: delivery ${index} carries no known message`);
    deliveries[index] = {
      timeUs: batch.timeUs[index]!,
      origin: batch.origin[index]!,
      sequence: batch.sequence[index]!,
      target: batch.target[index]!,
      message: body,
    };
  }
  return deliveries;
}

/** Fields of a stamped record in the flattened list: time, actor, origin, sequence, index in event, record. */
export const recordStride = 6;

// MessagePack with records: each message names the fields of each record shape once, then
// carries only values. A quarter of JSON's bytes, and half its time to write and read.
const packer = new Packr({ useRecords: true });
const unpacker = new Unpackr({ useRecords: true });

/**
 * Records of one host, stamped with their canonical key: the time, origin and sequence of the
 * event that made them, and their index within that event. Kept flat, and sent as MessagePack:
 * `[time, actor, origin, sequence, index, record, ...]`.
 */
export class StampedRecords {
  private items: unknown[] = [];
  private lastTimeUs = -1;
  private lastOrigin = -1;
  private lastSequence = -1;
  private indexInEvent = 0;

  get count(): number {
    return this.items.length / recordStride;
  }

  add(timeUs: number, actor: number, origin: number, sequence: number, record: SimRecord): void {
    if (timeUs === this.lastTimeUs && origin === this.lastOrigin && sequence === this.lastSequence) this.indexInEvent++;
    else {
      this.lastTimeUs = timeUs;
      this.lastOrigin = origin;
      this.lastSequence = sequence;
      this.indexInEvent = 0;
    }
    this.items.push(timeUs, actor, origin, sequence, this.indexInEvent, record);
  }

  /** Encoded lists of at most `limit` records each, each one readable on its own; starts afresh. */
  drain(limit: number): Buffer[] {
    const lists: Buffer[] = [];
    const step = limit * recordStride;
    for (let start = 0; start < this.items.length; start += step) {
      lists.push(packer.pack(start === 0 && this.items.length <= step ? this.items : this.items.slice(start, start + step)));
    }
    this.items = [];
    return lists;
  }
}

/** Decodes the record lists of one host back into one flat list of stamped records, checking their shape. */
export function parseRecords(lists: readonly Uint8Array[]): unknown[] {
  const records: unknown[] = [];
  for (const list of lists) {
    let items: unknown;
    try {
      items = unpacker.unpack(list);
    } catch (error) {
      throw new MalformedBatchError(`malformed records: ${(error as Error).message}`);
    }
    if (!Array.isArray(items) || items.length % recordStride !== 0) throw new MalformedBatchError('malformed records: not a list of stamped records');
    for (let at = 0; at < items.length; at += recordStride) {
      const record = items[at + 5] as { type?: unknown } | null;
      if (
        typeof items[at] !== 'number' ||
        typeof items[at + 1] !== 'number' ||
        typeof items[at + 2] !== 'number' ||
        typeof items[at + 3] !== 'number' ||
        typeof items[at + 4] !== 'number' ||
        typeof record !== 'object' ||
        record === null ||
        typeof record.type !== 'string'
      ) {
        throw new MalformedBatchError('malformed records: a record without its key or type');
      }
    }
    if (records.length === 0) records.push(...items);
    else for (const item of items) records.push(item);
  }
  return records;
}
