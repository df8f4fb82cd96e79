import { credentials as grpcCredentials, type ChannelCredentials, type ClientDuplexStream } from '@grpc/grpc-js';
import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { NodeHostServiceClient, type Finished, type RunRequest, type RunResponse } from '../../gen/clustersim/v1/host.js';
import type { RecordSink } from '../kernel/actor.js';
import { RecordBus } from '../metrics/record-bus.js';
import type { SimRecord } from '../metrics/records.js';
import { buildTopology, type Topology } from '../run/build.js';
import { createCheckers, createCollector, type RunResult, type RunStop } from '../run/run.js';
import { ScenarioError, type LoadedScenario } from '../scenario/load.js';
import { formatDuration } from '../scenario/units.js';
import { MalformedBatchError, parseRecords } from './codec.js';
import { checkRoutingPolicy } from './policy-client.js';
import { connectTimeoutMs, defaultAnswerTimeoutMs, maxMessageBytes, runDeadlineMs, setupTimeoutMs } from './limits.js';
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

/** A host died, refused, or stopped answering. The message names the host and the virtual time. */
export class HostError extends Error {
  constructor(
    message: string,
    readonly host: string,
    readonly virtualUs: number,
    /** What happened, without the host's name and the time. */
    readonly reason = message,
    /** The host reported that another host (by index) failed it. */
    readonly peer?: number,
    /** The scenario's routing policy failed on the host: the run stops with its report so far. */
    readonly routingPolicy = false,
  ) {
    super(message);
  }
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
  const topology = buildTopology(loaded, seed);
  const lookaheadUs = lookaheadOf(loaded, topology);
  if (options.hosts.length === 0) throw new Error('no node hosts given');
  await checkRoutingPolicy(loaded);
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
  const checkers = createCheckers(topology);
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

interface ConnectOptions {
  credentials: ChannelCredentials;
  timeoutMs: number;
  /** The coordinator talks TLS, and presents a client certificate. */
  tls: boolean;
  clientCertificate: boolean;
}

/** Why a connection to a host failed, in the user's terms, from what gRPC and OpenSSL said. */
export function connectionProblem(details: string, connect: Pick<ConnectOptions, 'tls' | 'clientCertificate'>): string {
  if (/ECONNREFUSED/.test(details)) return 'refused the connection: nothing listens there (start one with `clustersim host --listen ADDRESS`)';
  if (/ENOTFOUND|EAI_AGAIN|Name resolution failed/i.test(details)) return 'cannot be resolved: no such host name';
  if (/certificate required/i.test(details))
    return 'requires a client certificate (its --tls-client-ca): give run --tls-cert and --tls-key, a certificate that authority signed';
  if (connect.clientCertificate && /bad certificate|unknown ca|certificate unknown|decrypt error/i.test(details))
    return "refused this coordinator's certificate (--tls-cert): the host's --tls-client-ca did not sign it";
  // Under TLS 1.3 a host checks the client's certificate after the handshake: a refusal only shows as a closed connection.
  if (connect.clientCertificate && /Failed to connect|Connection dropped|closed/i.test(details))
    return "closed the connection during the TLS handshake: did the authority of its --tls-client-ca sign this coordinator's --tls-cert?";
  if (/wrong version number|packet length too long|http\/1|unexpected eof/i.test(details))
    return 'does not speak TLS: drop --tls-ca, or start the host with --tls-cert and --tls-key';
  if (/unable to verify|self[- ]signed|certificate verify failed|unable to get (local )?issuer/i.test(details))
    return "presented a certificate that --tls-ca did not sign: give the authority that signed the host's certificate";
  if (/altnames|does not match|Hostname\/IP/i.test(details)) return `presented a certificate for another name than its address (${details.trim()})`;
  if (!connect.tls && /Failed to connect|Connection dropped|closed/i.test(details))
    return 'closed the connection at once: it may serve TLS (give --tls-ca), or not be a clustersim host';
  return `could not be reached: ${details.trim()}`;
}

type ReportCase = NonNullable<RunResponse['report']>['$case'];
type ReportValue<Case extends ReportCase> = Extract<NonNullable<RunResponse['report']>, { $case: Case }>['value'];

interface RunListener {
  window(report: ReportValue<'window'>): void;
  finished(report: Finished): void;
  failed(error: HostError): void;
  /** Nothing came from the host for the silence limit. */
  silent(): void;
}

/** The coordinator's end of one host's stream: the Ready answer awaited with a timeout, then the run's reports. */
class HostConnection {
  eventsProcessed = 0;
  reachedUs = 0;
  computeMs = 0;
  /** Windows the host had run at its last report. */
  round = 0;
  private readonly client: NodeHostServiceClient;
  private readonly call: ClientDuplexStream<RunRequest, RunResponse>;
  private waiting:
    { expected: ReportCase; virtualUs: number; resolve: (value: unknown) => void; reject: (error: Error) => void } | undefined;
  private listener: RunListener | undefined;
  private silenceTimer: NodeJS.Timeout | undefined;
  private silenceMs = 0;
  private failure: HostError | undefined;
  private closed = false;
  /** The host has sent Finished: the end of its stream is expected. */
  private finished = false;
  /** The host has answered on the stream: the connection, TLS included, is up. */
  private connected = false;

