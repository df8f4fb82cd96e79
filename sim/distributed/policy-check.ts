import { Client, connectivityState, credentials } from '@grpc/grpc-js';
import { ScenarioError, type LoadedScenario } from '../scenario/load.js';
import { formatDuration } from '../scenario/units.js';
import { isPolicyModule } from '../run/policy-module.js';

/** How long a run waits, before it starts, for the routing policy to accept a connection. */
export const policyConnectTimeoutMs = 5_000;

/**
 * Checks, before a run starts, that the scenario's routing policy accepts connections, so that a
 * policy that is not there is a located error (exit 2) rather than a run stopped at its first
 * request. A refusal is known at once; a silent address after `timeoutMs`. A policy module is
 * refused here: this is the check of runs on node hosts, whose routers run in other processes,
 * perhaps on other machines, where the module's path means nothing.
 */
export async function checkRoutingPolicy(loaded: LoadedScenario, timeoutMs = policyConnectTimeoutMs): Promise<void> {
  const url = loaded.scenario.routing.policy;
  if (url === undefined) return;
  if (isPolicyModule(url)) {
    throw new ScenarioError([loaded.problemAt(['routing', 'policy'], `a policy module runs in the process of the run only: run ${url} without node hosts, or serve it as a RoutingPolicyService (grpc://HOST:PORT)`)]);
  }
  const client = new Client(url.replace(/^grpc:\/\//, ''), credentials.createInsecure());
  try {
    await connected(client.getChannel(), timeoutMs);
  } catch (error) {
    throw new ScenarioError([loaded.problemAt(['routing', 'policy'], `the routing policy ${url} ${(error as Error).message}`)]);
  } finally {
    client.close();
  }
}

/** Resolves once the channel is connected; rejects at its first failure to connect, or after `timeoutMs`. */
export function connected(channel: ReturnType<Client['getChannel']>, timeoutMs: number): Promise<void> {
  // A transport deadline in wall time, as grpc-js takes it; no simulated actor ever sees it.
  const deadline = Date.now() + timeoutMs;
  return new Promise<void>((resolve, reject) => {
    const look = (): void => {
      const state = channel.getConnectivityState(true);
      if (state === connectivityState.READY) return resolve();
      if (state === connectivityState.TRANSIENT_FAILURE || state === connectivityState.SHUTDOWN) {
        return reject(new Error('refuses connections (is anything listening there?)'));
      }
      channel.watchConnectivityState(state, deadline, (error) => {
        if (error === undefined) look();
        else reject(new Error(`did not accept a connection within ${formatDuration(timeoutMs * 1000)}`));
      });
    };
    look();
  });
}
