import type { RecordSink } from '../kernel/actor.js';
import type { SimRecord } from '../metrics/records.js';
import { recordStride } from './codec.js';

/** The stamped records one host has sent and the merge has not yet fed. */
class HostRecords {
  private chunks: unknown[][] = [];
  private position = 0;

  add(items: unknown[]): void {
    if (items.length > 0) this.chunks.push(items);
  }

  /** The current chunk and position, or undefined when nothing is left. */
  head(): [unknown[], number] | undefined {
    while (this.chunks.length > 0 && this.position >= this.chunks[0]!.length) {
      this.chunks.shift();
      this.position = 0;
    }
    const chunk = this.chunks[0];
    return chunk === undefined ? undefined : [chunk, this.position];
  }

  advance(): void {
    this.position += recordStride;
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
      let bestItems: unknown[] = [];
      let bestAt = 0;
      for (const host of hosts) {
        const head = host.head();
        if (head === undefined) continue;
        const [items, at] = head;
        if (!((items[at] as number) < beforeUs)) continue;
        if (best === undefined || before(items, at, bestItems, bestAt)) {
          best = host;
          bestItems = items;
          bestAt = at;
        }
      }
      if (best === undefined) return;
      this.sink.record(bestItems[bestAt] as number, bestItems[bestAt + 1] as number, bestItems[bestAt + 5] as SimRecord);
      best.advance();
    }
  }
}

// Time, origin, sequence, index in event: the canonical key of a stamped record.
function before(left: readonly unknown[], a: number, right: readonly unknown[], b: number): boolean {
  for (const field of [0, 2, 3, 4]) {
    const x = left[a + field] as number;
    const y = right[b + field] as number;
    if (x !== y) return x < y;
  }
  return false;
}
