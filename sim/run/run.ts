import type { Message } from '../../nodes/messages.js';
import { CheckerSet, fanOut, type CheckResult } from '../checkers/checker-set.js';
import { standardCheckers } from '../checkers/index.js';
import type { ClusterMember } from '../checkers/placement.js';
import { ServerState } from '../../gen/clustersim/v1/cluster.js';
import type { RecordSink } from '../kernel/actor.js';
import { Simulation } from '../kernel/simulation.js';
import { Collector, type CollectedFigures } from '../metrics/collector.js';
import type { SimRecord } from '../metrics/records.js';
import type { LoadedScenario } from '../scenario/load.js';
import { buildTopology, type Topology } from './build.js';

export interface RunOptions {
  /** Overrides the scenario's seed. */
  seed?: number;
  /** Called now and then with the virtual time reached, for a progress display. */
  onProgress?: (virtualUs: number, eventsProcessed: number) => void;
  /** Sees every record too, in canonical order (tests check invariants over them). */
  recordTap?: RecordSink<SimRecord>;
}

export interface RunResult {
  loaded: LoadedScenario;
  seed: number;
  topology: Topology;
  figures: CollectedFigures;
  checks: CheckResult;
  eventsProcessed: number;
  pendingEventsAtEnd: number;
}

// Number of samples in the time series of a run (the charts' resolution).
const samplesPerRun = 240;
const progressSliceCount = 100;

/** Runs a scenario in-process, start to end, and returns what was collected. */
export function runScenario(loaded: LoadedScenario, options: RunOptions = {}): RunResult {
  const scenario = loaded.scenario;
  const seed = options.seed ?? scenario.seed;
  const topology = buildTopology(loaded, seed);
  const collector = new Collector({
    actorNames: topology.actorNames,
    servers: topology.servers,
    sampleEveryUs: Math.max(1, Math.ceil(scenario.duration / samplesPerRun)),
    durationUs: scenario.duration,
    windows: samplesPerRun,
  });
  const checkers = new CheckerSet({
    actorNames: topology.actorNames,
    checkers: standardCheckers(topology.actorNames, clusterMembers(topology)),
    initialStates: new Map(topology.servers.map((server) => [server, (topology.actors[server] as { state?: ServerState }).state ?? ServerState.RUNNING])),
  });
  const simulation = new Simulation<Message, SimRecord>({
    seed,
    actors: topology.actors,
    actorNames: topology.actorNames,
    network: topology.network,
    sink: fanOut([collector, checkers, ...(options.recordTap === undefined ? [] : [options.recordTap])]),
  });
  for (const event of topology.initialEvents) simulation.schedule(event.atUs, event.origin, event.target, event.message);

  const sliceUs = Math.max(1, Math.ceil(scenario.duration / progressSliceCount));
  for (let endUs = sliceUs; ; endUs += sliceUs) {
    const sliceEndUs = Math.min(endUs, scenario.duration);
    simulation.runUntil(sliceEndUs);
    options.onProgress?.(sliceEndUs, simulation.eventsProcessed);
    if (sliceEndUs >= scenario.duration) break;
  }
  const figures = collector.finish(scenario.duration);
  const checks = checkers.finish(scenario.duration);
  return {
    loaded,
    seed,
    topology,
    figures,
    checks,
    eventsProcessed: simulation.eventsProcessed,
    pendingEventsAtEnd: simulation.pendingEvents,
  };
}

/** Members of each cluster with their node, for the placement checker. */
function clusterMembers(topology: Topology): Map<string, ClusterMember[]> {
  const nodeOf = new Map<number, string>();
  for (const [node, servers] of topology.nodeServers) for (const server of servers) nodeOf.set(server, node);
  return new Map([...topology.clusters].map(([cluster, servers]) => [cluster, servers.map((server) => ({ server, node: nodeOf.get(server) ?? '' }))]));
}
