/**
 * The distributed run against the in-process run on the same scenario, and the cross-host
 * exchange against a raw batched grpc-js stream measured in the same run, between the same
 * processes. `measureDistributed()` returns the figures; `node --import tsx bench/distributed.ts`
 * prints them.
 */
import type { ClientDuplexStream } from '@grpc/grpc-js';
import { credentials } from '@grpc/grpc-js';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { NodeHostServiceClient, type AbsorbRequest, type AbsorbResponse } from '../gen/clustersim/v1/host.js';
import { Protocol, RequestKind } from '../nodes/messages.js';
import { DeliveryColumns } from '../sim/distributed/codec.js';
import { runDistributed } from '../sim/distributed/coordinator.js';
import { maxMessageBytes } from '../sim/distributed/limits.js';
import { spawnLocalHosts } from '../sim/distributed/spawn.js';
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
  /** Cross-host deliveries per second of the distributed run's wall time. */
  exchangeItemsPerSecond: number;
  /** The same items over a raw batched stream: 1,000 per message, at most 4 messages in flight. */
  rawStreamItemsPerSecond: number;
  /** Exchange over raw stream (target: at least 0.5). */
  exchangeRatio: number;
  hostComputeMs: number;
  recordsMs: number;
  wallMs: number;
}

export async function measureDistributed(options: { hosts?: number; scenarioText?: string } = {}): Promise<DistributedFigures> {
  const hostCount = options.hosts ?? 2;
  const text = options.scenarioText ?? denseScenario;
  const file = '<bench-distributed>';
  runScenario(parseScenario(text, file)); // warm-up
  let startedAt = performance.now();
  const inProcess = runScenario(parseScenario(text, file));
  const inProcessSeconds = (performance.now() - startedAt) / 1000;

  const hosts = await spawnLocalHosts(hostCount);
  try {
    const raw = await rawStreamRate(hosts.addresses[0]!);
    startedAt = performance.now();
    const distributed = await runDistributed(parseScenario(text, file), { hosts: hosts.addresses, scenarioText: text });
    const distributedSeconds = (performance.now() - startedAt) / 1000;
    if (distributed.eventsProcessed !== inProcess.eventsProcessed)
      throw new Error('the distributed run handled other events than the in-process run');
    const inProcessEventsPerSecond = inProcess.eventsProcessed / inProcessSeconds;
    const distributedEventsPerSecond = distributed.eventsProcessed / distributedSeconds;
    const exchangeItemsPerSecond = distributed.exchange.crossHostItems / distributedSeconds;
    return {
      hosts: hostCount,
      events: inProcess.eventsProcessed,
      inProcessEventsPerSecond,
      distributedEventsPerSecond,
      eventRateRatio: distributedEventsPerSecond / inProcessEventsPerSecond,
      windows: distributed.exchange.windows,
      eventsPerWindow: distributed.eventsProcessed / distributed.exchange.windows,
      lookaheadUs: distributed.exchange.lookaheadUs,
      crossHostItems: distributed.exchange.crossHostItems,
      exchangeItemsPerSecond,
      rawStreamItemsPerSecond: raw,
      exchangeRatio: exchangeItemsPerSecond / raw,
      hostComputeMs: distributed.exchange.hostComputeMs,
      recordsMs: distributed.exchange.recordsMs,
      wallMs: distributed.exchange.wallMs,
    };
  } finally {
    await hosts.stop();
  }
}

/** Items per second through the host's Absorb stream: encoded request deliveries, 1,000 a message. */
async function rawStreamRate(address: string): Promise<number> {
  const itemsPerBatch = 1000;
  const batches = 300;
  const inFlightLimit = 4;
  const columns = new DeliveryColumns();
  for (let index = 0; index < itemsPerBatch; index++) {
    columns.add(1000 + index, 3, index, 5, {
      $case: 'request',
      value: {
        id: 2 ** 32 + index,
        protocol: Protocol.HTTP,
        kind: RequestKind.IN_SESSION,
        sessionId: 2 ** 32 + index,
        uri: '/',
        method: 'GET',
        client: 9,
        sentAtUs: 1000,
        affinityServer: 4,
        attempts: 1,
        redirects: 0,
        router: 1,
        workClass: '',
        maintenanceOnly: false,
        destination: '',
        address: '',
        last: false,
        replicated: false,
        triedServers: [3],
      },
    });
  }
  const payload = columns.drain(itemsPerBatch)[0]!.batch;
  const client = new NodeHostServiceClient(address, credentials.createInsecure(), { 'grpc.max_send_message_length': maxMessageBytes });
  try {
    const call: ClientDuplexStream<AbsorbRequest, AbsorbResponse> = client.absorb({ deadline: Date.now() + 60_000 });
    const startedAt = performance.now();
    await new Promise<void>((resolve, reject) => {
      let sent = 0;
      let acknowledged = 0;
      const pump = () => {
        while (sent < batches && sent - acknowledged < inFlightLimit) {
          call.write({ items: itemsPerBatch, payload });
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
  } finally {
    client.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const hosts = Number(process.argv[2] ?? 2);
  const figures = await measureDistributed({ hosts });
  process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
}
