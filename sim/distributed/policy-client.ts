import { Client, connectivityState, credentials } from '@grpc/grpc-js';
import { Worker } from 'node:worker_threads';
import { ChooseRequest, ChooseResponse } from '../../gen/clustersim/v1/policy.js';
import { RoutingPolicyError, type RoutingPolicy } from '../../nodes/router/external-policy.js';
import { ScenarioError, type LoadedScenario } from '../scenario/load.js';
import { formatDuration } from '../scenario/units.js';

export { RoutingPolicyError };

const answerCapacityBytes = 64 * 1024;
/** Extra time the first call may take: the worker starts and connects. */
const startAllowanceMs = 10_000;
/** How long a run waits, before it starts, for the routing policy to accept a connection. */
export const policyConnectTimeoutMs = 5_000;
const waiting = 0;
const answered = 1;
const failed = 2;

/**
 * A RoutingPolicyService reached over gRPC, called synchronously from a router's handler: a
 * worker thread owns the gRPC client, and this thread sleeps on a shared buffer until the answer
 * comes or the deadline passes. The worker starts on the first call, so a host that holds no
 * router never connects.
 */
export class GrpcRoutingPolicy implements RoutingPolicy {
  readonly address: string;
  private readonly shared = new SharedArrayBuffer(8 + answerCapacityBytes);
  private readonly control = new Int32Array(this.shared, 0, 2);
  private readonly data = new Uint8Array(this.shared, 8);
  private worker: Worker | undefined;
  private broken: RoutingPolicyError | undefined;

  constructor(
    url: string,
    private readonly timeoutMs: number,
    private readonly nameOf: (actor: number) => string,
  ) {
    this.address = url;
  }

  serverName(actor: number): string {
    return this.nameOf(actor);
  }

  choose(question: ChooseRequest): ChooseResponse {
    if (this.broken !== undefined) throw this.broken;
    let allowanceMs = 0;
    if (this.worker === undefined) {
      this.worker = new Worker(new URL('./policy-worker.mjs', import.meta.url), {
        workerData: { address: this.address.replace(/^grpc:\/\//, ''), shared: this.shared, timeoutMs: this.timeoutMs },
      });
      this.worker.unref();
      allowanceMs = startAllowanceMs;
    }
    Atomics.store(this.control, 0, waiting);
    this.worker.postMessage(ChooseRequest.encode(question).finish());
    Atomics.wait(this.control, 0, waiting, this.timeoutMs + allowanceMs + 1000);
    const state = Atomics.load(this.control, 0);
    const answer = this.data.slice(0, Atomics.load(this.control, 1));
    if (state === answered) {
      try {
        return ChooseResponse.decode(answer);
      } catch (error) {
        this.broken = this.failure(question, `answered what is no ChooseResponse (${(error as Error).message})`);
      }
    } else {
      const reason = state === failed ? Buffer.from(answer).toString('utf8') : `no answer within ${formatDuration(this.timeoutMs * 1000)} (policyTimeout)`;
      this.broken = this.failure(question, reason);
    }
    void this.worker.terminate();
    throw this.broken;
  }

  private failure(question: ChooseRequest, reason: string): RoutingPolicyError {
    return new RoutingPolicyError(`routing policy ${this.address} failed for ${question.router} at virtual time ${formatDuration(question.nowUs)}: ${reason}`);
  }
}

/**
 * Checks, before a run starts, that the scenario's routing policy accepts connections, so that a
 * policy that is not there is a located error (exit 2) rather than a run stopped at its first
 * request. A refusal is known at once; a silent address after `timeoutMs`.
 */
export async function checkRoutingPolicy(loaded: LoadedScenario, timeoutMs = policyConnectTimeoutMs): Promise<void> {
  const url = loaded.scenario.routing.policy;
  if (url === undefined) return;
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
