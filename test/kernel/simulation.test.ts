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
});
