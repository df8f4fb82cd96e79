import { setImmediate as nextTurn } from 'node:timers/promises';
import { ServerState } from '../../gen/clustersim/v1/cluster.js';
import type { Message } from '../../nodes/messages.js';
import { CheckerSet, type CheckResult } from '../checkers/checker-set.js';
import { standardCheckers, type ScenarioFacts } from '../checkers/index.js';
import { loadBalancerFacts } from '../topologies/load-balancer/facts.js';
import type { ClusterMember } from '../checkers/placement.js';
import type { RecordSink } from '../kernel/actor.js';
import { PendingEventsError } from '../kernel/event-queue.js';
import { Simulation } from '../kernel/simulation.js';
import { RoutingPolicyError } from '../../nodes/router/external-policy.js';
import { Collector, type CollectedFigures } from '../metrics/collector.js';
import type { SimRecord } from '../metrics/records.js';
import type { LoadedScenario } from '../scenario/load.js';
import type { Scenario } from '../scenario/schema.js';
import { buildTopology, type Topology } from '../topologies/index.js';
import { defaultRequestTimeoutUs, injectsFaults } from './faults.js';
import { LimitGuard, resolveLimits, type ExceededLimit } from './limits.js';
import { isPolicyModule, loadPolicyModule } from './policy-module.js';
import { checkTopologyFits } from './topology-size.js';

export interface RunOptions {
  /** Overrides the scenario's seed. */
  seed?: number;
  /** Called now and then with the virtual time reached, for a progress display. */
  onProgress?: (virtualUs: number, eventsProcessed: number) => void;
  /** Sees every record too, in canonical order (tests check invariants over them). */
  recordTap?: RecordSink<SimRecord>;
}

/** Why a run ended before the scenario's duration. */
export interface RunStop {
  /**
   * `limit`: a bound of the scenario's `limits:` section; `interrupted`: a signal (Ctrl-C,
   * SIGTERM); `routing-policy`: the scenario's external routing policy failed.
   */
  cause: 'limit' | 'interrupted' | 'routing-policy';
  reason: string;
  /** Virtual time reached. */
  atUs: number;
  limit?: ExceededLimit['limit'];
}

export interface RunResult {
  loaded: LoadedScenario;
  seed: number;
  topology: Topology;
  figures: CollectedFigures;
  /** What the invariant checkers found. */
  checks: CheckResult;
  eventsProcessed: number;
  pendingEventsAtEnd: number;
  /** Set when the run did not reach its end: the figures cover the run so far. */
  stopped?: RunStop;
}

// Number of samples in the time series of a run (the charts' resolution).
const samplesPerRun = 240;
const progressSliceCount = 100;
// A slice ends after this many events even if its virtual time is not over, so that progress,
// limits and interruptions are looked at every few tens of milliseconds of wall time, even
// when events keep coming at one instant.
const maxEventsPerSlice = 100_000;

/** The recorder of a run: the same for a run in-process and a run spread over node hosts. */
export function createCollector(loaded: LoadedScenario, topology: Topology): Collector {
  return new Collector({
    actorNames: topology.actorNames,
    servers: topology.servers,
    sampleEveryUs: Math.max(1, Math.ceil(loaded.scenario.duration / samplesPerRun)),
    durationUs: loaded.scenario.duration,
    windows: samplesPerRun,
    initialStates: initialStates(topology),
    dynamicClusters: new Map(loaded.scenario.cluster.dynamicClusters.map((spec) => [spec.name, { members: topology.clusters.get(spec.name) ?? [], min: spec.min, max: spec.max }])),
    ...(topology.kubernetes === undefined ? {} : { kubernetes: { replicas: topology.kubernetes.bounds.replicas, consumers: topology.kubernetes.consumers } }),
  });
}

/** Each server's state as the run begins: a dynamic cluster's spare instance slots are stopped. */
function initialStates(topology: Topology): Map<number, ServerState> {
  return new Map(topology.servers.map((server) => [server, (topology.actors[server] as { state?: ServerState } | undefined)?.state ?? ServerState.RUNNING]));
}

/** The invariant checkers of a run, fed the same records as its collector. */
export function createCheckers(topology: Topology, scenario: Scenario): CheckerSet {
  return new CheckerSet({
    actorNames: topology.actorNames,
    checkers: standardCheckers(topology.actorNames, clusterMembers(topology), scenarioFacts(topology, scenario)),
    initialStates: initialStates(topology),
  });
}

