import { InvalidArgumentError } from 'commander';
import type { LocalHosts } from '../distributed/spawn.js';
import type { RunResult } from '../run/run.js';
import type { LoadedScenario } from '../scenario/load.js';
import { firstTlsFileProblem } from './tls-files.js';

export interface HostOptions {
  seed?: number;
  hosts?: string[];
  spawnHosts?: number;
  tlsCa?: string;
  /** The coordinator's own certificate and key, for hosts that require one (mutual TLS). */
  tlsCert?: string;
  tlsKey?: string;
  /** Aborts on Ctrl-C or SIGTERM: the run stops, its hosts are freed (or stopped) and the report so far is written. */
  signal?: AbortSignal;
  onProgress?: (virtualUs: number, eventsProcessed: number) => void;
}

/** A run that could not finish on its node hosts: printed as a message, exit code 2. */
export class DistributedRunError extends Error {}

/** Runs a scenario over the given node hosts, or over hosts started for this run alone. */
export async function runOnHosts(loaded: LoadedScenario, options: HostOptions, say: (line: string) => void): Promise<RunResult> {
  if (options.hosts !== undefined && options.spawnHosts !== undefined)
    throw new DistributedRunError('give --hosts or --spawn-hosts, not both');
  checkTlsOptions(options);
  // gRPC and the coordinator load only for a run on node hosts.
  const [{ HostError, lookaheadOf, runDistributed }, { checkRoutingPolicy }, { HostStartAborted, HostStartError, spawnLocalHosts }] = await Promise.all([
    import('../distributed/coordinator.js'),
    import('../distributed/policy-check.js'),
    import('../distributed/spawn.js'),
  ]);
  await checkRoutingPolicy(loaded);
  lookaheadOf(loaded);
  let spawned: LocalHosts | undefined;
  try {
    spawned = options.spawnHosts === undefined ? undefined : await spawnLocalHosts(options.spawnHosts, options.signal === undefined ? {} : { signal: options.signal });
  } catch (error) {
    if (error instanceof HostStartAborted) return await stoppedBeforeStart(loaded, options);
    if (error instanceof HostStartError) throw new DistributedRunError(error.message);
    throw error;
  }
  const hosts = spawned?.addresses ?? options.hosts ?? [];
  try {
    const result = await runDistributed(loaded, {
      hosts,
      ...(options.seed === undefined ? {} : { seed: options.seed }),
      ...(options.tlsCa === undefined ? {} : { tlsAuthority: options.tlsCa }),
      ...(options.tlsCert === undefined || options.tlsKey === undefined ? {} : { tlsCertificate: options.tlsCert, tlsPrivateKey: options.tlsKey }),
      ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
    const exchange = result.exchange;
    say(
      `  ${hosts.length} node hosts: ${exchange.windows} windows of ${exchange.lookaheadUs} us lookahead, ${exchange.crossHostItems} messages between hosts`,
    );
    return result;
  } catch (error) {
    if (error instanceof HostError) throw new DistributedRunError(error.message);
    throw error;
  } finally {
    await spawned?.stop();
  }
}

/** The report of a run interrupted while its hosts started: nothing ran. */
async function stoppedBeforeStart(loaded: LoadedScenario, options: HostOptions): Promise<RunResult> {
  const { ScenarioRun } = await import('../run/run.js');
  const run = new ScenarioRun(loaded, options.seed === undefined ? {} : { seed: options.seed });
  run.stop({ cause: 'interrupted', reason: String(options.signal?.reason ?? 'interrupted') });
  return run.result();
}

/** TLS options that cannot work are refused before any host is started or dialled. */
function checkTlsOptions(options: HostOptions): void {
  if ((options.tlsCert === undefined) !== (options.tlsKey === undefined)) throw new DistributedRunError('give both --tls-cert and --tls-key, or neither');
  if (options.tlsCert !== undefined && options.tlsCa === undefined)
    throw new DistributedRunError("--tls-cert presents a client certificate over TLS: give --tls-ca too, the authority of the hosts' certificates");
  if (options.tlsCa !== undefined && options.spawnHosts !== undefined)
    throw new DistributedRunError('hosts started by --spawn-hosts talk plain gRPC on loopback: --tls-ca and --tls-cert go with --hosts');
  const problem = firstTlsFileProblem({ '--tls-ca': options.tlsCa, '--tls-cert': options.tlsCert, '--tls-key': options.tlsKey });
  if (problem !== undefined) throw new DistributedRunError(problem);
}

export function parseHostList(value: string): string[] {
  const hosts = value.split(',').map((host) => host.trim());
  if (hosts.some((host) => !/^[^\s:]+:\d+$|^\[[^\]]+\]:\d+$/.test(host)))
    throw new InvalidArgumentError('write node hosts as HOST:PORT,HOST:PORT,...');
  return hosts;
}

export function parseHostCount(value: string): number {
  const count = Number(value);
  if (!Number.isInteger(count) || count < 1 || count > 64)
    throw new InvalidArgumentError('the number of hosts is a whole number from 1 to 64');
  return count;
}
