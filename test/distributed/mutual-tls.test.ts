import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderReport } from '../../reports/report.js';
import { HostError, runDistributed } from '../../sim/distributed/coordinator.js';
import { startNodeHost, type RunningNodeHost } from '../../sim/distributed/host-server.js';
import { runScenario } from '../../sim/run/run.js';
import { parseScenario } from '../../sim/scenario/load.js';
import { shortenedScenario } from './scenario-text.js';

const directory = mkdtempSync(join(tmpdir(), 'clustersim-mtls-'));
const pem = (name: string) => join(directory, name);
const scenarioFile = pem('short.yaml');
const text = shortenedScenario('scenarios/quickstart.yaml', '2s');
writeFileSync(scenarioFile, text);

const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'ignore' });
/** A certificate authority: NAME.pem and NAME.key. */
function authority(name: string): void {
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', `/CN=${name}`, '-keyout', pem(`${name}.key`), '-out', pem(`${name}.pem`));
}
/** A certificate NAME.pem (key NAME.key) signed by `signer`, valid for 127.0.0.1 and localhost. */
function certificate(name: string, signer: string): void {
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${name}`, '-keyout', pem(`${name}.key`), '-out', pem(`${name}.csr`));
  writeFileSync(pem('san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  openssl('x509', '-req', '-in', pem(`${name}.csr`), '-CA', pem(`${signer}.pem`), '-CAkey', pem(`${signer}.key`), '-CAcreateserial', '-days', '1', '-extfile', pem('san.ext'), '-out', pem(`${name}.pem`));
}

/** `clustersim ...` as a child process, so that the hosts of this process keep serving. */
function clustersim(...args: string[]): Promise<{ status: number | null; stderr: string }> {
  const child = spawn(process.execPath, ['bin/clustersim.mjs', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => {
    const deadline = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.once('exit', (status) => {
      clearTimeout(deadline);
      resolve({ status, stderr });
    });
  });
}

// Two hosts that require a client certificate signed by `ca`; each presents its own to the other.
let hosts: RunningNodeHost[] = [];
let plainHost: RunningNodeHost;
beforeAll(async () => {
  authority('ca');
  authority('rogue-ca');
  certificate('host', 'ca');
  certificate('coordinator', 'ca');
  certificate('stranger', 'rogue-ca');
  const tls = { certificate: pem('host.pem'), privateKey: pem('host.key'), clientAuthority: pem('ca.pem') };
  hosts = [await startNodeHost({ listen: '127.0.0.1:0', tls }), await startNodeHost({ listen: '127.0.0.1:0', tls })];
  plainHost = await startNodeHost({ listen: '127.0.0.1:0' });
});
afterAll(async () => {
  for (const host of [...hosts, plainHost]) await host?.close();
  rmSync(directory, { recursive: true, force: true });
});

describe('mutual TLS between the coordinator and node hosts, and between hosts', () => {
  it('run --tls-cert/--tls-key: hosts that require a client certificate serve the run, with the figures of the run in-process', async () => {
    const out = pem('out');
    const addresses = hosts.map((host) => host.address).join(',');
    const result = await clustersim('run', scenarioFile, '--out', out, '--quiet', '--hosts', addresses, '--tls-ca', pem('ca.pem'), '--tls-cert', pem('coordinator.pem'), '--tls-key', pem('coordinator.key'));
    expect(result.status, result.stderr).toBe(0);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as { sessions: unknown; servers: unknown };
    const inProcess = renderReport(runScenario(parseScenario(text, scenarioFile)), []).summary;
    expect(summary.sessions).toEqual(JSON.parse(JSON.stringify(inProcess.sessions)));
    expect(summary.servers).toEqual(JSON.parse(JSON.stringify(inProcess.servers)));
  });

  it('a coordinator without a client certificate is refused, with a message saying what to give', async () => {
    const result = await clustersim('run', scenarioFile, '--out', pem('refused'), '--quiet', '--hosts', hosts[0]!.address, '--tls-ca', pem('ca.pem'));
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(
      /^clustersim: node host 127\.0\.0\.1:\d+ \(host 1 of 1\) requires a client certificate \(its --tls-client-ca\): give run --tls-cert and --tls-key, a certificate that authority signed$/m,
    );
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it("a client certificate the host's authority did not sign is refused", async () => {
    const error = await runDistributed(parseScenario(text, scenarioFile), {
      hosts: [hosts[0]!.address],
      scenarioText: text,
      tlsAuthority: pem('ca.pem'),
      tlsCertificate: pem('stranger.pem'),
      tlsPrivateKey: pem('stranger.key'),
    }).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(HostError);
    expect((error as Error).message).toMatch(
      /\(host 1 of 1\) (refused this coordinator's certificate|closed the connection during the TLS handshake: did the authority of its --tls-client-ca sign this coordinator's --tls-cert\?$)/,
    );
  });

  it('a host whose certificate does not go with its key: exit code 2 and one line', async () => {
    const result = await clustersim('host', '--listen', '127.0.0.1:0', '--tls-cert', pem('host.pem'), '--tls-key', pem('coordinator.key'));
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^clustersim: cannot listen on 127\.0\.0\.1:0 over TLS: .*key values mismatch\n$/);
  });

  it('TLS on one side only: the message says which way it does not match', async () => {
    const failure = (hosts: string[], tlsAuthority?: string) =>
      runDistributed(parseScenario(text, scenarioFile), { hosts, scenarioText: text, ...(tlsAuthority === undefined ? {} : { tlsAuthority }) }).then(
        () => '',
        (caught: unknown) => (caught as Error).message,
      );
    expect(await failure([plainHost.address], pem('ca.pem'))).toMatch(/\(host 1 of 1\) does not speak TLS: drop --tls-ca, or start the host with --tls-cert and --tls-key$/);
    expect(await failure([hosts[0]!.address])).toMatch(/\(host 1 of 1\) closed the connection at once: it may serve TLS \(give --tls-ca\), or not be a clustersim host$/);
    expect(await failure([hosts[0]!.address], pem('rogue-ca.pem'))).toMatch(/\(host 1 of 1\) presented a certificate that --tls-ca did not sign/);
  });
});
