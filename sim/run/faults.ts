import { FaultKind, type Message } from '../../nodes/messages.js';
import { namedStream } from '../kernel/random.js';
import type { LinkFault } from '../network/link-faults.js';
import { ScenarioError, type LoadedScenario, type ScenarioProblem } from '../scenario/load.js';
import type { TimelineStep } from '../scenario/schema.js';

/** A delivery scheduled before the run starts. */
export interface PlannedEvent {
  atUs: number;
  origin: number;
  target: number;
  message: Message;
}

/** What the faults of a timeline may name, as a topology builder declares it. */
export interface FaultTargets {
  actorNames: readonly string[];
  /** Actors that handle crash, restart and slow (servers, members, ODRs, a controller), by name. */
  crashable: ReadonlyMap<string, number>;
  /** Node name → the crashable actors on it. */
  nodes: ReadonlyMap<string, readonly number[]>;
  /** The actor that records faults and in whose name the timeline is scheduled. */
  timeline: number;
}

/** The faults of a scenario, resolved before the run: the schedule is known up front. */
export interface FaultPlan {
  events: PlannedEvent[];
  linkFaults: LinkFault[];
  /** Per actor, the [from, to) intervals it is crashed: the truth that suspicions are labelled against. */
  downIntervals: Map<number, [number, number][]>;
  /** True when a step crashes something or cuts or degrades links: clients then need a request timeout. */
  injectsFaults: boolean;
}

/** Default client request timeout when a scenario injects faults (a lost request must end with a cause). */
export const defaultRequestTimeoutUs = 30_000_000;

/**
 * The virtual time of a step: `at`, or with `within` a time drawn uniformly in [at, at + within)
 * from a stream named after the step, so that adding a step never moves another.
 */
export function stepTimeUs(step: TimelineStep, index: number, seed: number): number {
  if (step.within === undefined || step.within === 0) return step.at;
  return step.at + Math.floor(namedStream(seed, `timeline/${index + 1}/at`)() * step.within);
}

/** True when a scenario crashes something or cuts or degrades links: its clients then need a request timeout. */
export function injectsFaults(steps: readonly TimelineStep[]): boolean {
  return steps.some((step) => step.crash !== undefined || step.partition !== undefined || step.degrade !== undefined);
}

