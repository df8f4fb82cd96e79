import { maxPendingEvents } from '../kernel/event-queue.js';
import type { LoadedScenario } from '../scenario/load.js';
import { ScenarioError } from '../scenario/load.js';
import type { Scenario } from '../scenario/schema.js';
import { instanceSlotsPerNode } from '../scenario/semantics.js';
import { resolveLimits } from './limits.js';

/**
 * Heap the actors, collector and checkers of a topology take before the first event, measured
 * on this code (heap used after a full collection, building topologies of growing size):
 * every server's actor, tables and report rows; each server thread's slots; a router's view of
 * every server (a row per router and server); a ClusterCATS member's view of every peer and
 * its heartbeats to them, all pending at once at the first interval.
 * Rounded up, so that the estimate errs on the side of refusing.
 */
const bytesPerServer = 2_600;
const bytesPerThread = 20;
const bytesPerRouterView = 240;
// A member's row in every peer's view, and its heartbeat to every peer pending in the queue.
const bytesPerMemberView = 320;
const baseBytes = 8 * 1024 * 1024;

/** What a scenario's topology will take, by part, in bytes. */
export interface TopologySize {
  servers: number;
  bytes: number;
  /** The largest part, in words, for the message. */
  largest: string;
}

export function estimateTopologySize(scenario: Scenario): TopologySize {
  const cluster = scenario.cluster;
  const nodes = cluster.nodes.count;
  const staticServers = nodes * cluster.nodes.servers;
  const dynamicServers = cluster.dynamicClusters.reduce((total, spec) => total + nodes * instanceSlotsPerNode(spec.verticalStacking), 0);
  const servers = staticServers + dynamicServers;
  const parts: [string, number][] = [
    [`${count(servers)} servers`, servers * bytesPerServer],
    [`${count(servers * cluster.server.threads)} server threads`, servers * cluster.server.threads * bytesPerThread],
  ];
  if (scenario.clustercats === undefined) {
    parts.push([`${count(cluster.routers)} routers' views of ${count(servers)} servers`, cluster.routers * servers * bytesPerRouterView]);
  } else {
    parts.push([`${count(servers)} ClusterCATS members' views of each other`, servers * servers * bytesPerMemberView]);
  }
  const largest = parts.reduce((most, part) => (part[1] > most[1] ? part : most));
  return { servers, bytes: baseBytes + parts.reduce((total, [, bytes]) => total + bytes, 0), largest: largest[0] };
}

/**
 * Refuses, before anything is built, a topology whose estimated heap is over the run's heap
 * limit: building it would exhaust the heap and abort the process with no report.
 */
export function checkTopologyFits(loaded: LoadedScenario): void {
  const size = estimateTopologySize(loaded.scenario);
  // Every member sends every peer a heartbeat and a load report at once, each interval.
  const messagesPerInterval = 2 * size.servers * size.servers;
  if (loaded.scenario.clustercats !== undefined && messagesPerInterval > maxPendingEvents) {
    const most = Math.floor(Math.sqrt(maxPendingEvents / 2));
    throw new ScenarioError([
      loaded.problemAt(
        ['cluster'],
        `a ClusterCATS cluster of ${count(size.servers)} members sends about ${count(messagesPerInterval)} messages at once at every heartbeat and load report, more than the ${count(maxPendingEvents)} events that may be pending at once: at most ${count(most)} members`,
      ),
    ]);
  }
  const limitBytes = resolveLimits(loaded.scenario.limits).maxHeapBytes;
  if (size.bytes <= limitBytes) return;
  const mb = (bytes: number) => `${count(Math.ceil(bytes / 1024 / 1024))} MB`;
  throw new ScenarioError([
    loaded.problemAt(
      ['cluster'],
      `this topology needs about ${mb(size.bytes)} of heap before the first event (mostly ${size.largest}), more than the limit of ${mb(limitBytes)}: make it smaller, or raise limits.maxHeapMb (and node --max-old-space-size)`,
    ),
  ]);
}

function count(value: number): string {
  return value.toLocaleString('en-US');
}
