import { credentials as grpcCredentials } from '@grpc/grpc-js';
import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { Finished } from '../../gen/clustersim/v1/host.js';
import type { RecordSink } from '../kernel/actor.js';
import { RecordBus } from '../metrics/record-bus.js';
import type { SimRecord } from '../metrics/records.js';
import { checkTopologyFits } from '../run/topology-size.js';
import { buildTopology, type Topology } from '../topologies/index.js';
import { createCheckers, createCollector, type RunResult, type RunStop } from '../run/run.js';
import { ScenarioError, type LoadedScenario } from '../scenario/load.js';
import { MalformedBatchError, parseRecords } from './codec.js';
import { HostConnection, HostError } from './host-connection.js';
import { connectTimeoutMs, defaultAnswerTimeoutMs, setupTimeoutMs } from './limits.js';
import { checkRoutingPolicy } from './policy-check.js';
import { RecordMerger } from './record-merge.js';

export { HostError };

export interface DistributedRunOptions {
  /** Addresses of the node hosts, HOST:PORT. */
  hosts: readonly string[];
  /** Overrides the scenario's seed. */
  seed?: number;
  /** The text `loaded` was parsed from, when it was not read from its file. */
  scenarioText?: string;
  /** A PEM file of the authority that signed the hosts' certificates: talk TLS to them. */
  tlsAuthority?: string;
  /** PEM files of the coordinator's own certificate and key, presented to hosts that require a client certificate. */
  tlsCertificate?: string;
  tlsPrivateKey?: string;
  /** How long a host may take to answer one window before the run fails. */
  answerTimeoutMs?: number;
  /** How long a host may take to accept the connection (a refusal is reported at once). */
  connectTimeoutMs?: number;
  onProgress?: (virtualUs: number, eventsProcessed: number) => void;
  /** When it aborts (Ctrl-C, SIGTERM), the run stops, frees its hosts and returns the report so far. */
  signal?: AbortSignal;
  /** Also receives every record, in the order the collector does (for tests). */
  recordSink?: RecordSink<SimRecord>;
}

/** Figures of the exchange between hosts, kept out of summary.json (they are wall-clock). */
export interface ExchangeFigures {
  windows: number;
  lookaheadUs: number;
  /** Deliveries that went from one host to another. */
  crossHostItems: number;
  /** Wall time of the whole run, and the part of it the slowest host spent handling events. */
  wallMs: number;
  hostComputeMs: number;
  /** Wall time the coordinator spent parsing and merging records. */
  recordsMs: number;
}

export interface DistributedRunResult extends RunResult {
  exchange: ExchangeFigures;
}

/** The lookahead of a run over hosts: the network's minimum latency, which must be positive. */
export function lookaheadOf(loaded: LoadedScenario, topology: Topology = buildTopology(loaded)): number {
  const lookaheadUs = topology.network.minimumDelayUs();
  if (!(lookaheadUs > 0)) {
    throw new ScenarioError([
      loaded.problemAt(
        ['network'],
        'a run over node hosts needs a positive minimum latency between hosts (the lookahead), and this network allows zero: add network.minLatency, e.g. 50us',
      ),
    ]);
  }
  return lookaheadUs;
}

/**
 * Runs a scenario over node hosts. Every host builds the same topology and holds a share of
 * its actors; the hosts then advance through conservative windows on their own, trading
 * deliveries directly (see rounds.ts): a window [T, T + L), with L the minimum latency between
 * hosts, can run everywhere at once, since nothing sent in it arrives before its end. The
 * records of each window come here stamped with their canonical key and go to the same
 * Collector as in-process, in the same order, so the report is byte-identical.
 */
