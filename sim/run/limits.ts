import { getHeapStatistics } from 'node:v8';
import type { RecordSink } from '../kernel/actor.js';
import { RecordBus, type RecordConsumer } from '../metrics/record-bus.js';
import type { SimRecord } from '../metrics/records.js';
import type { Scenario } from '../scenario/schema.js';

/** The bounds of one run, resolved from the scenario's `limits:` section. */
export interface RunLimits {
  maxEvents: number;
  maxOpenSessions: number;
  maxHeapBytes: number;
}

export function resolveLimits(limits: Scenario['limits']): RunLimits {
  return {
    maxEvents: limits.maxEvents,
    maxOpenSessions: limits.maxOpenSessions,
    // Below what Node allows, leaving room to render the report before V8 would give up.
    maxHeapBytes: limits.maxHeapMb !== undefined ? limits.maxHeapMb * 1024 * 1024 : Math.floor(getHeapStatistics().heap_size_limit * 0.85),
  };
}

/** Which limit a run exceeded, in the words of the scenario file. */
export interface ExceededLimit {
  /** A bound of `limits:`, or `pendingEvents`: the fixed bound on events pending at once. */
  limit: 'maxEvents' | 'maxOpenSessions' | 'maxHeapMb' | 'pendingEvents';
  message: string;
}

// Bounds are looked at every this many records, and the heap (a measurement that costs about a
// microsecond) at most once per this many events: often enough to stop before the heap is
// exhausted, seldom enough not to show in the run time.
const recordsPerCheck = 16_384;
const eventsPerHeapCheck = 10_000;

/**
 * Passes records on to their consumers (and the tap) and watches the run's bounds on the way:
 * open sessions (from session records, whatever the protocol), events handled and heap used.
 * On the first bound exceeded it calls `onExceeded` once, which stops the simulation.
 */
export class LimitGuard implements RecordSink<SimRecord> {
  private openSessions = 0;
  private records = 0;
  private heapCheckedAtEvents = 0;
  private exceededLimit: ExceededLimit | undefined;
  private readonly bus: RecordBus;

  constructor(
    consumers: readonly RecordConsumer[],
    private readonly limits: RunLimits,
    private readonly eventsProcessed: () => number,
    private readonly onExceeded: (exceeded: ExceededLimit) => void,
    tap?: RecordSink<SimRecord>,
  ) {
    this.bus = new RecordBus(
      [
        ...consumers,
        {
          'session-started': () => {
            if (++this.openSessions > this.limits.maxOpenSessions) {
              this.exceed('maxOpenSessions', `more than ${count(this.limits.maxOpenSessions)} sessions open at once`);
            }
          },
          'session-ended': () => {
            this.openSessions--;
          },
        },
      ],
      tap,
    );
  }

  get exceeded(): ExceededLimit | undefined {
    return this.exceededLimit;
  }

  record(timeUs: number, actor: number, record: SimRecord): void {
    this.bus.record(timeUs, actor, record);
    // The event bound is kept by the runner's slices (they end one event past it) and `check()`.
    if (++this.records % recordsPerCheck === 0) this.check();
  }

  /** Checks the bounds that are not tied to a record; the runner also calls it between slices. */
  check(): void {
    const events = this.eventsProcessed();
    if (events > this.limits.maxEvents) this.exceed('maxEvents', `more than ${count(this.limits.maxEvents)} events`);
    if (events - this.heapCheckedAtEvents < eventsPerHeapCheck) return;
    this.heapCheckedAtEvents = events;
    // The heap alone: process.memoryUsage() also reads the resident set size from the system, at some
    // ten times the cost.
    const heapUsed = getHeapStatistics().used_heap_size;
    if (heapUsed > this.limits.maxHeapBytes) {
      this.exceed('maxHeapMb', `${Math.round(heapUsed / 1024 / 1024)} MB of heap, more than ${Math.round(this.limits.maxHeapBytes / 1024 / 1024)} MB`);
    }
  }

  private exceed(limit: ExceededLimit['limit'], what: string): void {
    if (this.exceededLimit !== undefined) return;
    this.exceededLimit = { limit, message: `the run exceeded limits.${limit}: ${what} (raise it in the scenario's limits: section if the scenario really needs more)` };
    this.onExceeded(this.exceededLimit);
  }
}

function count(value: number): string {
  return value.toLocaleString('en-US');
}
