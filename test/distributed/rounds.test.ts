import { describe, expect, it } from 'vitest';
import { RoundPlanner } from '../../sim/distributed/rounds.js';

const none = Infinity;

describe('planning the windows of a run over hosts', () => {
  it('a host runs up to the earliest event of the others plus the lookahead, deliveries on their way included', () => {
    const planners = [0, 1, 2].map((self) => new RoundPlanner(self, 100, 10_000, [0, 500, none]));
    expect(planners.map((planner) => planner.plan())).toEqual([
      { done: false, frontierUs: 0, horizonUs: 600, active: true },
      { done: false, frontierUs: 0, horizonUs: 100, active: false },
      { done: false, frontierUs: 0, horizonUs: 100, active: false },
    ]);
    // Host 1 ran nothing; host 0 ran to 600 and sent host 2 a delivery arriving at 550.
    const facts = [
      { nextEventUs: 650, earliestToUs: [none, none, 550] },
      { nextEventUs: 500, earliestToUs: [none, none, none] },
      { nextEventUs: none, earliestToUs: [none, none, none] },
    ];
    for (const planner of planners) facts.forEach((fact, host) => planner.add(host, fact));
    expect(planners.map((planner) => planner.plan())).toEqual([
      { done: false, frontierUs: 500, horizonUs: 600, active: false },
      { done: false, frontierUs: 500, horizonUs: 650, active: true },
      { done: false, frontierUs: 500, horizonUs: 600, active: true },
    ]);
  });

  it('the run ends when no host has an event before the end, and a plan needs every host', () => {
    const planner = new RoundPlanner(0, 100, 1_000, [900, 950]);
    expect(planner.plan()).toEqual({ done: false, frontierUs: 900, horizonUs: 1_000, active: true });
    planner.add(0, { nextEventUs: 1_200, earliestToUs: [none, 1_000] });
    expect(() => planner.plan()).toThrow(/from 1 of 2 hosts/);
    planner.add(1, { nextEventUs: none, earliestToUs: [none, none] });
    expect(planner.plan()).toEqual({ done: true, frontierUs: 1_000 });
  });
});
