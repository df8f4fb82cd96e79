import type { Violation } from '../sim/checkers/checker.js';
import { protocolNames, type CollectedFigures, type ProtocolFigures } from '../sim/metrics/collector.js';
import type { KubernetesSummary } from '../sim/metrics/kubernetes-figures.js';
import type { RunResult } from '../sim/run/run.js';
import { summarizeMaintenance, type MaintenanceSummary } from './maintenance-summary.js';
import { summarizeResilience, type ResilienceSummary } from './resilience-summary.js';

/** The version written into every summary, part of what reproduces a run. */
export const clustersimVersion = '0.1.0';

export interface CountsByCause {
  [cause: string]: number;
}

export interface ProtocolSummary {
  sessions: {
    started: number;
    completed: number;
    dropped: number;
    rejected: number;
    /** Still open when the run ended: neither completed nor lost. */
    open: number;
    droppedByCause: CountsByCause;
    rejectedByCause: CountsByCause;
  };
  requests: { total: number; ok: number; rejected: number; dropped: number; routedToMaintenance: number; routedToMaintenanceByWorkClass: CountsByCause };
  /** Sessions taken over by another server after their server broke affinity (replicated state). */
  failovers: number;
  /** Requests a router answered itself (no eligible server, work class reject or redirect), by cause. */
  routedAwayByCause: CountsByCause;
  latency: { meanUs: number; p50Us: number; p90Us: number; p99Us: number; maxUs: number };
}

export interface Summary extends ResilienceSummary {
  clustersim: string;
  scenario: { name: string; file: string; sha256: string };
  seed: number;
  reproduce: string;
  durationUs: number;
  /** Present only when the run stopped before its end (Ctrl-C, SIGTERM, a limit): the figures cover the run so far. */
  incomplete?: true;
  incompleteReason?: string;
  stoppedAtUs?: number;
  events: { processed: number; pendingAtEnd: number };
  /** Totals over every protocol. */
  sessions: ProtocolSummary['sessions'];
  protocols: Record<string, ProtocolSummary>;
  servers: Record<string, { requests: number; peakSessions: number; openSessionsAtEnd: number; meanQueueWaitUs: number; states: { atUs: number; state: string; mode: string }[] }>;
  /** Invariants checked over the run; any violation fails it. Only the first ones are listed. */
  violations: { count: number; byRule: Record<string, number>; first: Violation[] };
  checks: { rules: string[]; notes: Record<string, number> };
  /** Every maintenance window and drain-down period, of servers and ODRs, with the figures of each. */
  maintenance: MaintenanceSummary;
  /** State changes of the ODRs (ODR maintenance), by ODR name. */
  routers: Record<string, { states: { atUs: number; state: string; mode: string }[] }>;
  /** What the placement controller did, with the counts it decided on. */
  placement: CollectedFigures['control']['placement'];
  /** What health policies did (or, supervised, asked for). */
  health: CollectedFigures['control']['health'];
  /** JMS destinations: messages taken in and not yet consumed, at the peak and at the end. */
  messaging: Record<string, { peakInFlight: number; inFlightAtEnd: number }>;
  /** A Kubernetes run: rollouts, errors by cause and consumer, capacity, each consumer's propagation lag. */
  kubernetes?: KubernetesSummary;
}

