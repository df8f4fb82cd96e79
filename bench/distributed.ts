/**
 * The distributed run against the in-process run on the same scenario, and the cross-host
 * exchange against a raw batched grpc-js stream measured in the same run, between the same
 * processes: in the run, where the simulation bounds it, and at capacity. `measureDistributed()` returns the figures; `node --import tsx bench/distributed.ts`
 * prints them.
 */
import type { ClientDuplexStream } from '@grpc/grpc-js';
import { credentials } from '@grpc/grpc-js';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { NodeHostServiceClient, type AbsorbRequest, type AbsorbResponse } from '../gen/clustersim/v1/host.js';
import { decodeDeliveries, DeliveryColumns, type Delivery } from '../sim/distributed/codec.js';
import { lookaheadOf, runDistributed } from '../sim/distributed/coordinator.js';
import { HostShare } from '../sim/distributed/host-share.js';
import { maxMessageBytes } from '../sim/distributed/limits.js';
import { spawnLocalHosts } from '../sim/distributed/spawn.js';
import { buildTopology } from '../sim/topologies/index.js';
import { runScenario } from '../sim/run/run.js';
import { parseScenario } from '../sim/scenario/load.js';

/** A dense scenario: many events per lookahead window, as a run worth spreading over hosts has. */
export const denseScenario = `name: bench-distributed
seed: 1
duration: 10s
cluster:
  nodes: { count: 16, servers: 4 }
  server: { threads: 50, queue: 1000 }
  routers: 8
network:
  latency: { uniform: { min: 1ms, max: 3ms } }
workload:
  http:
    rate: 6000/s
    requests: 5
    thinkTime: { exponential: 1s }
    service: { lognormal: { median: 5ms, p99: 50ms } }
`;

/** The same load over a network ten times slower (10 to 30 ms, hosts in different sites): ten times the events per window. */
export const wideScenario = denseScenario.replace('uniform: { min: 1ms, max: 3ms }', 'uniform: { min: 10ms, max: 30ms }');

export interface DistributedFigures {
  hosts: number;
  events: number;
  inProcessEventsPerSecond: number;
  distributedEventsPerSecond: number;
  /** Distributed over in-process event rate (target: at least 0.2 on 2 hosts). */
  eventRateRatio: number;
  windows: number;
  /** Events per window: what the distributed run's speed depends on. */
  eventsPerWindow: number;
  lookaheadUs: number;
  crossHostItems: number;
  /** Cross-host deliveries per second of the distributed run's wall time: bound by the simulation that makes them. */
  runItemsPerSecond: number;
  /** The exchange path at capacity: deliveries gathered, encoded, sent and decoded per second. */
  exchangeItemsPerSecond: number;
  /** A raw batched grpc-js stream of the same deliveries as protobuf items: 1,000 per message, at most 4 in flight. */
  rawStreamItemsPerSecond: number;
  /** The same deliveries as one payload encoded beforehand and never parsed: the transport's ceiling. */
  bytesStreamItemsPerSecond: number;
  /** Exchange at capacity over raw stream (target: at least 0.5). */
  exchangeRatio: number;
  /** The run's cross-host rate over the raw stream. */
  runExchangeRatio: number;
  hostComputeMs: number;
  recordsMs: number;
  wallMs: number;
}

/**
 * Medians of three runs each: the scenario in-process, then over `hosts` spawned node hosts;
 * then the exchange at capacity against the raw stream, between the same processes.
 */
