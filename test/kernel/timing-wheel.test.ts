import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TimingWheel } from '../../sim/kernel/timing-wheel.js';

type Entry = { timeUs: number; order: number };

const byTimeThenOrder = (a: Entry, b: Entry): number => a.timeUs - b.timeUs || a.order - b.order;

// A wheel of 8 buckets of 4 µs reaches 32 µs ahead: times up to 400 µs exercise the overflow,
// the wrap of bucket numbers and the jump over an empty wheel.
const operationArbitrary = fc.oneof(fc.integer({ min: 0, max: 400 }), fc.constant('pop' as const));

describe('timing wheel', () => {
  it('gives entries back in (time, order) order, pushes and pops interleaved, times before the cursor included', () => {
    fc.assert(
      fc.property(fc.array(operationArbitrary, { maxLength: 400 }), (operations) => {
        const wheel = new TimingWheel<Entry>(4, 8);
        const model: Entry[] = [];
        let order = 0;
        for (const operation of operations) {
          if (operation === 'pop') {
            model.sort(byTimeThenOrder);
            expect(wheel.peekTimeUs()).toBe(model[0]?.timeUs ?? Infinity);
            if (model.length > 0) expect(wheel.pop()).toBe(model.shift());
          } else {
            const entry = { timeUs: operation, order: order++ };
            wheel.push(entry.timeUs, entry.order, entry);
            model.push(entry);
          }
          expect(wheel.size).toBe(model.length);
        }
        model.sort(byTimeThenOrder);
        for (const entry of model) {
          expect(wheel.peekTimeUs()).toBe(entry.timeUs);
          expect(wheel.pop()).toBe(entry);
        }
        expect(wheel.peekTimeUs()).toBe(Infinity);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps order over a long run of think times drawn after a moving clock, slots reused', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 100 }), { minLength: 50, maxLength: 600 }), (delays) => {
        const wheel = new TimingWheel<Entry>(4, 8);
        const released: Entry[] = [];
        const all: Entry[] = [];
        let nowUs = 0;
        delays.forEach((delay, order) => {
          const entry = { timeUs: nowUs + delay, order };
          wheel.push(entry.timeUs, order, entry);
          all.push(entry);
          // The clock moves to the earliest entry every other push, as the clients' wake-ups do.
          if (order % 2 === 1) {
            nowUs = wheel.peekTimeUs();
            while (wheel.peekTimeUs() <= nowUs) released.push(wheel.pop());
          }
        });
        while (wheel.size > 0) released.push(wheel.pop());
        expect(released).toEqual([...all].sort(byTimeThenOrder));
      }),
      { numRuns: 200 },
    );
  });

  it('refuses a bucket count that is not a power of two', () => {
    expect(() => new TimingWheel(4, 12)).toThrow(/power of two/);
  });
});