/** Turns a run's collected figures into the summary contract (summary.json). */
export function summarize(result: RunResult): Summary {
  const { loaded, figures } = result;
  const protocols: Record<string, ProtocolSummary> = {};
  for (const [protocol, protocolFigures] of figures.protocols) {
    if (protocolFigures.sessionsStarted === 0 && protocolFigures.requests === 0) continue;
    protocols[protocolNames[protocol]!] = summarizeProtocol(protocolFigures);
  }
  const servers: Summary['servers'] = {};
  for (const server of figures.servers) {
    servers[server.name] = {
      requests: server.requests,
      peakSessions: server.peakSessions,
      openSessionsAtEnd: server.openSessions,
      meanQueueWaitUs: Math.round(server.meanQueueWaitUs),
      states: server.states,
    };
  }
  return {
    clustersim: clustersimVersion,
    scenario: { name: loaded.scenario.name, file: loaded.file, sha256: loaded.hash },
    seed: result.seed,
    reproduce: reproduceCommand(loaded.file, result.seed),
    durationUs: loaded.scenario.duration,
    ...(result.stopped === undefined ? {} : { incomplete: true, incompleteReason: result.stopped.reason, stoppedAtUs: result.stopped.atUs }),
    events: { processed: result.eventsProcessed, pendingAtEnd: result.pendingEventsAtEnd },
    sessions: totalSessions(Object.values(protocols)),
    protocols,
    servers,
    violations: { count: result.checks.violationCount, byRule: result.checks.violationsByRule, first: result.checks.violations },
    checks: { rules: result.checks.rules, notes: result.checks.notes },
    maintenance: summarizeMaintenance(figures.maintenanceWindows, result.stopped?.atUs ?? loaded.scenario.duration),
    routers: Object.fromEntries(figures.control.routers),
    placement: figures.control.placement,
    health: figures.control.health,
    messaging: Object.fromEntries([...figures.control.destinations].map(([name, destination]) => [name, { peakInFlight: destination.peakInFlight, inFlightAtEnd: destination.inFlight }])),
    ...summarizeResilience(figures.resilience, result.topology.actorNames),
    ...(figures.kubernetes === undefined ? {} : { kubernetes: figures.kubernetes }),
  };
}

export function reproduceCommand(file: string, seed: number): string {
  return `npx clustersim run ${file} --seed ${seed}`;
}

function summarizeProtocol(figures: ProtocolFigures): ProtocolSummary {
  const dropped = sum(figures.sessionsDropped);
  const rejected = sum(figures.sessionsRejected);
  const latency = figures.latency;
  return {
    sessions: {
      started: figures.sessionsStarted,
      completed: figures.sessionsCompleted,
      dropped,
      rejected,
      open: figures.sessionsStarted - figures.sessionsCompleted - dropped - rejected,
      droppedByCause: sorted(figures.sessionsDropped),
      rejectedByCause: sorted(figures.sessionsRejected),
    },
    requests: {
      total: figures.requests,
      ok: figures.requestsOk,
      rejected: figures.requestsRejected,
      dropped: figures.requestsDropped,
      routedToMaintenance: sum(figures.routedToMaintenance),
      routedToMaintenanceByWorkClass: sorted(figures.routedToMaintenance),
    },
    failovers: figures.sessionFailovers,
    routedAwayByCause: sorted(figures.routedAway),
    latency: {
      meanUs: Math.round(latency.mean),
      p50Us: latency.percentile(0.5),
      p90Us: latency.percentile(0.9),
      p99Us: latency.percentile(0.99),
      maxUs: latency.max,
    },
  };
}

function totalSessions(all: ProtocolSummary[]): ProtocolSummary['sessions'] {
  const total: ProtocolSummary['sessions'] = { started: 0, completed: 0, dropped: 0, rejected: 0, open: 0, droppedByCause: {}, rejectedByCause: {} };
  for (const { sessions } of all) {
    total.started += sessions.started;
    total.completed += sessions.completed;
    total.dropped += sessions.dropped;
    total.rejected += sessions.rejected;
    total.open += sessions.open;
    addCounts(total.droppedByCause, sessions.droppedByCause);
    addCounts(total.rejectedByCause, sessions.rejectedByCause);
  }
  total.droppedByCause = sortedObject(total.droppedByCause);
  total.rejectedByCause = sortedObject(total.rejectedByCause);
  return total;
}

function sum(counts: ReadonlyMap<string, number>): number {
  let total = 0;
  for (const count of counts.values()) total += count;
  return total;
}

function sorted(counts: ReadonlyMap<string, number>): CountsByCause {
  return sortedObject(Object.fromEntries(counts));
}

function sortedObject(counts: CountsByCause): CountsByCause {
  const result: CountsByCause = {};
  for (const key of Object.keys(counts).sort()) result[key] = counts[key]!;
  return result;
}

function addCounts(into: CountsByCause, from: CountsByCause): void {
  for (const [key, count] of Object.entries(from)) into[key] = (into[key] ?? 0) + count;
}
