import type { ScheduleStep } from './schedule.js';
import type { ScheduleSpace } from './space.js';

/** Times a step may move to, earliest first, each rounder than the last: the window's start, then down to 10 s, 1 s, 100 ms. */
function earlierTimes(atUs: number, fromUs: number): number[] {
  const candidates = [fromUs, ...[10_000_000, 1_000_000, 100_000].map((unit) => Math.floor(atUs / unit) * unit)];
  return [...new Set(candidates.filter((candidate) => candidate >= fromUs && candidate < atUs))].sort((a, b) => a - b);
}

/** The first target of the step's class, the one a person would try first. */
function firstTarget(step: ScheduleStep, space: ScheduleSpace): string | undefined {
  switch (step.kind) {
    case 'heal':
    case 'crash-controller':
      return undefined;
    case 'partition':
    case 'kubernetes-rollout':
      return undefined;
    case 'kubernetes-drain':
    case 'kubernetes-crash-node':
      return space.kubernetesNodes[0];
    case 'maintenance-node':
    case 'crash-node':
      return space.nodes[0];
    case 'maintenance-odr':
    case 'crash-odr':
      return space.odrs[0];
    case 'maintenance-exit':
      return step.on === 'node' ? space.nodes[0] : step.on === 'odr' ? space.odrs[0] : space.servers[0];
    case 'restart': {
      const lists = [space.members, space.servers, space.nodes, space.odrs];
      return lists.find((list) => list.includes(step.target))?.[0];
    }
    default:
      return space.members.length > 0 ? space.members[0] : space.servers[0];
  }
}

/**
 * Simpler versions of a schedule step, simplest first: earlier and rounder times, the first
 * target of its class, keep-affinity mode. The shrinker keeps one only when the schedule still
 * fails the same rule.
 */
export function simplerSteps(step: ScheduleStep, space: ScheduleSpace): ScheduleStep[] {
  const candidates: ScheduleStep[] = earlierTimes(step.atUs, space.fromUs).map((atUs) => ({ ...step, atUs }));
  const target = firstTarget(step, space);
  if (target !== undefined && target !== step.target) candidates.push({ ...step, target });
  if (step.mode !== undefined && step.mode !== 'affinity' && space.modes.includes('affinity')) candidates.push({ ...step, mode: 'affinity' });
  return candidates;
}
