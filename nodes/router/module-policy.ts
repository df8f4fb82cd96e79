import type { ChooseRequest, ChooseResponse } from '../../gen/clustersim/v1/policy.js';
import type { RandomStream } from '../../sim/kernel/random.js';
import { formatDuration } from '../../sim/scenario/units.js';
import { RoutingPolicyError, type RoutingPolicy } from './external-policy.js';

/**
 * What a routing policy module's default export implements: the contract of the
 * RoutingPolicyService in proto/clustersim/v1/policy.proto, as a plain function call. It reads
 * the question (never changes it), and may draw only from `random`, the router's own seeded
 * `policy` stream: then the same scenario and seed give the same run.
 */
export interface RoutingPolicyModule {
  choose(question: Readonly<ChooseRequest>, random: RandomStream): ChooseResponse;
}

/**
 * A routing policy module called in-process, synchronously, from the router's handler: no
 * thread, no encoding, the same question objects the router builds. A policy that throws stops
 * the run like a gRPC policy that fails: the scenario's fault, with the report so far.
 */
export class ModuleRoutingPolicy implements RoutingPolicy {
  constructor(
    /** The policy as the scenario names it. */
    readonly address: string,
    private readonly policy: RoutingPolicyModule,
    private readonly nameOf: (actor: number) => string,
  ) {}

  serverName(actor: number): string {
    return this.nameOf(actor);
  }

  choose(question: ChooseRequest, random: RandomStream): ChooseResponse {
    try {
      return this.policy.choose(question, random);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new RoutingPolicyError(
        `routing policy ${this.address} threw for ${question.router} at virtual time ${formatDuration(question.nowUs)}: ${reason}`,
      );
    }
  }
}