export async function runDistributed(loaded: LoadedScenario, options: DistributedRunOptions): Promise<DistributedRunResult> {
  const startedAt = performance.now();
  const scenario = loaded.scenario;
  const seed = options.seed ?? scenario.seed;
  checkTopologyFits(loaded);
  await checkRoutingPolicy(loaded);
  const topology = buildTopology(loaded, seed);
  const lookaheadUs = lookaheadOf(loaded, topology);
  if (options.hosts.length === 0) throw new Error('no node hosts given');
  const hostCount = options.hosts.length;
  const actorHosts = topology.actors.map((_, index) => index % hostCount);
  const tlsAuthority = options.tlsAuthority === undefined ? undefined : readFileSync(options.tlsAuthority);
  const credentials =
    tlsAuthority === undefined
      ? grpcCredentials.createInsecure()
      : grpcCredentials.createSsl(
          tlsAuthority,
          options.tlsPrivateKey === undefined ? null : readFileSync(options.tlsPrivateKey),
          options.tlsCertificate === undefined ? null : readFileSync(options.tlsCertificate),
        );
  const answerTimeoutMs = options.answerTimeoutMs ?? defaultAnswerTimeoutMs;
  const connect = { credentials, timeoutMs: options.connectTimeoutMs ?? connectTimeoutMs, tls: tlsAuthority !== undefined, clientCertificate: options.tlsCertificate !== undefined };
  const connections = options.hosts.map((address, index) => new HostConnection(address, index, hostCount, connect));
  const collector = createCollector(loaded, topology);
  const checkers = createCheckers(topology, scenario);
  const exchange: ExchangeFigures = { windows: 0, lookaheadUs, crossHostItems: 0, wallMs: 0, hostComputeMs: 0, recordsMs: 0 };
  const interrupted = whenAborted(options.signal);

  try {
    const scenarioText = options.scenarioText ?? scenarioTextOf(loaded);
    const runId = randomUUID();
    const setUp = Promise.all(
      connections.map(async (connection) => {
        connection.send({
          command: {
            $case: 'setup',
            value: {
              scenarioText,
              scenarioFile: loaded.file,
              seed,
              hostIndex: connection.index,
              hostCount,
              actorHosts,
              lookaheadUs,
              hostAddresses: [...options.hosts],
              runId,
              durationUs: scenario.duration,
              answerTimeoutMs,
              tlsAuthority: tlsAuthority ?? Buffer.alloc(0),
            },
          },
        });
        const ready = await connection.expect('ready', setupTimeoutMs, 0);
        return ready.nextEventUs;
      }),
    );
    // Stopped during set-up, a host's later refusal is of no interest.
    setUp.catch(() => undefined);
    const firstEventUs = await Promise.race([setUp, interrupted]);
    const tap = options.recordSink;
    const sink: RecordSink<SimRecord> = new RecordBus([...collector.handlerTables, ...checkers.handlerTables], tap);
    const merger = new RecordMerger(hostCount, sink);
    const frontierUs = new Array<number>(hostCount).fill(0);
    // A record is final once every host has reported a frontier past it; a run stopped early reports up to the earliest frontier.
    const stoppedResult = (stop: Omit<RunStop, 'atUs'>): DistributedRunResult => {
      const reachedUs = Math.min(...frontierUs);
      merger.release(reachedUs);
      exchange.windows = Math.max(...connections.map((connection) => connection.round));
      exchange.hostComputeMs = Math.max(...connections.map((connection) => connection.computeMs));
      exchange.wallMs = performance.now() - startedAt;
      const eventsProcessed = connections.reduce((sum, connection) => sum + connection.eventsProcessed, 0);
      const figures = collector.finish(reachedUs);
      const checks = checkers.finish(reachedUs);
      return { loaded, seed, topology, figures, checks, eventsProcessed, pendingEventsAtEnd: 0, exchange, stopped: { ...stop, atUs: reachedUs } };
    };
    if (firstEventUs === undefined) return stoppedResult(interruption(options.signal!));
    const outcome = await new Promise<Finished[] | Omit<RunStop, 'atUs'>>((resolve, reject) => {
      void interrupted.then(() => resolve(interruption(options.signal!)));
      const answers: (Finished | undefined)[] = new Array<Finished | undefined>(hostCount);
      let answered = 0;
      for (const connection of connections) {
        connection.listen(answerTimeoutMs * 2 + 1000, {
          window: (report) => {
            const mergeStartedAt = performance.now();
            try {
              merger.add(connection.index, parseRecords(report.records));
            } catch (error) {
              if (!(error instanceof MalformedBatchError)) throw error;
              throw connection.failureAt(`sent ${error.message}`, report.reachedUs);
            }
            frontierUs[connection.index] = Math.max(frontierUs[connection.index]!, report.frontierUs);
            merger.release(Math.min(...frontierUs));
            exchange.recordsMs += performance.now() - mergeStartedAt;
            exchange.crossHostItems += report.crossHostItems;
            connection.computeMs += report.computeMs;
            options.onProgress?.(
              Math.min(...frontierUs),
              connections.reduce((sum, each) => sum + each.eventsProcessed, 0),
            );
          },
          finished: (report) => {
            answers[connection.index] = report;
            if (++answered === hostCount) resolve(answers as Finished[]);
          },
          failed: (error) => {
            if (error.routingPolicy) resolve({ cause: 'routing-policy', reason: error.reason });
            // A host that lost another host's link says so at once; the other host's own word on why it left (a routing policy that failed) may come just after.
            else if (error.peer !== undefined) setTimeout(() => reject(blame(error, connections)), peerReportGraceMs).unref();
            else reject(blame(error, connections));
          },
          silent: () => reject(slowest(connections, answerTimeoutMs * 2 + 1000)),
        });
      }
      for (const connection of connections) connection.send({ command: { $case: 'start', value: { nextEventUs: firstEventUs } } });
    });
    if (!Array.isArray(outcome)) return stoppedResult(outcome);
    const finished = outcome;

    let pendingEventsAtEnd = 0;
    let processed = 0;
    for (const figures of finished) {
      pendingEventsAtEnd += figures.pendingEvents;
      processed += figures.eventsProcessed;
      exchange.windows = Math.max(exchange.windows, figures.rounds);
    }
    merger.release(Infinity);
    exchange.hostComputeMs = Math.max(...connections.map((connection) => connection.computeMs));
    const figures = collector.finish(scenario.duration);
    exchange.wallMs = performance.now() - startedAt;
    const checks = checkers.finish(scenario.duration);
    return { loaded, seed, topology, figures, checks, eventsProcessed: processed, pendingEventsAtEnd, exchange };
  } finally {
    for (const connection of connections) connection.close();
  }
}