  constructor(
    readonly address: string,
    readonly index: number,
    private readonly hostCount: number,
    connect: ConnectOptions,
  ) {
    this.client = new NodeHostServiceClient(address, connect.credentials, {
      'grpc.max_receive_message_length': maxMessageBytes,
      'grpc.max_send_message_length': maxMessageBytes,
    });
    // A refusal fails the call at once; an address that accepts and never answers (not a host, a TLS mismatch) needs a deadline.
    this.client.waitForReady(Date.now() + connect.timeoutMs, (error) => {
      if (error !== undefined && !this.connected) {
        this.fail(`did not accept a connection within ${formatDuration(connect.timeoutMs * 1000)} (is it a clustersim host, with TLS as --tls-ca says?)`);
      }
    });
    this.call = this.client.run({ deadline: Date.now() + runDeadlineMs });
    this.call.on('metadata', () => (this.connected = true));
    this.call.on('data', (response: RunResponse) => this.receive(response));
    this.call.on('error', (error: Error & { details?: string }) => {
      const details = error.details ?? error.message;
      this.fail(this.connected ? `failed: ${details}` : connectionProblem(details, connect));
    });
    this.call.on('end', () => {
      if (!this.finished) this.fail('closed the connection');
    });
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

  /** Hands the run's reports to `listener` from now on; `silent` fires after `silenceMs` without one. */
  listen(silenceMs: number, listener: RunListener): void {
    this.listener = listener;
    this.silenceMs = silenceMs;
    if (this.failure !== undefined) return listener.failed(this.failure);
    this.rearmSilence();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.silenceTimer);
    this.failure ??= new HostError(`node host ${this.address} was closed`, this.address, 0, 'was closed');
    this.call.cancel();
    this.client.close();
  }

  private receive(response: RunResponse): void {
    const report = response.report;
    if (report === undefined) return this.fail('sent an answer this coordinator does not know');
    if (report.$case === 'failure') return this.fail(`${report.value.message}`, report.value.virtualUs, report.value.peer - 1, report.value.routingPolicy);
    const listener = this.listener;
    if (listener === undefined) return this.answer(report);
    this.rearmSilence();
    try {
      if (report.$case === 'window') {
        this.reachedUs = report.value.reachedUs;
        this.eventsProcessed = report.value.eventsProcessed;
        this.round = report.value.round;
        listener.window(report.value);
      } else if (report.$case === 'finished') {
        clearTimeout(this.silenceTimer);
        this.finished = true;
        this.eventsProcessed = report.value.eventsProcessed;
        listener.finished(report.value);
      } else this.fail(`sent ${report.$case} out of turn`);
    } catch (error) {
      if (error instanceof HostError) {
        this.failure ??= error;
        listener.failed(error);
      } else throw error;
    }
  }

  /** Hands an answer to the coordinator waiting for it. */
  private answer(report: NonNullable<RunResponse['report']>): void {
    const waiting = this.waiting;
    if (waiting === undefined || waiting.expected !== report.$case) return this.fail(`sent ${report.$case} out of turn`);
    this.waiting = undefined;
    waiting.resolve(report.value);
  }

  private rearmSilence(): void {
    clearTimeout(this.silenceTimer);
    this.silenceTimer = setTimeout(() => this.listener?.silent(), this.silenceMs);
  }

  private fail(reason: string, virtualUs?: number, peer = -1, routingPolicy = false): void {
    if (this.failure !== undefined) return;
    clearTimeout(this.silenceTimer);
    const waiting = this.waiting;
    this.failure = this.error(reason, virtualUs ?? waiting?.virtualUs ?? this.reachedUs, peer, routingPolicy);
    this.waiting = undefined;
    waiting?.reject(this.failure);
    this.listener?.failed(this.failure);
  }

  /** An error naming this host, for a fault the coordinator found in what it sent. */
  failureAt(reason: string, virtualUs: number): HostError {
    return this.error(reason, virtualUs);
  }

  private error(reason: string, virtualUs: number, peer = -1, routingPolicy = false): HostError {
    // Before the host has answered, no virtual time is of interest: the connection failed.
    const when = this.connected ? ` at virtual time ${formatDuration(virtualUs)}` : '';
    return new HostError(
      `node host ${this.address} (host ${this.index + 1} of ${this.hostCount}) ${reason}${when}`,
      this.address,
      virtualUs,
      reason,
      peer >= 0 ? peer : undefined,
      routingPolicy,
    );
  }
}
