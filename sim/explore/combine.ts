import type { Exploration, ExplorePlan, FailureGroup, RunRecord } from './explore.js';

/** What one shard of an exploration found: its runs, and its failure groups with their shrunk schedules. */
export interface ExplorationPart {
  runs: readonly RunRecord[];
  groups: readonly FailureGroup[];
}

/**
 * The exploration that one process doing every run would have found. Its groups come in the
 * order their failures first appear over the runs; each counts its failures over all shards and
 * keeps the failing run with the fewest steps (the first of those). That run is the one its own
 * shard kept and shrank, as each shard keeps the same way, so its shrunk schedule is the one.
 */
export function combineExploration(plan: ExplorePlan, seed: number, runsPlanned: number, parts: readonly ExplorationPart[]): Exploration {
  const runs = parts.flatMap((part) => part.runs).sort((a, b) => a.index - b.index);
  const counts = new Map<string, number>();
  for (const run of runs) for (const key of run.failures) counts.set(key, (counts.get(key) ?? 0) + 1);
  const firstRunOf = (part: ExplorationPart, key: string) => part.runs.find((run) => run.failures.includes(key))?.index ?? Infinity;
  const groups = [...counts.keys()].map((key): FailureGroup => {
    const holding = parts.filter((part) => part.groups.some((group) => group.key === key));
    const groupIn = (part: ExplorationPart) => part.groups.find((group) => group.key === key)!;
    // Rule and actor as the earliest failure of the group shows them.
    const earliest = groupIn(holding.reduce((best, part) => (firstRunOf(part, key) < firstRunOf(best, key) ? part : best)));
    const kept = holding.map(groupIn).reduce((best, group) => (fewerSteps(group, best) ? group : best));
    return { key, rule: earliest.rule, actor: earliest.actor, count: counts.get(key)!, run: kept.run, ...(kept.shrunk === undefined ? {} : { shrunk: kept.shrunk }) };
  });
  return {
    name: plan.name,
    file: plan.base.file,
    seed,
    runsPlanned,
    runs,
    groups,
    interrupted: false,
    kinds: plan.base.space.kinds,
    runsWallMs: runs.reduce((total, run) => total + run.wallMs, 0),
    shrinkWallMs: groups.reduce((total, group) => total + (group.shrunk?.wallMs ?? 0), 0),
  };
}

function fewerSteps(group: FailureGroup, than: FailureGroup): boolean {
  return group.run.steps.length < than.run.steps.length || (group.run.steps.length === than.run.steps.length && group.run.index < than.run.index);
}
