import { credentials as grpcCredentials, type ChannelCredentials, type ClientDuplexStream } from '@grpc/grpc-js';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { NodeHostServiceClient, type RunRequest, type RunResponse, type WindowDone } from '../../gen/clustersim/v1/host.js';
import type { RecordSink } from '../kernel/actor.js';
import type { SimRecord } from '../metrics/records.js';
import { buildTopology, type Topology } from '../run/build.js';
import { fanOut } from '../checkers/checker-set.js';
import { createCheckers, createCollector, type RunResult } from '../run/run.js';
import { ScenarioError, type LoadedScenario } from '../scenario/load.js';
import { formatDuration } from '../scenario/units.js';
import { MalformedBatchError, parseRecords } from './codec.js';
import { defaultAnswerTimeoutMs, inlineBytesLimit, maxMessageBytes, runDeadlineMs, setupTimeoutMs } from './limits.js';
import { RecordMerger } from './record-merge.js';

export interface DistributedRunOptions {
  /** Addresses of the node hosts, HOST:PORT. */
  hosts: readonly string[];
  /** Overrides the scenario's seed. */
  seed?: number;
  /** The text `loaded` was parsed from, when it was not read from its file. */
  scenarioText?: string;
  /** A PEM file of the authority that signed the hosts' certificates: talk TLS to them. */
  tlsAuthority?: string;
  /** How long a host may take to answer one window before the run fails. */
  answerTimeoutMs?: number;
  onProgress?: (virtualUs: number, eventsProcessed: number) => void;
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

/** A host died, refused, or stopped answering. The message names the host and the virtual time. */
export class HostError extends Error {
  constructor(
    message: string,
    readonly host: string,
    readonly virtualUs: number,
  ) {
    super(message);
  }
}

interface PendingInbound {
  batch: Buffer;
  count: number;
  earliestUs: number;
}

/**
 * Runs a scenario over node hosts in conservative windows. Every host builds the same topology
 * and holds a share of its actors; a window [T, T + L) with L the minimum latency between hosts
 * can run everywhere at once, since nothing sent in it arrives before its end. The records of a
 * window come back stamped with their canonical key and go to the same Collector as in-process,
 * in the same order, so the report is byte-identical.
 */
export async function runDistributed(loaded: LoadedScenario, options: DistributedRunOptions): Promise<DistributedRunResult> {
  const startedAt = performance.now();
  const scenario = loaded.scenario;
  const seed = options.seed ?? scenario.seed;
  const topology = buildTopology(loaded, seed);
  const lookaheadUs = lookaheadOf(loaded, topology);
  if (options.hosts.length === 0) throw new Error('no node hosts given');
  const hostCount = options.hosts.length;
  const actorHosts = topology.actors.map((_, index) => index % hostCount);
  const credentials =
    options.tlsAuthority === undefined ? grpcCredentials.createInsecure() : grpcCredentials.createSsl(readFileSync(options.tlsAuthority));
  const answerTimeoutMs = options.answerTimeoutMs ?? defaultAnswerTimeoutMs;
  const connections = options.hosts.map((address, index) => new HostConnection(address, index, hostCount, credentials));
  const collector = createCollector(loaded, topology);
  const checkers = createCheckers(topology);
  const exchange: ExchangeFigures = { windows: 0, lookaheadUs, crossHostItems: 0, wallMs: 0, hostComputeMs: 0, recordsMs: 0 };

  try {
    const scenarioText = options.scenarioText ?? scenarioTextOf(loaded);
    const nextEventUs = await Promise.all(
      connections.map(async (connection) => {
        connection.send({
          command: {
            $case: 'setup',
            value: { scenarioText, scenarioFile: loaded.file, seed, hostIndex: connection.index, hostCount, actorHosts, lookaheadUs },
          },
        });
        const ready = await connection.expect('ready', setupTimeoutMs, 0);
        return ready.nextEventUs < 0 ? Infinity : ready.nextEventUs;
      }),
    );
    const inbound: PendingInbound[][] = connections.map(() => []);
    const tap = options.recordSink;
    const sink: RecordSink<SimRecord> = fanOut(tap === undefined ? [collector, checkers] : [tap, collector, checkers]);
    const merger = new RecordMerger(hostCount, sink);
    // Records of a window arrive after its WindowDone: a record is final once it is before the
    // frontier and before the start of every window whose records are still on their way.
    const mergeRecords = (beforeUs: number) => {
      const mergeStartedAt = performance.now();
      let boundUs = beforeUs;
      for (const connection of connections) {
        try {
          merger.add(connection.index, parseRecords(connection.takeCompletedRecords()));
        } catch (error) {
          if (!(error instanceof MalformedBatchError)) throw error;
          throw connection.failureAt(`sent ${error.message}`, beforeUs);
        }
        boundUs = Math.min(boundUs, connection.recordsPendingFromUs);
      }
      merger.release(boundUs);
      exchange.recordsMs += performance.now() - mergeStartedAt;
    };
    for (let index = 0; ; index++) {
      // A host's earliest event: pending in its queue, or on its way to it.
      const earliestUs = connections.map((connection) =>
        inbound[connection.index]!.reduce((min, part) => Math.min(min, part.earliestUs), nextEventUs[connection.index]!),
      );
      const frontierUs = Math.min(...earliestUs);
      if (frontierUs >= scenario.duration) break;
      const windows = connections.map((connection) => {
        let othersUs = Infinity;
        for (let host = 0; host < hostCount; host++) if (host !== connection.index) othersUs = Math.min(othersUs, earliestUs[host]!);
        return { connection, horizonUs: Math.min(scenario.duration, othersUs + lookaheadUs) };
      });
      const active = windows.filter(({ connection, horizonUs }) => earliestUs[connection.index]! < horizonUs);
      for (const { connection, horizonUs } of active) {
        const inline: { batch: Buffer; count: number }[] = [];
        let inlineBytes = 0;
        for (const part of inbound[connection.index]!) {
          if (inlineBytes + part.batch.length <= inlineBytesLimit) {
            inlineBytes += part.batch.length;
            inline.push({ batch: part.batch, count: part.count });
          } else connection.send({ command: { $case: 'inbound', value: { batch: part.batch, count: part.count } } });
        }
        inbound[connection.index] = [];
        connection.send({ command: { $case: 'window', value: { index, horizonUs, inbound: inline } } });
      }
      const answering = Promise.all(active.map(({ connection }) => connection.expect('windowDone', answerTimeoutMs, frontierUs)));
      // While the hosts work: the records of the previous window. Every event before the
      // frontier has been handled everywhere, so the records made before it are final.
      mergeRecords(frontierUs);
      const answers = await answering;
      let slowestComputeMs = 0;
      active.forEach(({ connection }, position) => {
        const done: WindowDone = answers[position]!;
        nextEventUs[connection.index] = done.nextEventUs < 0 ? Infinity : done.nextEventUs;
        connection.eventsProcessed = done.eventsProcessed;
        slowestComputeMs = Math.max(slowestComputeMs, done.computeMs);
        for (const part of [...connection.takeOutbound(), ...done.outbound]) {
          if (part.host >= hostCount || part.host === connection.index) {
            throw new HostError(
              `node host ${connection.address} sent a batch for host ${part.host + 1}, which it cannot address`,
              connection.address,
              frontierUs,
            );
          }
          inbound[part.host]!.push({ batch: part.batch, count: part.count, earliestUs: part.earliestUs });
          exchange.crossHostItems += part.count;
        }
      });
      exchange.windows++;
      exchange.hostComputeMs += slowestComputeMs;
      options.onProgress?.(
        frontierUs,
        connections.reduce((sum, connection) => sum + connection.eventsProcessed, 0),
      );
    }

    let pendingEventsAtEnd = 0;
    let processed = 0;
    const finished = await Promise.all(
      connections.map(async (connection) => {
        connection.send({ command: { $case: 'finish', value: {} } });
        return connection.expect('finished', answerTimeoutMs, scenario.duration);
      }),
    );
    for (const figures of finished) {
      pendingEventsAtEnd += figures.pendingEvents;
      processed += figures.eventsProcessed;
    }
    // Deliveries still between hosts at the end are pending events of the run, as in-process.
    for (const parts of inbound) for (const part of parts) pendingEventsAtEnd += part.count;
    mergeRecords(Infinity);
    const late = connections.find((connection) => connection.recordsPendingFromUs !== Infinity);
    if (late !== undefined) throw late.failureAt('finished with the records of a window missing', scenario.duration);
    const figures = collector.finish(scenario.duration);
    exchange.wallMs = performance.now() - startedAt;
    const checks = checkers.finish(scenario.duration);
    return { loaded, seed, topology, figures, checks, eventsProcessed: processed, pendingEventsAtEnd, exchange };
  } finally {
    for (const connection of connections) connection.close();
  }
}

/** The scenario's text for the hosts to build from, checked against the hash it was loaded with. */
function scenarioTextOf(loaded: LoadedScenario): string {
  const text = readFileSync(loaded.file, 'utf8');
  if (createHash('sha256').update(text).digest('hex') !== loaded.hash) throw new Error(`${loaded.file} changed while the run was starting`);
  return text;
}

type ReportCase = NonNullable<RunResponse['report']>['$case'];
type ReportValue<Case extends ReportCase> = Extract<NonNullable<RunResponse['report']>, { $case: Case }>['value'];

/** The coordinator's end of one host's stream: answers are awaited one at a time, with a timeout. */
class HostConnection {
  eventsProcessed = 0;
  private readonly client: NodeHostServiceClient;
  private readonly call: ClientDuplexStream<RunRequest, RunResponse>;
  private outbound: ReportValue<'outbound'>[] = [];
  private records: Buffer[] = [];
  private completedRecords: Buffer[] = [];
  /** Start times of the windows whose records have not all arrived, oldest first. */
  private readonly recordsPending: number[] = [];
  /** Time up to which the host had handled every event, as of its last WindowDone. */
  private reachedUs = 0;
  private waiting:
    { expected: ReportCase; virtualUs: number; resolve: (value: unknown) => void; reject: (error: Error) => void } | undefined;
  private failure: HostError | undefined;
  private closed = false;

