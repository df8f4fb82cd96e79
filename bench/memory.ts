import type { Message } from '../nodes/messages.js';
import { Simulation } from '../sim/kernel/simulation.js';
import type { SimRecord } from '../sim/metrics/records.js';
import { buildTopology } from '../sim/topologies/index.js';
import { Collector } from '../sim/metrics/collector.js';
import { parseScenario } from '../sim/scenario/load.js';

/** Heap in use after a full garbage collection (needs node --expose-gc). */
function settledHeap(): number {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (collect === undefined) throw new Error('run the benchmark with node --expose-gc');
  collect();
  collect();
  const usage = process.memoryUsage();
  // Typed arrays (the event queue) live outside the JavaScript heap proper: count them too.
  return usage.heapUsed + usage.arrayBuffers;
}

/**
 * Heap per open session: a cluster whose users think for a long time, run until many
 * sessions are open, measured against the same topology before any session started. Counts
 * everything a session costs: the client's state, the server's session entry, and its place in
 * the clients' queue of sessions thinking (the kernel holds one timer for that queue).
 */
export function heapPerOpenSession(): { bytes: number; sessions: number; pendingEvents: number } {
  const loaded = parseScenario(`name: memory
seed: 3
duration: 60m
cluster:
  nodes: { count: 10, servers: 10 }
  server: { threads: 100, queue: 100000 }
network:
  latency: { constant: 200us }
workload:
  http: { rate: 2000/s, requests: 1000, thinkTime: { constant: 30m }, service: { constant: 1ms } }
`);
  const topology = buildTopology(loaded);
  const collector = new Collector({ actorNames: topology.actorNames, servers: topology.servers, sampleEveryUs: 15_000_000 });
  const simulation = new Simulation<Message, SimRecord>({ seed: 3, actors: topology.actors, actorNames: topology.actorNames, network: topology.network, sink: collector });
  for (const event of topology.initialEvents) simulation.schedule(event.atUs, event.origin, event.target, event.message);
  simulation.runUntil(1_000_000);
  const before = settledHeap();
  const openSessions = () => topology.clients.reduce((total, client) => total + ((topology.actors[client] as { openSessions?: number }).openSessions ?? 0), 0);
  const openBefore = openSessions();
  simulation.runUntil(201_000_000);
  const after = settledHeap();
  const sessions = openSessions() - openBefore;
  return { bytes: (after - before) / sessions, sessions, pendingEvents: simulation.pendingEvents };
}

/** Heap per pending event in the kernel's queue, with a small message as payload. */
export function heapPerPendingEvent(): { bytes: number; events: number } {
  const count = 1_000_000;
  const simulation = new Simulation<Message, SimRecord>({
    seed: 1,
    actors: [undefined],
    actorNames: ['sink'],
    network: { delayUs: () => 0, minimumDelayUs: () => 0 },
    sink: { record: () => undefined },
  });
  const before = settledHeap();
  for (let index = 0; index < count; index++) simulation.schedule(index, 0, 0, { $case: 'timer', value: { tag: 'think', ref: index } });
  const after = settledHeap();
  return { bytes: (after - before) / count, events: simulation.pendingEvents };
}