export async function measureDistributed(options: { hosts?: number; scenarioText?: string } = {}): Promise<DistributedFigures> {
  const hostCount = options.hosts ?? 2;
  const text = options.scenarioText ?? denseScenario;
  const file = '<bench-distributed>';
  const repeats = 3;
  runScenario(parseScenario(text, file)); // warm-up
  const inProcessRates: number[] = [];
  let events = 0;
  for (let run = 0; run < repeats; run++) {
    const startedAt = performance.now();
    events = runScenario(parseScenario(text, file)).eventsProcessed;
    inProcessRates.push(events / ((performance.now() - startedAt) / 1000));
  }

  const hosts = await spawnLocalHosts(hostCount);
  try {
    const runs: { seconds: number; result: Awaited<ReturnType<typeof runDistributed>> }[] = [];
    for (let run = 0; run < repeats; run++) {
      const startedAt = performance.now();
      const result = await runDistributed(parseScenario(text, file), { hosts: hosts.addresses, scenarioText: text });
      runs.push({ seconds: (performance.now() - startedAt) / 1000, result });
      if (result.eventsProcessed !== events) throw new Error('the distributed run handled other events than the in-process run');
    }
    const { seconds, result: distributed } = runs.sort((a, b) => a.seconds - b.seconds)[repeats >> 1]!;
    const capacity = await exchangeCapacity(hosts.addresses[0]!);
    const inProcessEventsPerSecond = median(inProcessRates);
    const distributedEventsPerSecond = events / seconds;
    const runItemsPerSecond = distributed.exchange.crossHostItems / seconds;
    return {
      hosts: hostCount,
      events,
      inProcessEventsPerSecond,
      distributedEventsPerSecond,
      eventRateRatio: distributedEventsPerSecond / inProcessEventsPerSecond,
      windows: distributed.exchange.windows,
      eventsPerWindow: events / distributed.exchange.windows,
      lookaheadUs: distributed.exchange.lookaheadUs,
      crossHostItems: distributed.exchange.crossHostItems,
      runItemsPerSecond,
      exchangeItemsPerSecond: capacity.exchangeItemsPerSecond,
      rawStreamItemsPerSecond: capacity.rawItemsPerSecond,
      bytesStreamItemsPerSecond: capacity.bytesItemsPerSecond,
      exchangeRatio: capacity.exchangeItemsPerSecond / capacity.rawItemsPerSecond,
      runExchangeRatio: runItemsPerSecond / capacity.rawItemsPerSecond,
      hostComputeMs: distributed.exchange.hostComputeMs,
      recordsMs: distributed.exchange.recordsMs,
      wallMs: distributed.exchange.wallMs,
    };
  } finally {
    await hosts.stop();
  }
}

/**
 * Deliveries as a run sends them: the first `count` that cross between 2 hosts after the dense
 * scenario's first 2 s (its steady state), from the two hosts' shares run side by side here.
 */
export function sampleDeliveries(count: number): Delivery[] {
  const file = '<bench-distributed>';
  const loaded = parseScenario(denseScenario, file);
  const topology = buildTopology(loaded);
  const lookaheadUs = lookaheadOf(loaded, topology);
  const actorHosts = topology.actors.map((_, index) => index % 2);
  const shares = [0, 1].map(
    (hostIndex) => new HostShare({ scenarioText: denseScenario, scenarioFile: file, seed: loaded.scenario.seed, hostIndex, hostCount: 2, actorHosts, lookaheadUs }),
  );
  const steadyFromUs = 2_000_000;
  const deliveries: Delivery[] = [];
  for (let horizonUs = lookaheadUs; deliveries.length < count; horizonUs += lookaheadUs) {
    // Windows one lookahead long: nothing sent in a window arrives before its end.
    for (const share of shares) share.runWindow(horizonUs);
    for (const share of shares) {
      for (const part of share.drainOutbound(Infinity)) {
        const sent = decodeDeliveries(part.batch);
        shares[part.host]!.accept(sent);
        if (horizonUs > steadyFromUs) deliveries.push(...sent);
      }
    }
  }
  return deliveries.slice(0, count);
}