/** Members of each cluster with their node, for the placement checker. */
function clusterMembers(topology: Topology): Map<string, ClusterMember[]> {
  const nodeOf = new Map<number, string>();
  for (const [node, servers] of topology.nodeServers) for (const server of servers) nodeOf.set(server, node);
  return new Map([...topology.clusters].map(([cluster, servers]) => [cluster, servers.map((server) => ({ server, node: nodeOf.get(server) ?? '' }))]));
}

/** The dynamic clusters and health policies of a scenario, as configured (none in a ClusterCATS run). */
function nodesOf(topology: Topology, servers: readonly number[]): string[] {
  const nodeOf = new Map<number, string>();
  for (const [node, members] of topology.nodeServers) for (const member of members) nodeOf.set(member, node);
  return servers.map((server) => nodeOf.get(server) ?? '');
}

function scenarioFacts(topology: Topology, scenario: Scenario): ScenarioFacts {
  const dynamicClusters = scenario.clustercats === undefined ? scenario.cluster.dynamicClusters : [];
  const healthPolicies = scenario.clustercats === undefined ? scenario.healthPolicies : [];
  const loadReportIntervalUs = scenario.routing.loadReportInterval;
  return {
    placement: {
      clusters: dynamicClusters.map((spec) => ({ name: spec.name, min: spec.min, verticalStacking: spec.verticalStacking, startupUs: spec.startup, members: topology.clusters.get(spec.name) ?? [], nodes: nodesOf(topology, topology.clusters.get(spec.name) ?? []) })),
      controller: 'placement',
      decisionIntervalUs: scenario.placement.interval,
      loadReportIntervalUs,
    },
    health: {
      policies: healthPolicies.map((spec) => ({
        name: spec.name,
        servers: spec.servers === undefined ? topology.servers : spec.servers.flatMap((name) => topology.serverByName.get(name) ?? []),
        responseTimeAboveUs: spec.responseTime?.above ?? 0,
        forUs: spec.for,
      })),
      controller: 'health',
      windowUs: loadReportIntervalUs,
    },
    ...(topology.clusterCats === undefined ? {} : { clusterCats: topology.clusterCats }),
    ...(scenario.loadBalancer === undefined ? {} : { loadBalancer: loadBalancerFacts(scenario.loadBalancer, topology.servers) }),
    ...(topology.kubernetes === undefined ? {} : { kubernetes: topology.kubernetes }),
    ...requestTimeoutOf(scenario),
  };
}

/** The longest request timeout of the scenario's clients, as the topologies give it them. */
function requestTimeoutOf(scenario: Scenario): { requestTimeoutUs?: number } {
  const byDefault = scenario.clustercats !== undefined || injectsFaults(scenario.timeline) ? defaultRequestTimeoutUs : undefined;
  const timeouts = [scenario.workload.http?.timeout ?? byDefault, byDefault].filter((timeout): timeout is number => timeout !== undefined);
  return timeouts.length === 0 ? {} : { requestTimeoutUs: Math.max(...timeouts) };
}

/**
 * One run of a scenario, advanced slice by slice of virtual time. Slicing does not change the
 * result: events are handled in the same canonical order whatever the slice boundaries.
 */
export class ScenarioRun {
  readonly seed: number;
  private readonly topology: Topology;
  private readonly collector: Collector;
  private readonly checkers: CheckerSet;
  private readonly simulation: Simulation<Message, SimRecord>;
  private readonly guard: LimitGuard;
  private readonly durationUs: number;
  private readonly sliceUs: number;
  private readonly maxEvents: number;
  private reachedUs = 0;
  private stopped: RunStop | undefined;

  constructor(
    private readonly loaded: LoadedScenario,
    private readonly options: RunOptions = {},
  ) {
    const scenario = loaded.scenario;
    this.seed = options.seed ?? scenario.seed;
    this.durationUs = scenario.duration;
    checkTopologyFits(loaded);
    this.topology = buildTopology(loaded, this.seed);
    this.collector = createCollector(loaded, this.topology);
    this.checkers = createCheckers(this.topology, scenario);
    this.guard = new LimitGuard(
      [...this.collector.handlerTables, ...this.checkers.handlerTables],
      resolveLimits(scenario.limits),
      () => this.simulation.eventsProcessed,
      (exceeded) => this.stop({ cause: 'limit', reason: exceeded.message, limit: exceeded.limit }),
      options.recordTap,
    );
    this.simulation = new Simulation<Message, SimRecord>({
      seed: this.seed,
      actors: this.topology.actors,
      actorNames: this.topology.actorNames,
      network: this.topology.network,
      sink: this.guard,
    });
    for (const event of this.topology.initialEvents) this.simulation.schedule(event.atUs, event.origin, event.target, event.message);
    this.sliceUs = Math.max(1, Math.ceil(scenario.duration / progressSliceCount));
    this.maxEvents = scenario.limits.maxEvents;
  }

