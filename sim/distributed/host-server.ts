import { Server, ServerCredentials, status, type ServerDuplexStream } from '@grpc/grpc-js';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import {
  NodeHostServiceService,
  type AbsorbRequest,
  type AbsorbResponse,
  type NodeHostServiceServer,
  type Outbound,
  type RunRequest,
  type RunResponse,
} from '../../gen/clustersim/v1/host.js';
import { ScenarioError } from '../scenario/load.js';
import { decodeDeliveries, MalformedBatchError } from './codec.js';
import { HostShare, ProtocolError } from './host-share.js';
import { deliveriesPerBatch, inlineBytesLimit, maxMessageBytes, recordsPerMessage } from './limits.js';

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
  let busy = false;
  const implementation: NodeHostServiceServer = {
    run: (call) => {
      if (busy) {
        call.emit('error', { code: status.RESOURCE_EXHAUSTED, details: 'this host is busy with another run' });
        return;
      }
      busy = true;
      serveRun(call, log, () => {
        busy = false;
      });
    },
    absorb: (call) => serveAbsorb(call),
  };
  server.addService(NodeHostServiceService, implementation);
  const credentials = options.tls === undefined ? ServerCredentials.createInsecure() : tlsCredentials(options.tls);
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(options.listen, credentials, (error, boundPort) => (error === null ? resolve(boundPort) : reject(error)));
  });
  const host = options.listen.slice(0, options.listen.lastIndexOf(':'));
  return {
    address: `${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.tryShutdown(() => resolve());
        // Streams still open (a coordinator that vanished) must not hold the shutdown forever.
        setTimeout(() => server.forceShutdown(), 2000).unref();
      }),
  };
}

function tlsCredentials(files: TlsFiles): ServerCredentials {
  const authority = files.clientAuthority === undefined ? null : readFileSync(files.clientAuthority);
  return ServerCredentials.createSsl(
    authority,
    [{ cert_chain: readFileSync(files.certificate), private_key: readFileSync(files.privateKey) }],
    authority !== null,
  );
}

/** One run over one stream. Every refusal is a HostFailure answer; nothing here may throw out. */
function serveRun(call: ServerDuplexStream<RunRequest, RunResponse>, log: (line: string) => void, release: () => void): void {
  let share: HostShare | undefined;
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    share = undefined;
    release();
  };
  const fail = (message: string) => {
    log(`refused: ${message}`);
    if (!ended) {
      call.write({ report: { $case: 'failure', value: { message, virtualUs: share?.simulation.now ?? 0 } } });
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

  function flushRecords(): void {
    if (ended || share === undefined || share.records.count === 0) return;
    const texts = share.records.drain(recordsPerMessage);
    texts.forEach((json, index) => call.write({ report: { $case: 'records', value: { json, windowComplete: index === texts.length - 1 } } }));
  }

  function handle(request: RunRequest): void {
    flushRecords();
    const command = request.command;
    if (command === undefined) throw new ProtocolError('unknown or empty command');
    if (command.$case === 'setup') {
      if (share !== undefined) throw new ProtocolError('a second setup on the same run');
      const setup = command.value;
      share = new HostShare({ ...setup, actorHosts: setup.actorHosts });
      log(`run of ${setup.scenarioFile}: host ${setup.hostIndex + 1} of ${setup.hostCount}, ${share.actorsHeld} actors`);
      call.write({
        report: { $case: 'ready', value: { nextEventUs: timeOrNone(share.simulation.nextEventTimeUs()), actorsHeld: share.actorsHeld } },
      });
      return;
    }
    if (share === undefined) throw new ProtocolError(`a ${command.$case} command before setup`);
    const simulation = share.simulation;
    switch (command.$case) {
      case 'inbound':
        share.accept(decodeDeliveries(command.value.batch));
        return;
      case 'window': {
        const window = command.value;
        for (const inbound of window.inbound) share.accept(decodeDeliveries(inbound.batch));
        const startedAt = performance.now();
        share.runWindow(window.horizonUs);
        const computeMs = performance.now() - startedAt;
        // Small outputs ride in WindowDone; the rest goes ahead in messages of their own.
        const outbound: Outbound[] = [];
        let inlineBytes = 0;
        for (const part of share.drainOutbound(deliveriesPerBatch)) {
          const value = { host: part.host, earliestUs: part.earliestUs, count: part.count, batch: part.batch };
          if (inlineBytes + part.batch.length <= inlineBytesLimit) {
            inlineBytes += part.batch.length;
            outbound.push(value);
          } else call.write({ report: { $case: 'outbound', value } });
        }
        const recordsFollow = share.records.count > 0;
        call.write({
          report: {
            $case: 'windowDone',
            value: {
              index: window.index,
              nextEventUs: timeOrNone(simulation.nextEventTimeUs()),
              eventsProcessed: simulation.eventsProcessed,
              pendingEvents: simulation.pendingEvents,
              computeMs,
              outbound,
              reachedUs: share.reached,
              recordsFollow,
            },
          },
        });
        // The coordinator can start the next window before the records arrive: send them once
        // WindowDone is on its way (or before the next command, whichever comes first).
        if (recordsFollow) setImmediate(flushRecords);
        return;
      }
      case 'finish':
        call.write({
          report: { $case: 'finished', value: { eventsProcessed: simulation.eventsProcessed, pendingEvents: simulation.pendingEvents } },
        });
        log('run finished');
        call.end();
        end();
        return;
    }
  }
}

function serveAbsorb(call: ServerDuplexStream<AbsorbRequest, AbsorbResponse>): void {
  call.on('data', (request: AbsorbRequest) => call.write({ items: request.items }));
  call.on('end', () => call.end());
  call.on('error', () => undefined);
}

function timeOrNone(timeUs: number): number {
  return timeUs === Infinity ? -1 : timeUs;
}

function describe(error: unknown): string {
  if (error instanceof ScenarioError) return `the scenario does not load: ${error.message}`;
  if (error instanceof ProtocolError || error instanceof MalformedBatchError) return error.message;
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
