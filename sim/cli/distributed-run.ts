import { InvalidArgumentError } from 'commander';
import type { RunResult } from '../run/run.js';
import type { LoadedScenario } from '../scenario/load.js';

export interface HostOptions {
  seed?: number;
  hosts?: string[];
  spawnHosts?: number;
  tlsCa?: string;
  onProgress?: (virtualUs: number, eventsProcessed: number) => void;
}

/** A run that could not finish on its node hosts: printed as a message, exit code 2. */
export class DistributedRunError extends Error {}

/** Runs a scenario over the given node hosts, or over hosts started for this run alone. */
export async function runOnHosts(loaded: LoadedScenario, options: HostOptions, say: (line: string) => void): Promise<RunResult> {
  if (options.hosts !== undefined && options.spawnHosts !== undefined)
    throw new DistributedRunError('give --hosts or --spawn-hosts, not both');
  // gRPC and the coordinator load only for a run on node hosts.
  const [{ HostError, lookaheadOf, runDistributed }, { spawnLocalHosts }] = await Promise.all([
    import('../distributed/coordinator.js'),
    import('../distributed/spawn.js'),
  ]);
  lookaheadOf(loaded);
  const spawned = options.spawnHosts === undefined ? undefined : await spawnLocalHosts(options.spawnHosts);
  const hosts = spawned?.addresses ?? options.hosts ?? [];
  try {
    const result = await runDistributed(loaded, {
      hosts,
      ...(options.seed === undefined ? {} : { seed: options.seed }),
      ...(options.tlsCa === undefined ? {} : { tlsAuthority: options.tlsCa }),
      ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
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
