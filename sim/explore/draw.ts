import { namedStream, seedFrom, type RandomStream } from '../kernel/random.js';
import type { ExploreStepKind } from '../scenario/schema.js';
import { inTimeOrder, type MaintenanceTarget, type ScheduleStep } from './schedule.js';
import type { ScheduleSpace } from './space.js';

/** One drawn run: the simulation seed, the step kinds enabled for it and its schedule. */
export interface DrawnRun {
  index: number;
  seed: number;
  kinds: ExploreStepKind[];
  steps: ScheduleStep[];
}

/** Kinds that undo what an earlier step did. */
const closers = new Set<ExploreStepKind>(['maintenance-exit', 'restart', 'heal']);
const slowFactors = [2, 4, 10];
const drainPeriodsUs = [5_000_000, 15_000_000, 30_000_000, 60_000_000];

function pick<T>(stream: RandomStream, items: readonly T[]): T {
  return items[Math.floor(stream() * items.length)]!;
}

function between(stream: RandomStream, min: number, max: number): number {
  return min + Math.floor(stream() * (max - min + 1));
}

/**
 * Draws run `index` of an exploration. Every run has its own named stream of the explorer's
 * seed, so run i is the same whatever runs come before it, on however many threads.
 */
export function drawRun(space: ScheduleSpace, exploreSeed: number, index: number): DrawnRun {
  const stream = namedStream(exploreSeed, `explore/run/${index}`);
  const seed = seedFrom(stream);
  // Swarm testing: each run leaves out some kinds, so that a kind that masks another (a heal, an
  // exit) is sometimes absent and long chains of the others become likely.
  let kinds = space.kinds;
  if (space.swarm && kinds.length > 1) {
    const enabled = kinds.filter(() => stream() < 0.5);
    kinds = enabled.length > 0 ? enabled : [pick(stream, kinds)];
  }
  const count = between(stream, space.minSteps, space.maxSteps);
  const fromMs = Math.ceil(space.fromUs / 1000);
  // A step at the run's very end would never happen (and is refused): the last millisecond before it is the latest.
  const toMs = Math.floor(Math.min(space.toUs, space.durationUs - 1) / 1000);
  const times = Array.from({ length: count }, () => between(stream, fromMs, toMs) * 1000).sort((a, b) => a - b);
  const state = new DrawState();
  const openers = kinds.filter((kind) => !closers.has(kind));
  const steps = times
    .map((atUs) => {
      // A step that would undo nothing (an exit, a restart or a heal first) is drawn again among the others.
      let kind = pick(stream, kinds);
      if (openers.length > 0 && !state.canClose(kind)) kind = pick(stream, openers);
      return drawStep(space, stream, kind, atUs, state);
    })
    .filter((step) => step !== undefined);
  // A crash is often followed by its restart, as in an outage, while there is room for a step.
  if (kinds.includes('restart')) {
    for (const crash of steps.filter((step) => step.kind.startsWith('crash-'))) {
      const restarted = steps.some((step) => step.kind === 'restart' && step.target === crash.target && step.atUs >= crash.atUs);
      if (restarted || steps.length >= space.maxSteps || stream() >= 0.5) continue;
      steps.push({ kind: 'restart', atUs: between(stream, crash.atUs / 1000, toMs) * 1000, target: crash.target });
    }
  }
  return { index, seed, kinds, steps: inTimeOrder(steps) };
}

/** What earlier steps of the schedule did, so that an exit or a restart has something to undo. */
class DrawState {
  readonly inMaintenance: { on: MaintenanceTarget; target: string }[] = [];
  readonly crashed: string[] = [];
  /** Targets named so far: bugs live where steps meet, so later steps favour them. */
  readonly touched: string[] = [];
  partitioned = false;

  canClose(kind: ExploreStepKind): boolean {
    if (kind === 'maintenance-exit') return this.inMaintenance.length > 0;
    if (kind === 'restart') return this.crashed.length > 0;
    if (kind === 'heal') return this.partitioned;
    return true;
  }

