import {
  credentials as grpcCredentials,
  Server,
  ServerCredentials,
  status,
  type sendUnaryData,
  type ServerDuplexStream,
  type ServerReadableStream,
} from '@grpc/grpc-js';
import { readFileSync } from 'node:fs';
import {
  NodeHostServiceClient,
  NodeHostServiceService,
  type AbsorbRequest,
  type AbsorbResponse,
  type ExchangeClosed,
  type ExchangeItem,
  type NodeHostServiceServer,
  type RunRequest,
  type RunResponse,
  type Setup,
} from '../../gen/clustersim/v1/host.js';
import { ScenarioError } from '../scenario/load.js';
import { decodeDeliveries, MalformedBatchError } from './codec.js';
import { HostRun, type PeerLink } from './host-run.js';
import { HostShare, ProtocolError } from './host-share.js';
import { fromWireUs, toWireUs } from './rounds.js';
import { defaultAnswerTimeoutMs, maxMessageBytes } from './limits.js';

export interface TlsFiles {
  certificate: string;
  privateKey: string;
  /** When given, clients must present a certificate signed by this authority. */
  clientAuthority?: string;
}

export interface NodeHostOptions {
  /** HOST:PORT; port 0 picks a free one. */
  listen: string;
  tls?: TlsFiles;
  /** Receives a line for every run started and ended, and every refusal. */
  log?: (line: string) => void;
}

export interface RunningNodeHost {
  /** The address the host listens on, with the port it got. */
  address: string;
  close(): Promise<void>;
}

