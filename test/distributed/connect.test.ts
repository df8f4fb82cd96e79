import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HostError, runDistributed } from '../../sim/distributed/coordinator.js';
import { HostStartError, hostsStartTimeoutMs, spawnLocalHosts } from '../../sim/distributed/spawn.js';
import { parseScenario } from '../../sim/scenario/load.js';
import { shortenedScenario } from './scenario-text.js';

const file = 'scenarios/quickstart.yaml';
const text = shortenedScenario(file, '2s');

/** The error a run over `hosts` fails with, and how long it took. */
async function failureOf(hosts: string[]): Promise<{ error: HostError; wallMs: number }> {
  const startedAt = performance.now();
  const error = await runDistributed(parseScenario(text, file), { hosts, scenarioText: text }).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(HostError);
  return { error: error as HostError, wallMs: performance.now() - startedAt };
}

describe('a node host that cannot be reached is reported within seconds, with the cause', () => {
  // Accepts connections and never says a word: neither a refusal nor a gRPC server.
  let silent: Server;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    silent = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  });
  afterAll(() => {
    for (const socket of sockets) socket.destroy();
    silent.close();
  });

  it('nothing listens: the refusal is reported at once, in plain words', async () => {
    const { error, wallMs } = await failureOf(['127.0.0.1:1']);
    expect(error.message).toBe('node host 127.0.0.1:1 (host 1 of 1) refused the connection: nothing listens there (start one with `clustersim host --listen ADDRESS`)');
    expect(wallMs).toBeLessThan(10_000);
  });

  it('an address that accepts and never answers: reported after the 5 s connect deadline, not the 30 s set-up limit', async () => {
    const address = silent.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    const { error, wallMs } = await failureOf([`127.0.0.1:${address.port}`]);
    expect(error.message).toMatch(/^node host 127\.0\.0\.1:\d+ \(host 1 of 1\) did not accept a connection within 5s/);
    expect(wallMs).toBeGreaterThan(4_000);
    expect(wallMs).toBeLessThan(20_000);
  });
});

describe('spawned node hosts', () => {
  it('the start limit grows with the number of hosts (30 s was too short for 4 on a busy 2-core machine)', () => {
    expect(hostsStartTimeoutMs(1)).toBeGreaterThanOrEqual(30_000);
    expect(hostsStartTimeoutMs(4)).toBeGreaterThanOrEqual(60_000);
    expect(hostsStartTimeoutMs(8)).toBeGreaterThan(hostsStartTimeoutMs(4));
  });

  it('a host too slow to start is named, with how many had started', async () => {
    const error = await spawnLocalHosts(2, { startTimeoutMs: 1 }).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(HostStartError);
    expect((error as Error).message).toMatch(/^node host 1 of 2 \(process \d+\) did not start within 0\.001 s \(0 had started; the machine may be busy\)$/);
  });
});