  /** A target: half the time one that an earlier step named, when there is one. */
  target(stream: RandomStream, targets: readonly string[]): string {
    const named = this.touched.filter((name) => targets.includes(name));
    const target = named.length > 0 && stream() < 0.5 ? pick(stream, named) : pick(stream, targets);
    this.touched.push(target);
    return target;
  }
}

function drawStep(space: ScheduleSpace, stream: RandomStream, kind: ExploreStepKind, atUs: number, state: DrawState): ScheduleStep | undefined {
  const maintenance = (on: MaintenanceTarget, targets: readonly string[]): ScheduleStep => {
    const target = state.target(stream, targets);
    state.inMaintenance.push({ on, target });
    return { kind, atUs, on, target, mode: pick(stream, space.modes) };
  };
  const crash = (targets: readonly string[]): ScheduleStep => {
    const target = state.target(stream, targets);
    state.crashed.push(target);
    return { kind, atUs, target };
  };
  const serversOrMembers = space.members.length > 0 ? space.members : space.servers;
  switch (kind) {
    case 'maintenance-server':
      return maintenance('server', space.servers);
    case 'maintenance-node':
      return maintenance('node', space.nodes);
    case 'maintenance-odr':
      return maintenance('odr', space.odrs);
    case 'maintenance-exit': {
      // Mostly an exit of something entered earlier; otherwise of a server that may not be in maintenance.
      const entered = state.inMaintenance.length > 0 && stream() < 0.8 ? state.inMaintenance.splice(Math.floor(stream() * state.inMaintenance.length), 1)[0]! : { on: 'server' as const, target: state.target(stream, space.servers) };
      return { kind, atUs, on: entered.on, target: entered.target };
    }
    case 'control-start':
    case 'control-stop':
    case 'control-restart':
      return { kind, atUs, target: state.target(stream, space.servers) };
    case 'crash-server':
      return crash(space.servers);
    case 'crash-node':
      return crash(space.nodes);
    case 'crash-odr':
      return crash(space.odrs);
    case 'crash-member':
      return crash(space.members);
    case 'crash-controller':
      return crash(['controller']);
    case 'restart': {
      const everything = [...serversOrMembers, ...space.nodes, ...space.odrs, ...(space.controller ? ['controller'] : [])];
      const target = state.crashed.length > 0 && stream() < 0.8 ? state.crashed.splice(Math.floor(stream() * state.crashed.length), 1)[0]! : state.target(stream, everything);
      return { kind, atUs, target };
    }
    case 'slow':
      return { kind, atUs, target: state.target(stream, serversOrMembers), factor: pick(stream, slowFactors) };
    case 'partition': {
      const sides = space.members.length > 0 ? space.members : space.nodes;
      const target = pick(stream, sides);
      state.partitioned = true;
      return { kind, atUs, target, others: sides.filter((side) => side !== target) };
    }
    case 'heal':
      // A heal with nothing to heal is refused by the scenario's checks: left out.
      if (!state.partitioned) return undefined;
      state.partitioned = false;
      return { kind, atUs, target: '' };
    case 'clustercats-threshold':
      return { kind, atUs, target: state.target(stream, space.members), peakThreshold: stream() < 0.7 ? 0 : 90 };
    case 'clustercats-service': {
      const target = state.target(stream, space.members);
      // A drain whose deadline falls after the run's end could not be judged: the periods that end within it.
      const periods = drainPeriodsUs.filter((periodUs) => atUs + periodUs < space.durationUs);
      return stream() < 0.7 ? { kind, atUs, target, service: 'stopped', drainUs: pick(stream, periods.length > 0 ? periods : [0]) } : { kind, atUs, target, service: 'running' };
    }
    case 'kubernetes-rollout':
      return { kind, atUs, target: '' };
    case 'kubernetes-drain':
    case 'kubernetes-crash-node':
      return { kind, atUs, target: state.target(stream, space.kubernetesNodes) };
    case 'lb-action':
      return { kind, atUs, target: state.target(stream, space.servers), action: pick(stream, space.backendActions) };
  }
}