/** Starts a node host: a gRPC server that holds one share of one run at a time. */
export async function startNodeHost(options: NodeHostOptions): Promise<RunningNodeHost> {
  const server = new Server({ 'grpc.max_receive_message_length': maxMessageBytes, 'grpc.max_send_message_length': maxMessageBytes });
  const log = options.log ?? (() => undefined);
  const host: HostState = { run: undefined, busy: false, log, tls: options.tls };
  const implementation: NodeHostServiceServer = {
    run: (call) => {
      if (host.busy) {
        call.emit('error', { code: status.RESOURCE_EXHAUSTED, details: 'this host is busy with another run' });
        return;
      }
      host.busy = true;
      serveRun(call, host);
    },
    exchange: (call, callback) => serveExchange(call, callback, host),
    absorb: (call) => serveAbsorb(call),
  };
  server.addService(NodeHostServiceService, implementation);
  let port: number;
  try {
    const credentials = options.tls === undefined ? ServerCredentials.createInsecure() : tlsCredentials(options.tls);
    port = await new Promise<number>((resolve, reject) => {
      server.bindAsync(options.listen, credentials, (error, boundPort) => (error === null ? resolve(boundPort) : reject(error)));
    });
  } catch (error) {
    // An address in use, a certificate that does not go with its key: the user's to fix.
    throw new NodeHostStartError(`cannot listen on ${options.listen}${options.tls === undefined ? '' : ' over TLS'}: ${(error as Error).message}`);
  }
  const hostName = options.listen.slice(0, options.listen.lastIndexOf(':'));
  return {
    address: `${hostName}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.tryShutdown(() => resolve());
        // Streams still open (a coordinator that vanished) must not hold the shutdown forever.
        setTimeout(() => server.forceShutdown(), 2000).unref();
      }),
  };
}

/** A host that cannot listen: the address, or its TLS certificate and key. */
export class NodeHostStartError extends Error {}

/** What a host holds between calls: the run it is part of, if any. */
interface HostState {
  run: { id: string; run: HostRun } | undefined;
  busy: boolean;
  log: (line: string) => void;
  tls: TlsFiles | undefined;
}

function tlsCredentials(files: TlsFiles): ServerCredentials {
  const authority = files.clientAuthority === undefined ? null : readFileSync(files.clientAuthority);
  return ServerCredentials.createSsl(
    authority,
    [{ cert_chain: readFileSync(files.certificate), private_key: readFileSync(files.privateKey) }],
    authority !== null,
  );
}

/** One run over one stream from the coordinator. Every refusal is a HostFailure answer; nothing here may throw out. */
function serveRun(call: ServerDuplexStream<RunRequest, RunResponse>, host: HostState): void {
  let share: HostShare | undefined;
  let setup: Setup | undefined;
  let run: HostRun | undefined;
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    run?.abandon();
    if (host.run?.run === run) host.run = undefined;
    host.busy = false;
  };
  const fail = (message: string) => {
    host.log(`refused: ${message}`);
    if (!ended) {
      call.write({ report: { $case: 'failure', value: { message, virtualUs: share?.simulation.now ?? 0, peer: 0, routingPolicy: false } } });
      call.end();
    }
    end();
  };
  call.on('data', (request: RunRequest) => {
    if (ended) return;
    try {
      handle(request);
    } catch (error) {
      fail(describe(error));
    }
  });
  call.on('error', () => end());
  call.on('cancelled', () => end());
  call.on('end', () => {
    if (!ended) call.end();
    end();
  });

  function handle(request: RunRequest): void {
    const command = request.command;
    if (command === undefined) throw new ProtocolError('unknown or empty command');
    if (command.$case === 'setup') {
      if (share !== undefined) throw new ProtocolError('a second setup on the same run');
      setup = command.value;
      if (setup.hostCount > 1 && setup.hostAddresses.length !== setup.hostCount) {
        throw new ProtocolError(`the setup names ${setup.hostAddresses.length} host addresses for ${setup.hostCount} hosts`);
      }
      share = new HostShare({ ...setup, actorHosts: setup.actorHosts });
      const thisSetup = setup;
      const thisShare = share;
      run = new HostRun({
        share,
        hostIndex: setup.hostIndex,
        hostCount: setup.hostCount,
        lookaheadUs: setup.lookaheadUs,
        durationUs: setup.durationUs,
        answerTimeoutMs: setup.answerTimeoutMs > 0 ? setup.answerTimeoutMs : defaultAnswerTimeoutMs,
        report: (response) => {
          if (!ended) call.write(response);
        },
        close: () => {
          if (!ended) call.end();
          host.log(`run of ${thisSetup.scenarioFile} ended at virtual time ${thisShare.reached} us`);
          end();
        },
      });
      host.run = { id: setup.runId, run };
      host.log(`run of ${setup.scenarioFile}: host ${setup.hostIndex + 1} of ${setup.hostCount}, ${share.actorsHeld} actors`);
      call.write({
        report: { $case: 'ready', value: { nextEventUs: toWireUs(share.simulation.nextEventTimeUs()), actorsHeld: share.actorsHeld } },
      });
      return;
    }
    if (share === undefined || setup === undefined || run === undefined) throw new ProtocolError(`a ${command.$case} command before setup`);
    if (command.$case === 'start') {
      const [thisSetup, thisRun] = [setup, run];
      const links = thisSetup.hostAddresses.map((address, index) => (index === thisSetup.hostIndex ? undefined : dial(address, index, thisSetup, host, thisRun)));
      thisRun.start(command.value.nextEventUs.map(fromWireUs), links);
    }
  }
}

/** Opens this host's exchange stream to another host of the run. */
function dial(address: string, index: number, setup: Setup, host: HostState, run: HostRun): PeerLink {
  const credentials =
    setup.tlsAuthority.length === 0
      ? grpcCredentials.createInsecure()
      : grpcCredentials.createSsl(
          Buffer.from(setup.tlsAuthority),
          host.tls === undefined ? null : readFileSync(host.tls.privateKey),
          host.tls === undefined ? null : readFileSync(host.tls.certificate),
        );
  const client = new NodeHostServiceClient(address, credentials, {
    'grpc.max_receive_message_length': maxMessageBytes,
    'grpc.max_send_message_length': maxMessageBytes,
    // A lost stream fails the run: nothing to retry, so no copies of each message kept for it.
    'grpc.enable_retries': 0,
  });
  const stream = client.exchange((error) => {
    client.close();
    if (error !== null && !run.finished) run.peerFailed(index, `refused the exchange from host ${setup.hostIndex + 1}: ${error.details}`);
  });
  stream.write({ item: { $case: 'hello', value: { runId: setup.runId, fromHost: setup.hostIndex } } });
  return {
    write: (item) => void stream.write(item),
    end: () => stream.end(),
  };
}

/** Another host's stream to this one: its items go to the run it names. */
function serveExchange(
  call: ServerReadableStream<ExchangeItem, ExchangeClosed>,
  callback: sendUnaryData<ExchangeClosed>,
  host: HostState,
): void {
  let from = -1;
  let run: HostRun | undefined;
  let answered = false;
  const answer = (error?: { code: status; details: string }) => {
    if (answered) return;
    answered = true;
    if (error === undefined) callback(null, {});
    else callback(error, null);
  };
  call.on('data', (exchange: ExchangeItem) => {
    if (answered) return;
    if (run === undefined) {
      const hello = exchange.item?.$case === 'hello' ? exchange.item.value : undefined;
      const current = host.run;
      if (hello === undefined || current === undefined || current.id !== hello.runId || !current.run.acceptsLinkFrom(hello.fromHost)) {
        return answer({ code: status.FAILED_PRECONDITION, details: 'an exchange stream must open with the Hello of the run this host is in, from another of its hosts' });
      }
      run = current.run;
      from = hello.fromHost;
      return;
    }
    run.receive(from, exchange);
  });
  call.on('end', () => {
    run?.linkEnded(from);
    answer();
  });
  call.on('error', () => {
    run?.linkEnded(from);
    answer();
  });
}

function serveAbsorb(call: ServerDuplexStream<AbsorbRequest, AbsorbResponse>): void {
  call.on('data', (request: AbsorbRequest) => {
    let items = request.batch?.timeUs.length ?? 0;
    if (request.decode) {
      try {
        items = decodeDeliveries(request.payload).length;
      } catch {
        items = -1;
      }
    }
    if ((request.decode || request.batch !== undefined) && items !== request.items) {
      call.emit('error', { code: status.INVALID_ARGUMENT, details: `the batch does not hold ${request.items} deliveries` });
      return;
    }
    call.write({ items: request.items });
  });
  call.on('end', () => call.end());
  call.on('error', () => undefined);
}

function describe(error: unknown): string {
  if (error instanceof ScenarioError) return `the scenario does not load: ${error.message}`;
  if (error instanceof ProtocolError || error instanceof MalformedBatchError) return error.message;
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
