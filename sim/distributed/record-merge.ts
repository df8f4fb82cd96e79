import type { RecordSink } from '../kernel/actor.js';
import type { SimRecord } from '../metrics/records.js';
import { recordStride } from './codec.js';

/** The stamped records one host has sent and the merge has not yet fed. */
class HostRecords {
  private readonly chunks: unknown[][] = [];
  /** The chunk being fed and the position of its next record; `items` is empty when none is left. */
  items: unknown[] = [];
  at = 0;

  add(items: unknown[]): void {
    if (items.length === 0) return;
    if (this.at < this.items.length) this.chunks.push(items);
    else {
      this.items = items;
      this.at = 0;
    }
  }

  /** Moves past the record at `at`, on to the next chunk at the end of this one. */
  advance(): void {
    this.at += recordStride;
    if (this.at < this.items.length) return;
    const next = this.chunks.shift();
    this.items = next ?? [];
    this.at = 0;
  }
}

/**
 * Feeds the records of every host to one sink in canonical order: by the time, origin and
 * sequence of the event that made them, then their index within it. Each host's records come in
 * that order already; hosts run ahead of one another, so a record is fed only once no host can
 * still make an earlier one.
 */
export class RecordMerger {
  private readonly hosts: HostRecords[];

  constructor(
    hostCount: number,
    private readonly sink: RecordSink<SimRecord>,
  ) {
    this.hosts = Array.from({ length: hostCount }, () => new HostRecords());
  }

  add(host: number, items: unknown[]): void {
    this.hosts[host]!.add(items);
  }

  /** Feeds every record made before `beforeUs` (all of them for Infinity). */
  release(beforeUs: number): void {
    const hosts = this.hosts;
    for (;;) {
      let best: HostRecords | undefined;
      for (const host of hosts) {
        const items = host.items;
        const at = host.at;
        if (at >= items.length || !((items[at] as number) < beforeUs)) continue;
        if (best === undefined || before(items, at, best.items, best.at)) best = host;
      }
      if (best === undefined) return;
      const items = best.items;
      const at = best.at;
      this.sink.record(items[at] as number, items[at + 1] as number, items[at + 5] as SimRecord);
      best.advance();
    }
  }
}

/** Compares the canonical keys of two stamped records: time, origin, sequence, index in event. */
function before(left: readonly unknown[], a: number, right: readonly unknown[], b: number): boolean {
  const timeA = left[a] as number;
  const timeB = right[b] as number;
  if (timeA !== timeB) return timeA < timeB;
  const originA = left[a + 2] as number;
  const originB = right[b + 2] as number;
  if (originA !== originB) return originA < originB;
  const sequenceA = left[a + 3] as number;
  const sequenceB = right[b + 3] as number;
  if (sequenceA !== sequenceB) return sequenceA < sequenceB;
  return (left[a + 4] as number) < (right[b + 4] as number);
}
