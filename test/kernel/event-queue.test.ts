import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventQueue } from '../../sim/kernel/event-queue.js';

type Event = { timeUs: number; origin: number; sequence: number };

function canonical(a: Event, b: Event): number {
  return a.timeUs - b.timeUs || a.origin - b.origin || a.sequence - b.sequence;
}

const eventArbitrary = fc.record({
  timeUs: fc.integer({ min: 0, max: 50 }),
  origin: fc.integer({ min: 0, max: 5 }),
  sequence: fc.integer({ min: 0, max: 1_000_000 }),
});

describe('event queue', () => {
  it('pops every event in (time, origin actor, origin sequence) order, whatever the push order', () => {
    fc.assert(
      fc.property(fc.uniqueArray(eventArbitrary, { selector: (event) => `${event.origin}/${event.sequence}`, maxLength: 300 }), (events) => {
        const queue = new EventQueue<Event>(4);
        for (const event of events) queue.push(event.timeUs, event.origin, event.sequence, 0, event);
        const popped: Event[] = [];
        while (queue.size > 0) popped.push(queue.takePayload(queue.pop()));
        expect(popped).toEqual([...events].sort(canonical));
      }),
      { numRuns: 300 },
    );
  });

  it('stays ordered when pops and pushes interleave and slots are reused', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(eventArbitrary, fc.constant('pop' as const)), { maxLength: 400 }), (operations) => {
        const queue = new EventQueue<Event>(2);
        const model: Event[] = [];
        let sequence = 0;
        for (const operation of operations) {
          if (operation === 'pop') {
            if (model.length === 0) continue;
            model.sort(canonical);
            const expected = model.shift()!;
            expect(queue.peekTimeUs()).toBe(expected.timeUs);
            expect(queue.takePayload(queue.pop())).toEqual(expected);
          } else {
            const event = { ...operation, sequence: sequence++ };
            model.push(event);
            queue.push(event.timeUs, event.origin, event.sequence, 0, event);
          }
          expect(queue.size).toBe(model.length);
        }
      }),
      { numRuns: 300 },
    );
  });
});