/** How long a failure blamed on another host waits for that host's own report. */
const peerReportGraceMs = 1000;

/** Resolves when `signal` aborts (never without one). */
function whenAborted(signal: AbortSignal | undefined): Promise<undefined> {
  return new Promise<undefined>((resolve) => {
    if (signal === undefined) return;
    if (signal.aborted) return resolve(undefined);
    signal.addEventListener('abort', () => resolve(undefined), { once: true });
  });
}

function interruption(signal: AbortSignal): Omit<RunStop, 'atUs'> {
  return { cause: 'interrupted', reason: String(signal.reason ?? 'interrupted') };
}

/** A host's failure that names another host (a link it lost) is that other host's. */
function blame(error: HostError, connections: readonly HostConnection[]): HostError {
  const peer = error.peer;
  if (peer === undefined || peer < 0 || peer >= connections.length) return error;
  return connections[peer]!.failureAt(error.reason, error.virtualUs);
}

/** No host has reported for too long: the one furthest behind holds the others up. */
function slowest(connections: readonly HostConnection[], silentMs: number): HostError {
  const behind = connections.reduce((worst, connection) => (connection.reachedUs < worst.reachedUs ? connection : worst));
  return behind.failureAt(`stopped answering (no report within ${silentMs / 1000} s)`, behind.reachedUs);
}

/** The scenario's text for the hosts to build from, checked against the hash it was loaded with. */
function scenarioTextOf(loaded: LoadedScenario): string {
  const text = readFileSync(loaded.file, 'utf8');
  if (createHash('sha256').update(text).digest('hex') !== loaded.hash) throw new Error(`${loaded.file} changed while the run was starting`);
  return text;
}
