import {
  credentials,
  makeGenericClientConstructor,
  Server,
  ServerCredentials,
  status,
  type ClientDuplexStream,
  type sendUnaryData,
  type ServerReadableStream,
  type ServiceError,
} from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  NodeHostServiceClient,
  NodeHostServiceService,
  RunRequest,
  RunResponse,
  type ExchangeClosed,
  type ExchangeItem,
  type HostFailure,
} from '../../gen/clustersim/v1/host.js';
import { HostError, runDistributed } from '../../sim/distributed/coordinator.js';
import { startNodeHost, type RunningNodeHost } from '../../sim/distributed/host-server.js';
import { maxMessageBytes } from '../../sim/distributed/limits.js';
import { spawnLocalHosts } from '../../sim/distributed/spawn.js';
import { buildTopology } from '../../sim/topologies/index.js';
import { parseScenario } from '../../sim/scenario/load.js';
import { shortenedScenario } from './scenario-text.js';

const file = 'scenarios/quickstart.yaml';
const longText = shortenedScenario(file, '10m');
const shortText = shortenedScenario(file, '2s');

describe('a host that dies or stops answering ends the run with a clear error', () => {
  it('a killed host: the error names it and the virtual time, and no process is left', async () => {
    const hosts = await spawnLocalHosts(2);
    try {
      const startedAt = performance.now();
      const run = runDistributed(parseScenario(longText, file), { hosts: hosts.addresses, scenarioText: longText });
      await new Promise((resolve) => setTimeout(resolve, 1500));
      hosts.processes[1]!.kill('SIGKILL');
      const error = await run.then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(HostError);
      expect((error as HostError).message).toMatch(
        new RegExp(`node host ${hosts.addresses[1]!.replace(/\./g, '\\.')} \\(host 2 of 2\\) .* at virtual time \\d`),
      );
      expect((error as HostError).host).toBe(hosts.addresses[1]);
      expect((error as HostError).virtualUs).toBeGreaterThan(0);
      expect(performance.now() - startedAt).toBeLessThan(15_000);
    } finally {
      await hosts.stop();
    }
    for (const child of hosts.processes) expect(child.exitCode !== null || child.signalCode !== null).toBe(true);
  });

  it('a host that stops answering: the run fails after the answer timeout, and the host serves again later', async () => {
    const hosts = await spawnLocalHosts(2);
    try {
      const run = runDistributed(parseScenario(longText, file), { hosts: hosts.addresses, scenarioText: longText, answerTimeoutMs: 1500 });
      await new Promise((resolve) => setTimeout(resolve, 1500));
      hosts.processes[0]!.kill('SIGSTOP');
      const startedAt = performance.now();
      await expect(run).rejects.toThrow(
        new RegExp(`node host ${hosts.addresses[0]!.replace(/\./g, '\\.')} \\(host 1 of 2\\) stopped answering .* at virtual time`),
      );
      expect(performance.now() - startedAt).toBeLessThan(5000);
      hosts.processes[0]!.kill('SIGCONT');
      const again = await runDistributed(parseScenario(shortText, file), { hosts: hosts.addresses, scenarioText: shortText });
      expect(again.eventsProcessed).toBeGreaterThan(100);
    } finally {
      hosts.processes[0]!.kill('SIGCONT');
      await hosts.stop();
    }
  });
});