export interface ExchangeCapacity {
  /** A raw batched grpc-js stream: the deliveries as protobuf items, serialized and parsed by grpc-js. */
  rawItemsPerSecond: number;
  /** The transport's ceiling: one payload encoded beforehand and sent again and again, never parsed. */
  bytesItemsPerSecond: number;
  /** The exchange path: each batch gathered and encoded as a host does, sent, decoded as the receiving host does. */
  exchangeItemsPerSecond: number;
}

/**
 * The cross-host exchange at capacity against raw batched streams of the same deliveries, over
 * one host's Absorb stream, measured in turn (medians of three each): 1,000 deliveries a
 * message, at most 4 messages in flight.
 */
export async function exchangeCapacity(address: string): Promise<ExchangeCapacity> {
  const itemsPerBatch = 1000;
  const deliveries = sampleDeliveries(itemsPerBatch);
  const gather = (): DeliveryColumns => {
    const columns = new DeliveryColumns();
    for (const delivery of deliveries) columns.add(delivery.timeUs, delivery.origin, delivery.sequence, delivery.target, delivery.message);
    return columns;
  };
  const encoded = gather().drain(itemsPerBatch)[0]!.batch;
  const items = gather();
  const batch = { timeUs: items.timeUs, origin: items.origin, sequence: items.sequence, target: items.target, envelope: items.envelope };
  const modes: Record<keyof ExchangeCapacity, () => AbsorbRequest> = {
    rawItemsPerSecond: () => ({ items: itemsPerBatch, payload: Buffer.alloc(0), decode: false, batch }),
    bytesItemsPerSecond: () => ({ items: itemsPerBatch, payload: encoded, decode: false, batch: undefined }),
    exchangeItemsPerSecond: () => ({ items: itemsPerBatch, payload: gather().drain(itemsPerBatch)[0]!.batch, decode: true, batch: undefined }),
  };
  const client = new NodeHostServiceClient(address, credentials.createInsecure(), {
    'grpc.max_send_message_length': maxMessageBytes,
    'grpc.max_receive_message_length': maxMessageBytes,
  });
  try {
    const rates = new Map<keyof ExchangeCapacity, number[]>();
    for (let round = 0; round < 4; round++) {
      for (const [mode, nextBatch] of Object.entries(modes) as [keyof ExchangeCapacity, () => AbsorbRequest][]) {
        const rate = await streamRate(client, itemsPerBatch, nextBatch);
        if (round > 0) rates.set(mode, [...(rates.get(mode) ?? []), rate]); // round 0 warms up
      }
    }
    return {
      rawItemsPerSecond: median(rates.get('rawItemsPerSecond')!),
      bytesItemsPerSecond: median(rates.get('bytesItemsPerSecond')!),
      exchangeItemsPerSecond: median(rates.get('exchangeItemsPerSecond')!),
    };
  } finally {
    client.close();
  }
}

/** Items per second of 300 batches through one Absorb stream, at most 4 in flight. */
async function streamRate(client: NodeHostServiceClient, itemsPerBatch: number, nextBatch: () => AbsorbRequest): Promise<number> {
  const batches = 300;
  const inFlightLimit = 4;
  const call: ClientDuplexStream<AbsorbRequest, AbsorbResponse> = client.absorb({ deadline: Date.now() + 60_000 });
  const startedAt = performance.now();
  await new Promise<void>((resolve, reject) => {
    let sent = 0;
    let acknowledged = 0;
    const pump = () => {
      while (sent < batches && sent - acknowledged < inFlightLimit) {
        call.write(nextBatch());
        sent++;
      }
    };
    call.on('data', () => {
      acknowledged++;
      if (acknowledged === batches) resolve();
      else pump();
    });
    call.on('error', reject);
    pump();
  });
  const seconds = (performance.now() - startedAt) / 1000;
  call.end();
  return (batches * itemsPerBatch) / seconds;
}

/** The median of several measurements (the machine is shared and noisy). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const hosts = Number(process.argv[2] ?? 2);
  const figures = await measureDistributed({ hosts });
  process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
}
