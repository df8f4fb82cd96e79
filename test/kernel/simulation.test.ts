import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Actor, Context } from '../../sim/kernel/actor.js';
import { Simulation } from '../../sim/kernel/simulation.js';

/** A wake-up: its label, and the timers to set from it, each with the timers to set from that one. */
type Wake = { label: string; then: Plan[] };
type Plan = { delayUs: number; then: Plan[] };

/** Records every wake-up as "time label" and sets the timers its message plans. */
class Sleeper implements Actor<Wake, string> {
  constructor(readonly name: string) {}
  onMessage(message: Wake, context: Context<Wake, string>): void {
    context.record(`${context.now} ${message.label}`);
    message.then.forEach((plan, index) => context.setTimer(context.now + plan.delayUs, { label: `${message.label}.${index}`, then: plan.then }));
  }
}

function run(plans: Plan[][]): string[] {
  const handled: string[] = [];
  const actors = plans.map((_, index) => new Sleeper(`a${index}`));
  const simulation = new Simulation<Wake, string>({
    seed: 1,
    actors,
    actorNames: actors.map((actor) => actor.name),
    network: { delayUs: () => 0, minimumDelayUs: () => 0 },
    sink: { record: (_timeUs, _actor, record) => handled.push(record) },
  });
  plans.forEach((then, index) => simulation.schedule(0, index, index, { label: `a${index}`, then }));
  simulation.runUntil(Infinity);
  return handled;
}

/** Every wake-up the plans lead to, as "time label". */
function expectedWakes(label: string, atUs: number, then: Plan[]): string[] {
  return [`${atUs} ${label}`, ...then.flatMap((plan, index) => expectedWakes(`${label}.${index}`, atUs + plan.delayUs, plan.then))];
}

// Delays on both sides of the kernel's one-second split between its two queues, with ties.
const delay = fc.constantFrom(0, 1, 400_000, 999_999, 1_000_000, 1_000_001, 2_000_000);
/** Plans of timers that set timers, `depth` levels deep. */
function plans(depth: number): fc.Arbitrary<Plan[]> {
  const then = depth <= 1 ? fc.constant<Plan[]>([]) : plans(depth - 1);
  return fc.array(fc.record({ delayUs: delay, then }), { maxLength: 3 });
}

describe('simulation', () => {
  it('handles timers set near and far ahead in time order, every one of them', () => {
    fc.assert(
      fc.property(fc.array(plans(3), { minLength: 1, maxLength: 4 }), (plans) => {
        const handled = run(plans);
        const times = handled.map((line) => Number(line.split(' ')[0]));
        expect(times).toEqual([...times].sort((a, b) => a - b));
        const expected = plans.flatMap((then, index) => expectedWakes(`a${index}`, 0, then));
        expect([...handled].sort()).toEqual(expected.sort());
      }),
      { numRuns: 300 },
    );
  });

  it('breaks ties in time by origin actor, then by the order the origin scheduled them', () => {
    const handled = run([[{ delayUs: 2_000_000, then: [] }], [{ delayUs: 2_000_000, then: [] }, { delayUs: 2_000_000, then: [] }]]);
    expect(handled).toEqual(['0 a0', '0 a1', '2000000 a0.0', '2000000 a1.0', '2000000 a1.1']);
  });

  it('handles events in the order of a plain reference loop when messages and timers at the same instant interleave', () => {
    // Zero delays make most events come before every pending one; the kernel then holds the event
    // aside rather than queueing it. A loop that scans every pending event for the least
    // (time, origin, sequence) must handle them in the same order.
    type Hop = { to: number; timer: boolean; then: Hop[] };
    const hops = (depth: number): fc.Arbitrary<Hop[]> =>
      fc.array(fc.record({ to: fc.nat(3), timer: fc.boolean(), then: depth <= 1 ? fc.constant<Hop[]>([]) : hops(depth - 1) }), { maxLength: 3 });
    fc.assert(
      fc.property(fc.array(fc.constantFrom(0, 0, 0, 1, 5, 1_000_000), { minLength: 16, maxLength: 16 }), fc.array(hops(4), { minLength: 1, maxLength: 4 }), (delays, starts) => {
        const delayUs = (from: number, to: number) => delays[from * 4 + to]!;
        const byKernel: string[] = [];
        const actors = [0, 1, 2, 3].map((index) => ({
          name: `a${index}`,
          onMessage(message: Hop[], context: Context<Hop[], string>) {
            byKernel.push(`${context.now} a${context.self} ${JSON.stringify(message)}`);
            for (const hop of message) {
              if (hop.timer) context.setTimer(context.now + delayUs(context.self, hop.to), hop.then);
              else context.send(hop.to, hop.then);
            }
          },
        }));
        const simulation = new Simulation<Hop[], string>({
          seed: 1,
          actors,
          actorNames: actors.map((actor) => actor.name),
          network: { delayUs: (from, to) => delayUs(from, to), minimumDelayUs: () => 0 },
          sink: { record: () => undefined },
        });
        starts.forEach((plan, index) => simulation.schedule(index % 2, index, index, plan));
        simulation.runUntil(Infinity);

        const byReference: string[] = [];
        const pending: { atUs: number; origin: number; sequence: number; target: number; message: Hop[] }[] = [];
        const sequences = [0, 0, 0, 0];
        const enqueue = (atUs: number, origin: number, target: number, message: Hop[]) => pending.push({ atUs, origin, sequence: sequences[origin]!++, target, message });
        starts.forEach((plan, index) => enqueue(index % 2, index, index, plan));
        while (pending.length > 0) {
          let least = 0;
          for (let index = 1; index < pending.length; index++) {
            const [a, b] = [pending[index]!, pending[least]!];
            if (a.atUs !== b.atUs ? a.atUs < b.atUs : a.origin !== b.origin ? a.origin < b.origin : a.sequence < b.sequence) least = index;
          }
          const { atUs, target, message } = pending.splice(least, 1)[0]!;
          byReference.push(`${atUs} a${target} ${JSON.stringify(message)}`);
          for (const hop of message) enqueue(atUs + delayUs(target, hop.to), target, hop.timer ? target : hop.to, hop.then);
        }
        expect(byKernel).toEqual(byReference);
      }),
      { numRuns: 300 },
    );
  });
});