describe('a host refuses oversized, unknown and malformed messages, and keeps serving', () => {
  let host: RunningNodeHost;
  const identity = (bytes: Buffer) => bytes;
  const RawClient = makeGenericClientConstructor(
    {
      run: {
        path: '/clustersim.v1.NodeHostService/Run',
        requestStream: true,
        responseStream: true,
        requestSerialize: identity,
        requestDeserialize: identity,
        responseSerialize: identity,
        responseDeserialize: identity,
      },
    },
    'clustersim.v1.NodeHostService',
  );

  beforeAll(async () => {
    host = await startNodeHost({ listen: '127.0.0.1:0' });
  });
  afterAll(async () => {
    await host?.close();
  });

  /** Sends raw messages on one Run stream; resolves with the host's answers and how the call ended. */
  function exchange(messages: Buffer[]): Promise<{ answers: RunResponse[]; code: number; details: string }> {
    const client = new RawClient(host.address, credentials.createInsecure(), { 'grpc.max_send_message_length': 64 * 1024 * 1024 });
    const call = (client as unknown as { run(options: object): ClientDuplexStream<Buffer, Buffer> }).run({ deadline: Date.now() + 10_000 });
    const answers: RunResponse[] = [];
    return new Promise((resolve) => {
      call.on('data', (bytes: Buffer) => answers.push(RunResponse.decode(bytes)));
      call.on('status', (result: { code: number; details: string }) => {
        client.close();
        resolve({ answers, code: result.code, details: result.details });
      });
      call.on('error', (_error: ServiceError) => undefined);
      for (const message of messages) call.write(message);
      call.end();
    });
  }
  const encode = (request: RunRequest) => Buffer.from(RunRequest.encode(request).finish());
  const failureOf = (answers: RunResponse[]) =>
    answers.map((answer) => answer.report).find((report) => report?.$case === 'failure')?.value.message;
  const setup = (scenarioText: string) =>
    encode({
      command: {
        $case: 'setup',
        value: {
          scenarioText,
          scenarioFile: file,
          seed: 1,
          hostIndex: 0,
          hostCount: 1,
          actorHosts: buildTopology(parseScenario(shortText, file)).actors.map(() => 0),
          lookaheadUs: 100,
          hostAddresses: [host.address],
          runId: 'test',
          durationUs: 2_000_000,
          answerTimeoutMs: 1000,
          tlsAuthority: Buffer.alloc(0),
        },
      },
    });

  async function stillServes(): Promise<void> {
    const result = await runDistributed(parseScenario(shortText, file), { hosts: [host.address], scenarioText: shortText });
    expect(result.eventsProcessed).toBeGreaterThan(100);
  }

  it('a message above the size limit', async () => {
    const result = await exchange([Buffer.alloc(maxMessageBytes + 1024, 1)]);
    expect(result.code).toBe(status.RESOURCE_EXHAUSTED);
    await stillServes();
  });

  it('bytes that are not a RunRequest', async () => {
    const result = await exchange([Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f, 0x01])]);
    expect(result.code).not.toBe(status.OK);
    await stillServes();
  });

  it('a command of a kind the host does not know', async () => {
    // Field 15 is no command of RunRequest: it decodes to an empty command.
    const result = await exchange([Buffer.from([0x7a, 0x00])]);
    expect(failureOf(result.answers)).toMatch(/unknown or empty command/);
    await stillServes();
  });

  it('a start before setup, a scenario that does not load', async () => {
    expect(failureOf((await exchange([encode({ command: { $case: 'start', value: { nextEventUs: [0] } } })])).answers)).toMatch(
      /start command before setup/,
    );
    expect(failureOf((await exchange([setup('name: [')])).answers)).toMatch(/scenario does not load/);
    await stillServes();
  });

  it('a malformed delivery batch from another host: the run fails, blaming that host', async () => {
    // The other host of the run: it takes this host's exchange stream and says nothing.
    const peer = new Server();
    peer.addService(NodeHostServiceService, {
      run: () => undefined,
      absorb: () => undefined,
      exchange: (call: ServerReadableStream<ExchangeItem, ExchangeClosed>, callback: sendUnaryData<ExchangeClosed>) => {
        call.on('data', () => undefined);
        call.on('error', () => undefined);
        call.on('end', () => callback(null, {}));
      },
    });
    const peerPort = await new Promise<number>((resolve, reject) =>
      peer.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, port) => (error === null ? resolve(port) : reject(error))),
    );
    const actorHosts = buildTopology(parseScenario(shortText, file)).actors.map(() => 0);
    const setupValue = { scenarioText: shortText, scenarioFile: file, seed: 1, hostIndex: 0, hostCount: 2, actorHosts, lookaheadUs: 100 };
    const client = new NodeHostServiceClient(host.address, credentials.createInsecure());
    try {
      const run = client.run();
      const failure = new Promise<HostFailure>((resolve) => {
        run.on('data', (response: RunResponse) => {
          if (response.report?.$case === 'ready') run.write({ command: { $case: 'start', value: { nextEventUs: [0, 0] } } });
          if (response.report?.$case === 'failure') resolve(response.report.value);
        });
        run.on('error', () => undefined);
      });
      const hostAddresses = [host.address, `127.0.0.1:${peerPort}`];
      const runSetup = { ...setupValue, hostAddresses, runId: 'malformed', durationUs: 2_000_000, answerTimeoutMs: 5000, tlsAuthority: Buffer.alloc(0) };
      run.write({ command: { $case: 'setup', value: runSetup } });
      // Posing as host 2 of the run: a batch that is no DeliveryBatch.
      const link = client.exchange(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 300));
      link.write({ item: { $case: 'hello', value: { runId: 'malformed', fromHost: 1 } } });
      const garbage = { batch: Buffer.from([0x0a, 0x05, 0x01, 0x02]), count: 1 };
      link.write({ item: { $case: 'roundEnd', value: { round: 1, nextEventUs: -1, earliestToUs: [-1, -1], inbound: [garbage] } } });
      const reported = await failure;
      expect(reported.message).toMatch(/sent malformed delivery batch/);
      expect(reported.peer).toBe(2);
      link.end();
      run.end();
    } finally {
      client.close();
      peer.forceShutdown();
    }
    await stillServes();
  });
});