export function planFaults(loaded: LoadedScenario, seed: number, targets: FaultTargets, clusterCats: boolean): FaultPlan {
  const plan: FaultPlan = { events: [], linkFaults: [], downIntervals: new Map(), injectsFaults: false };
  const problems: ScenarioProblem[] = [];
  const steps = loaded.scenario.timeline
    .map((step, index) => ({ step, index, atUs: stepTimeUs(step, index, seed) }))
    .sort((a, b) => a.atUs - b.atUs || a.index - b.index);
  const crashedAt = new Map<number, number>();

  const record = (atUs: number, kind: FaultKind, target: string, detail: string, factor = 1): void => {
    plan.events.push({ atUs, origin: targets.timeline, target: targets.timeline, message: { $case: 'fault', value: { kind, target, factor, detail } } });
  };
  const strike = (atUs: number, actor: number, kind: FaultKind, detail: string, factor = 1): void => {
    const target = targets.actorNames[actor]!;
    record(atUs, kind, target, detail, factor);
    plan.events.push({ atUs, origin: targets.timeline, target: actor, message: { $case: 'fault', value: { kind, target, factor, detail } } });
  };

  // The servers (or members) are the actors of the nodes; `controller` is a group of controllers.
  const servers = new Set([...targets.nodes].filter(([name]) => name !== 'controller').flatMap(([, actors]) => actors));
  for (const { step, index, atUs } of steps) {
    const problemAt = (key: string, message: string) => problems.push(loaded.problemAt(['timeline', index, key], message));
    const crashTargets = (key: string, name: string): { actors: readonly number[]; detail: string } | undefined => {
      const node = targets.nodes.get(name);
      if (node !== undefined) return { actors: node, detail: 'node' };
      const actor = targets.crashable.get(name);
      if (actor !== undefined) return { actors: [actor], detail: 'process' };
      problemAt(key, `unknown target "${name}" (known: ${[...targets.nodes.keys(), ...targets.crashable.keys()].slice(0, 8).join(', ')}, ...)`);
      return undefined;
    };
    if (step.clustercats !== undefined && !clusterCats) problemAt('clustercats', 'clustercats steps need a clustercats: section');
    if (step.crash !== undefined) {
      plan.injectsFaults = true;
      const resolved = crashTargets('crash', step.crash);
      for (const actor of resolved?.actors ?? []) {
        strike(atUs, actor, FaultKind.CRASH, resolved!.detail);
        if (!crashedAt.has(actor)) crashedAt.set(actor, atUs);
      }
    } else if (step.restart !== undefined) {
      const resolved = crashTargets('restart', step.restart);
      for (const actor of resolved?.actors ?? []) {
        strike(atUs, actor, FaultKind.RESTART, resolved!.detail);
        const from = crashedAt.get(actor);
        if (from !== undefined) addInterval(plan.downIntervals, actor, from, atUs);
        crashedAt.delete(actor);
      }
    } else if (step.slow !== undefined) {
      const resolved = crashTargets('slow', step.slow.target);
      // Only servers have a service time to slow: a router or a controller would count a fault that changes nothing.
      if (resolved !== undefined && resolved.actors.some((actor) => !servers.has(actor))) {
        problemAt('slow', `"${step.slow.target}" has no service time to slow: slow a server or a node`);
      } else for (const actor of resolved?.actors ?? []) strike(atUs, actor, FaultKind.SLOW, `x${step.slow.factor}`, step.slow.factor);
    } else if (step.partition !== undefined) {
      plan.injectsFaults = true;
      const sideOf = sidesOf(step.partition.groups, targets, (message) => problemAt('partition', message));
      plan.linkFaults.push({ kind: 'partition', name: step.partition.name, fromUs: atUs, toUs: Infinity, sideOf, addedLatencyUs: 0, lossProbability: 0 });
      record(atUs, FaultKind.PARTITION, step.partition.name, step.partition.groups.map((group) => group.join('+')).join(' | '));
    } else if (step.degrade !== undefined) {
      plan.injectsFaults = true;
      const degrade = step.degrade;
      const sideOf = degrade.between === undefined ? undefined : sidesOf(degrade.between, targets, (message) => problemAt('degrade', message));
      plan.linkFaults.push({ kind: 'degrade', name: degrade.name, fromUs: atUs, toUs: Infinity, sideOf, addedLatencyUs: degrade.latency, lossProbability: degrade.loss });
      record(atUs, FaultKind.DEGRADE, degrade.name, `+${degrade.latency}us, loss ${degrade.loss}`);
    } else if (step.heal !== undefined) {
      const name = step.heal.name;
      let healed = 0;
      for (const fault of plan.linkFaults) {
        if (fault.toUs === Infinity && (name === undefined || fault.name === name)) {
          fault.toUs = atUs;
          healed++;
        }
      }
      if (healed === 0) problemAt('heal', name === undefined ? 'nothing to heal: no partition or degradation is active at this time' : `no active partition or degradation named "${name}"`);
      record(atUs, FaultKind.HEAL, name ?? 'all', `${healed} healed`);
    }
  }
  for (const [actor, from] of crashedAt) addInterval(plan.downIntervals, actor, from, Infinity);
  if (problems.length > 0) throw new ScenarioError(problems);
  return plan;
}

/** Whether an actor is crashed at a time, per the plan (the truth a detector cannot see). */
export function isDownAt(downIntervals: ReadonlyMap<number, readonly [number, number][]>, actor: number, atUs: number): boolean {
  for (const [from, to] of downIntervals.get(actor) ?? []) if (atUs >= from && atUs < to) return true;
  return false;
}

function addInterval(intervals: Map<number, [number, number][]>, actor: number, from: number, to: number): void {
  let list = intervals.get(actor);
  if (list === undefined) intervals.set(actor, (list = []));
  list.push([from, to]);
}

/** Side of each actor for a list of groups of names (actor names or node names); -1 outside all. */
function sidesOf(groups: readonly (readonly string[])[], targets: FaultTargets, problem: (message: string) => void): Int32Array {
  const sideOf = new Int32Array(targets.actorNames.length).fill(-1);
  const indexByName = new Map(targets.actorNames.map((name, index) => [name, index]));
  groups.forEach((group, side) => {
    for (const name of group) {
      const actors = targets.nodes.get(name) ?? (indexByName.has(name) ? [indexByName.get(name)!] : undefined);
      if (actors === undefined) {
        problem(`unknown name "${name}" in a group (use node names or actor names such as ${targets.actorNames.slice(1, 4).join(', ')})`);
        continue;
      }
      for (const actor of actors) {
        if (sideOf[actor] !== -1 && sideOf[actor] !== side) problem(`"${name}" is in two groups`);
        sideOf[actor] = side;
      }
    }
  });
  return sideOf;
}
