import { Worker } from 'node:worker_threads';
import type { ChooseRequest, ChooseResponse } from '../../gen/clustersim/v1/policy.js';
import { RoutingPolicyError, type RoutingPolicy } from '../../nodes/router/external-policy.js';
import { formatDuration } from '../scenario/units.js';

export { RoutingPolicyError };

const answerCapacityBytes = 64 * 1024;
/** Extra time the first call may take: the worker starts and connects. */
const startAllowanceMs = 10_000;
const waiting = 0;
const answered = 1;
const failed = 2;

/**
 * A RoutingPolicyService reached over gRPC, called synchronously from a router's handler: a
 * worker thread owns the gRPC client and the protobuf codec (so gRPC loads only in a run with a
 * policy), and this thread sleeps on a shared buffer until the answer, as JSON, comes or the
 * deadline passes. The worker starts on the first call, so a host that holds no
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
    this.worker.postMessage(question);
    Atomics.wait(this.control, 0, waiting, this.timeoutMs + allowanceMs + 1000);
    const state = Atomics.load(this.control, 0);
    const answer = this.data.slice(0, Atomics.load(this.control, 1));
    if (state === answered) return JSON.parse(Buffer.from(answer).toString('utf8')) as ChooseResponse;
    const reason = state === failed ? Buffer.from(answer).toString('utf8') : `no answer within ${formatDuration(this.timeoutMs * 1000)} (policyTimeout)`;
    this.broken = this.failure(question, reason);
    void this.worker.terminate();
    throw this.broken;
  }

  private failure(question: ChooseRequest, reason: string): RoutingPolicyError {
    return new RoutingPolicyError(`routing policy ${this.address} failed for ${question.router} at virtual time ${formatDuration(question.nowUs)}: ${reason}`);
  }
}