  constructor(
    readonly address: string,
    readonly index: number,
    private readonly hostCount: number,
    credentials: ChannelCredentials,
  ) {
    this.client = new NodeHostServiceClient(address, credentials, {
      'grpc.max_receive_message_length': maxMessageBytes,
      'grpc.max_send_message_length': maxMessageBytes,
    });
    this.call = this.client.run({ deadline: Date.now() + runDeadlineMs });
    this.call.on('data', (response: RunResponse) => this.receive(response));
    this.call.on('error', (error: Error & { details?: string }) => this.fail(`failed: ${error.details ?? error.message}`));
    this.call.on('end', () => this.fail('closed the connection'));
  }

  send(request: RunRequest): void {
    if (this.failure !== undefined) throw this.failure;
    this.call.write(request);
  }

  expect<Case extends ReportCase>(expected: Case, timeoutMs: number, virtualUs: number): Promise<ReportValue<Case>> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    return new Promise<ReportValue<Case>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting = undefined;
        reject(this.error(`stopped answering (no answer within ${timeoutMs / 1000} s)`, virtualUs));
      }, timeoutMs);
      this.waiting = {
        expected,
        virtualUs,
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value as never);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
    });
  }

  takeOutbound(): ReportValue<'outbound'>[] {
    const parts = this.outbound;
    this.outbound = [];
    return parts;
  }

  /** Records of windows that arrived complete, in order. */
  takeCompletedRecords(): Buffer[] {
    const texts = this.completedRecords;
    this.completedRecords = [];
    return texts;
  }

  /** The earliest time a record still on its way may have; Infinity when none is. */
  get recordsPendingFromUs(): number {
    return this.recordsPending[0] ?? Infinity;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.failure ??= new HostError(`node host ${this.address} was closed`, this.address, 0);
    this.call.cancel();
    this.client.close();
  }

  private receive(response: RunResponse): void {
    const report = response.report;
    if (report === undefined) return this.fail('sent an answer this coordinator does not know');
    switch (report.$case) {
      case 'outbound':
        this.outbound.push(report.value);
        return;
      case 'records':
        this.records.push(report.value.json);
        if (report.value.windowComplete) {
          if (this.recordsPending.shift() === undefined) return this.fail('sent records of no window');
          for (const text of this.records) this.completedRecords.push(text);
          this.records = [];
        }
        return;
      case 'failure':
        return this.fail(`failed: ${report.value.message}`, report.value.virtualUs);
      case 'windowDone':
        // Its records follow, possibly before the coordinator has looked at this answer.
        if (report.value.recordsFollow) this.recordsPending.push(this.reachedUs);
        this.reachedUs = report.value.reachedUs;
        return this.answer(report);
      default:
        return this.answer(report);
    }
  }

  /** Hands an answer to the coordinator waiting for it. */
  private answer(report: NonNullable<RunResponse['report']>): void {
    const waiting = this.waiting;
    if (waiting === undefined || waiting.expected !== report.$case) return this.fail(`sent ${report.$case} out of turn`);
    this.waiting = undefined;
    waiting.resolve(report.value);
  }

  private fail(reason: string, virtualUs?: number): void {
    if (this.failure !== undefined) return;
    const waiting = this.waiting;
    this.failure = this.error(reason, virtualUs ?? waiting?.virtualUs ?? 0);
    this.waiting = undefined;
    waiting?.reject(this.failure);
  }

  /** An error naming this host, for a fault the coordinator found in what it sent. */
  failureAt(reason: string, virtualUs: number): HostError {
    return this.error(reason, virtualUs);
  }

  private error(reason: string, virtualUs: number): HostError {
    return new HostError(
      `node host ${this.address} (host ${this.index + 1} of ${this.hostCount}) ${reason} at virtual time ${formatDuration(virtualUs)}`,
      this.address,
      virtualUs,
    );
  }
}