  /** Runs one slice; returns false when the run is over (its end reached, or stopped). */
  advance(): boolean {
    if (this.isOver()) return false;
    const sliceEndUs = Math.min(this.reachedUs + this.sliceUs, this.durationUs);
    // One event past the limit at most: the guard then reports it.
    const eventBudget = Math.min(this.simulation.eventsProcessed + maxEventsPerSlice, this.maxEvents + 1);
    let completed = false;
    try {
      completed = this.simulation.runUntil(sliceEndUs, eventBudget);
    } catch (error) {
      // The event being handled is cut short: the run stops there, as at a limit, with its report so far.
      if (error instanceof PendingEventsError) this.stop({ cause: 'limit', reason: error.message, limit: 'pendingEvents' });
      // A policy that fails is the scenario's fault.
      else if (error instanceof RoutingPolicyError) this.stop({ cause: 'routing-policy', reason: error.message });
      else throw error;
    }
    this.reachedUs = completed ? sliceEndUs : this.simulation.now;
    this.guard.check();
    this.options.onProgress?.(this.reachedUs, this.simulation.eventsProcessed);
    return !this.isOver();
  }

  /** Stops the run where it stands; the result then covers the run so far. */
  stop(stop: Omit<RunStop, 'atUs'>): void {
    if (this.stopped !== undefined) return;
    this.stopped = { ...stop, atUs: this.simulation.now };
    this.simulation.stop();
  }

  result(): RunResult {
    const endUs = this.stopped === undefined ? this.durationUs : this.stopped.atUs;
    const result: RunResult = {
      loaded: this.loaded,
      seed: this.seed,
      topology: this.topology,
      figures: this.collector.finish(endUs),
      checks: this.checkers.finish(endUs),
      eventsProcessed: this.simulation.eventsProcessed,
      pendingEventsAtEnd: this.simulation.pendingEvents,
    };
    if (this.stopped !== undefined) result.stopped = this.stopped;
    return result;
  }

  private isOver(): boolean {
    return this.stopped !== undefined || this.reachedUs >= this.durationUs;
  }
}

/** Runs a scenario in-process, start to end (or to a limit), and returns what was collected. */
export function runScenario(loaded: LoadedScenario, options: RunOptions = {}): RunResult {
  const run = new ScenarioRun(loaded, options);
  while (run.advance());
  return run.result();
}

/**
 * Readies the scenario's routing policy before a run: a module is loaded, a gRPC service must
 * accept a connection (a ScenarioError otherwise).
 */
export async function prepareRoutingPolicy(loaded: LoadedScenario): Promise<void> {
  const policy = loaded.scenario.routing.policy;
  if (policy === undefined) return;
  if (isPolicyModule(policy)) return loadPolicyModule(loaded);
  // gRPC loads only for a scenario that names a service.
  await (await import('../distributed/policy-check.js')).checkRoutingPolicy(loaded);
}

/**
 * Runs a scenario and gives the event loop a turn between slices, so that a signal can stop it:
 * when `signal` aborts, the run stops and the result covers the run so far. A routing policy
 * the scenario names must load, or accept a connection, first (a ScenarioError otherwise).
 */
export async function runScenarioInterruptibly(loaded: LoadedScenario, signal: AbortSignal, options: RunOptions = {}): Promise<RunResult> {
  await prepareRoutingPolicy(loaded);
  const run = new ScenarioRun(loaded, options);
  const interrupt = () => run.stop({ cause: 'interrupted', reason: String(signal.reason ?? 'interrupted') });
  if (signal.aborted) interrupt();
  signal.addEventListener('abort', interrupt, { once: true });
  try {
    while (run.advance()) await nextTurn();
  } finally {
    signal.removeEventListener('abort', interrupt);
  }
  return run.result();
}
