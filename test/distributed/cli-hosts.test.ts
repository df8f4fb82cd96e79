import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runDistributed } from '../../sim/distributed/coordinator.js';
import { startNodeHost } from '../../sim/distributed/host-server.js';
import { runScenario } from '../../sim/run/run.js';
import { parseScenario } from '../../sim/scenario/load.js';
import { shortenedScenario } from './scenario-text.js';

const directory = mkdtempSync(join(tmpdir(), 'clustersim-hosts-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));
const scenarioFile = join(directory, 'short.yaml');
writeFileSync(scenarioFile, shortenedScenario('scenarios/quickstart.yaml', '3s'));

function clustersim(...args: string[]) {
  return spawnSync(process.execPath, ['bin/clustersim.mjs', ...args], { encoding: 'utf8', timeout: 60_000 });
}

describe('clustersim run --spawn-hosts and --hosts', () => {
  it('--spawn-hosts 2 writes the same summary.json and SVG as the run in-process', () => {
    const local = clustersim('run', scenarioFile, '--out', join(directory, 'local'), '--quiet');
    const spread = clustersim('run', scenarioFile, '--out', join(directory, 'spread'), '--spawn-hosts', '2');
    expect(local.status, local.stderr).toBe(0);
    expect(spread.status, spread.stderr).toBe(0);
    expect(spread.stdout).toMatch(/2 node hosts: \d+ windows of 100 us lookahead, \d+ messages between hosts/);
    for (const name of ['summary.json', 'sessions.svg']) {
      expect(readFileSync(join(directory, 'spread', name), 'utf8'), name).toBe(readFileSync(join(directory, 'local', name), 'utf8'));
    }
  });

  it('a host nobody listens on: a clear message naming it, exit code 2', () => {
    const result = clustersim('run', scenarioFile, '--out', join(directory, 'none'), '--hosts', '127.0.0.1:1');
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^clustersim: node host 127\.0\.0\.1:1 \(host 1 of 1\) refused the connection: nothing listens there .*\n$/);
  });

  it('a scenario whose network allows zero latency: a located error, exit code 2', () => {
    const zeroLatency = join(directory, 'zero-latency.yaml');
    writeFileSync(zeroLatency, readFileSync('scenarios/quickstart.yaml', 'utf8').replace(/^  minLatency: .*\n/m, ''));
    const result = clustersim('run', zeroLatency, '--out', join(directory, 'zero'), '--spawn-hosts', '1');
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/zero-latency\.yaml:\d+:\d+: a run over node hosts needs a positive minimum latency/);
  });
});

describe('a node host over TLS', () => {
  it('serves a run to a coordinator that trusts its certificate authority; hosts talk TLS to each other too', async () => {
    const pem = (name: string) => join(directory, name);
    const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'ignore' });
    openssl(
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=test-ca',
      '-keyout',
      pem('ca.key'),
      '-out',
      pem('ca.pem'),
    );
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-keyout', pem('host.key'), '-out', pem('host.csr'));
    writeFileSync(pem('san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
    openssl(
      'x509',
      '-req',
      '-in',
      pem('host.csr'),
      '-CA',
      pem('ca.pem'),
      '-CAkey',
      pem('ca.key'),
      '-CAcreateserial',
      '-days',
      '1',
      '-extfile',
      pem('san.ext'),
      '-out',
      pem('host.pem'),
    );
    const tls = { certificate: pem('host.pem'), privateKey: pem('host.key') };
    const host = await startNodeHost({ listen: '127.0.0.1:0', tls });
    // Two hosts that dial each other over TLS, trusting the authority the coordinator hands them.
    const pair = [await startNodeHost({ listen: '127.0.0.1:0', tls }), await startNodeHost({ listen: '127.0.0.1:0', tls })];
    try {
      const text = readFileSync(scenarioFile, 'utf8');
      const result = await runDistributed(parseScenario(text, scenarioFile), {
        hosts: [host.address],
        scenarioText: text,
        tlsAuthority: pem('ca.pem'),
      });
      expect(result.eventsProcessed).toBeGreaterThan(100);
      const short = shortenedScenario(scenarioFile, '5s');
      const inProcess = runScenario(parseScenario(short, scenarioFile));
      const overPair = await runDistributed(parseScenario(short, scenarioFile), {
        hosts: pair.map((each) => each.address),
        scenarioText: short,
        tlsAuthority: pem('ca.pem'),
        answerTimeoutMs: 5000,
      });
      expect(overPair.exchange.crossHostItems).toBeGreaterThan(0);
      expect(overPair.eventsProcessed).toBe(inProcess.eventsProcessed);
      // Without the authority the coordinator refuses the host's certificate.
      await expect(
        runDistributed(parseScenario(text, scenarioFile), { hosts: [host.address], scenarioText: text, answerTimeoutMs: 5000 }),
      ).rejects.toThrow(/node host .* closed the connection at once: it may serve TLS \(give --tls-ca\)/);
    } finally {
      await host.close();
      for (const each of pair) await each.close();
    }
  });
});
