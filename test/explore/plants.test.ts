import { afterEach, describe, expect, it, vi } from 'vitest';
import { ClusterCatsMember } from '../../nodes/clustercats/member.js';
import { ServerState } from '../../nodes/messages.js';
import { AppServer } from '../../nodes/server/app-server.js';
import { drawRun } from '../../sim/explore/draw.js';
import { explore, planExploration, type Exploration } from '../../sim/explore/explore.js';
import { runSchedule } from '../../sim/explore/jobs.js';
import { failureKey } from '../../sim/explore/oracle.js';

// Wrong behaviour planted in the real actors, in-process (one thread: the plants live in this
// one), each reached only by a combination of steps that no shipped scenario has. The explorer
// must find it within the stated budget of runs and shrink it to at most 3 steps.
type Patchable = Record<string, (...args: never[]) => unknown>;
const server = AppServer.prototype as unknown as Patchable;
const member = ClusterCatsMember.prototype as unknown as Patchable;

afterEach(() => vi.restoreAllMocks());

const budget = 100;

async function exploreOnce(file: string): Promise<Exploration> {
  return explore(planExploration(file), { seed: 1, runs: budget, jobs: 1 });
}

/** Without the plant, the runs that found it hold that rule: the finding is the plant's. */
function heldWithoutPlant(file: string, found: Exploration, key: string): void {
  vi.restoreAllMocks();
  const base = planExploration(file).base;
  const failing = found.runs.filter((run) => run.failures.includes(key));
  expect(failing.length).toBeGreaterThan(0);
  for (const run of failing) {
    const drawn = drawRun(base.space, 1, run.index);
    expect(runSchedule(base, drawn.steps, drawn.seed).failures.map(failureKey)).not.toContain(key);
  }
}

/** Which runs found a group, for the figures printed. */
function foundIn(found: Exploration, key: string): string {
  const runs = found.runs.filter((run) => run.failures.includes(key)).map((run) => run.index);
  return `found in ${runs.length} of ${budget} runs (${runs.join(', ')})`;
}

describe('explore finds planted bugs and shrinks them', () => {
  it('a server restarted after a crash in maintenance that takes new sessions (and tells the routers it runs)', async () => {
    // Servers that came back from a crash while in maintenance; entering or leaving maintenance cures them.
    const forgetful = new WeakSet<object>();
    type ServerFields = { state: ServerState; mode: number };
    const asRunning = <T>(self: ServerFields, call: () => T): T => {
      if (!forgetful.has(self) || self.state !== ServerState.MAINTENANCE) return call();
      const { state, mode } = self;
      self.state = ServerState.RUNNING;
      self.mode = 0;
      try {
        return call();
      } finally {
        self.state = state;
        self.mode = mode;
      }
    };
    const applyFault = server['applyFault']!;
    vi.spyOn(server, 'applyFault').mockImplementation(function (this: ServerFields & { lifecycle: ServerState }, ...args: never[]) {
      const restarted = (args[0] as unknown as { kind: number }).kind === 2 /* FaultKind.RESTART */ && this.lifecycle === ServerState.FAILED && this.mode !== 0;
      if (restarted) forgetful.add(this);
      return applyFault.apply(this, args);
    } as never);
    for (const name of ['enterMaintenance', 'exitMaintenance']) {
      const original = server[name]!;
      vi.spyOn(server, name).mockImplementation(function (this: object, ...args: never[]) {
        forgetful.delete(this);
        return original.apply(this, args);
      } as never);
    }
    for (const name of ['receive', 'reportLoad']) {
      const original = server[name]!;
      vi.spyOn(server, name).mockImplementation(function (this: ServerFields, ...args: never[]) {
        return asRunning(this, () => original.apply(this, args));
      } as never);
    }

    const found = await exploreOnce('test/explore/restart-cell.yaml');
    const group = found.groups.find((candidate) => candidate.rule === 'maintenance-new-session');
    expect(group, `groups found: ${found.groups.map((candidate) => candidate.key).join(', ')}`).toBeDefined();
    const shrunk = group!.shrunk!;
    expect(shrunk.steps.length).toBeLessThanOrEqual(3);
    // What it takes: maintenance, a crash and a restart (maintenance may come while the server is down).
    expect(shrunk.steps.map((step) => step.kind.replace(/-(server|node)$/, '')).sort()).toEqual(['crash', 'maintenance', 'restart']);
    expect(shrunk.steps.at(-1)!.kind).toBe('restart');
    console.info(`planted forgetful restart: ${foundIn(found, group!.key)}, shrunk from ${group!.run.steps.length} to ${shrunk.steps.length} steps in ${shrunk.tries} runs, ${Math.round(shrunk.wallMs)} ms`);
    heldWithoutPlant('test/explore/restart-cell.yaml', found, group!.key);
  });

  it('a ClusterCATS drain that ignores its deadline when a peer crashed during it', async () => {
    const sawCrash = new WeakSet<object>();
    const onSuspect = member['onSuspect']!;
    vi.spyOn(member, 'onSuspect').mockImplementation(function (this: { draining: boolean }, ...args: never[]) {
      if (this.draining) sawCrash.add(this);
      return onSuspect.apply(this, args);
    } as never);
    const stopService = member['stopService']!;
    vi.spyOn(member, 'stopService').mockImplementation(function (this: object, ...args: never[]) {
      sawCrash.delete(this);
      return stopService.apply(this, args);
    } as never);
    const onTimer = member['onTimer']!;
    vi.spyOn(member, 'onTimer').mockImplementation(function (this: object, ...args: never[]) {
      if ((args[0] as unknown as string) === 'drain-deadline' && sawCrash.has(this)) return undefined;
      return onTimer.apply(this, args);
    } as never);

    const found = await exploreOnce('test/explore/drain-cell.yaml');
    const group = found.groups.find((candidate) => candidate.rule === 'drain-deadline');
    expect(group, `groups found: ${found.groups.map((candidate) => candidate.key).join(', ')}`).toBeDefined();
    const shrunk = group!.shrunk!;
    expect(shrunk.steps.length).toBeLessThanOrEqual(3);
    expect(shrunk.steps.map((step) => step.kind)).toEqual(expect.arrayContaining(['clustercats-service', 'crash-member']));
    console.info(`planted deaf drain: ${foundIn(found, group!.key)}, shrunk from ${group!.run.steps.length} to ${shrunk.steps.length} steps in ${shrunk.tries} runs, ${Math.round(shrunk.wallMs)} ms`);
    heldWithoutPlant('test/explore/drain-cell.yaml', found, group!.key);
  });

  it('a server that throws when an operator stops it in maintenance: the simulator breaking is a finding too', async () => {
    const control = server['control']!;
    vi.spyOn(server, 'control').mockImplementation(function (this: { mode: number; name: string }, ...args: never[]) {
      if ((args[0] as unknown as { action: number }).action === 2 /* ServerAction.STOP */ && this.mode !== 0) throw new Error(`${this.name}: stop order in maintenance not handled`);
      return control.apply(this, args);
    } as never);
    const found = await exploreOnce('test/explore/restart-cell.yaml');
    const group = found.groups.find((candidate) => candidate.rule === 'internal-error');
    expect(group, `groups found: ${found.groups.map((candidate) => candidate.key).join(', ')}`).toBeDefined();
    expect(group!.shrunk!.failure.detail).toBe('node1/app-1: stop order in maintenance not handled');
    expect(group!.shrunk!.steps.map((step) => step.kind)).toEqual(['maintenance-server', 'control-stop']);
    heldWithoutPlant('test/explore/restart-cell.yaml', found, group!.key);
  });
});
