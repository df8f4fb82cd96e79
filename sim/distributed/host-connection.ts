import type { ChannelCredentials, ClientDuplexStream } from '@grpc/grpc-js';
import { NodeHostServiceClient, type Finished, type RunRequest, type RunResponse } from '../../gen/clustersim/v1/host.js';
import { formatDuration } from '../scenario/units.js';
import { maxMessageBytes, runDeadlineMs } from './limits.js';

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

export interface ConnectOptions {
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

export type ReportCase = NonNullable<RunResponse['report']>['$case'];
type ReportValue<Case extends ReportCase> = Extract<NonNullable<RunResponse['report']>, { $case: Case }>['value'];

export interface RunListener {
  window(report: ReportValue<'window'>): void;
  finished(report: Finished): void;
  failed(error: HostError): void;
  /** Nothing came from the host for the silence limit. */
  silent(): void;
}

/** The coordinator's end of one host's stream: the Ready answer awaited with a timeout, then the run's reports. */
export class HostConnection {
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
    // A refusal fails the call at once; an address that accepts and never answers (not a host, a TLS
    // mismatch) needs a deadline: wall time for the transport (grpc-js takes dates), never the simulation's.
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
