import type { ResilienceFigures } from '../sim/metrics/resilience.js';

/**
 * Drains, failovers, failure detection and faults, as summary.json gives them to `expect:` lines.
 * `addresses.unresolvedAtEnd` counts addresses held at the end by no member or by several.
 */
export interface ResilienceSummary {
  redirects: { total: number; byReason: Record<string, number> };
  /** Per server, its last drain-down period. */
  drain: Record<string, { startedAtUs: number; deadlineUs: number; endedAtUs: number | null; timeToDrainUs: number | null; reason: string; sessionsCutAtDeadline: number }>;
  detection: { suspicions: number; falseSuspicions: number; detections: number; meanDelayUs: number; maxDelayUs: number; undetectedCrashes: number };
  addresses: { takeovers: number; givebacks: number; conflicts: number; doubleOwnedUs: number; maxOwners: number; ownersAtEnd: Record<string, string[]>; unresolvedAtEnd: number };
  faults: { injected: Record<string, number>; lostRequests: Record<string, number>; lostSessions: Record<string, number> };
  replication: { sessionsRecovered: number; byReason: Record<string, number> };
}

export function summarizeResilience(figures: ResilienceFigures, actorNames: readonly string[]): ResilienceSummary {
  const drain: ResilienceSummary['drain'] = {};
  for (const server of [...figures.drains.keys()].sort((a, b) => a - b)) {
    const entry = figures.drains.get(server)!;
    const ended = entry.endedAtUs;
    drain[actorNames[server]!] = {
      startedAtUs: entry.startedAtUs,
      deadlineUs: entry.deadlineUs,
      endedAtUs: ended ?? null,
      timeToDrainUs: ended === undefined ? null : ended - entry.startedAtUs,
      reason: entry.reason,
      sessionsCutAtDeadline: entry.reason === 'expired' ? entry.openSessionsAtEnd : 0,
    };
  }
  const ownersAtEnd: Record<string, string[]> = {};
  for (const address of [...figures.owners.keys()].sort()) ownersAtEnd[address] = figures.owners.get(address)!.map((owner) => actorNames[owner]!);
  const delay = figures.detectionDelay;
  return {
    redirects: { total: total(figures.redirects), byReason: sorted(figures.redirects) },
    drain,
    detection: {
      suspicions: figures.suspicions,
      falseSuspicions: figures.falseSuspicions,
      detections: delay.count,
      meanDelayUs: Math.round(delay.mean),
      maxDelayUs: delay.max,
      undetectedCrashes: figures.undetectedCrashes,
    },
    addresses: {
      takeovers: figures.takeovers,
      givebacks: figures.givebacks,
      conflicts: figures.conflicts,
      doubleOwnedUs: figures.doubleOwnedUs,
      maxOwners: figures.maxOwners,
      ownersAtEnd,
      unresolvedAtEnd: Object.values(ownersAtEnd).filter((owners) => owners.length !== 1).length,
    },
    faults: { injected: sorted(figures.faults), lostRequests: sorted(figures.lostRequests), lostSessions: sorted(figures.lostSessions) },
    replication: { sessionsRecovered: total(figures.recovered), byReason: sorted(figures.recovered) },
  };
}

function total(counts: ReadonlyMap<string, number>): number {
  let sum = 0;
  for (const count of counts.values()) sum += count;
  return sum;
}

function sorted(counts: ReadonlyMap<string, number>): Record<string, number> {
  const result: Record<string, number> = {};
  for (const key of [...counts.keys()].sort()) result[key] = counts.get(key)!;
  return result;
}
