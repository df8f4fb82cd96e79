import type { ChooseRequest, ChooseResponse } from '../../gen/clustersim/v1/policy.js';
import { ServerState, type MaintenanceMode, type Request } from '../messages.js';

/**
 * A routing policy held outside the router, e.g. a team's own code behind a gRPC
 * RoutingPolicyService. The call is synchronous: the router's handler waits for the answer, so
 * the run stays deterministic as long as the policy answers the same questions the same way.
 */
export interface RoutingPolicy {
  /** Where the policy lives, for messages. */
  readonly address: string;
  /** Name of a server by actor index, e.g. `node2/app-1`. */
  serverName(actor: number): string;
  choose(question: ChooseRequest): ChooseResponse;
}

/** What the router knows of a server, as the policy sees it. */
export interface PolicyServerView {
  readonly actor: number;
  readonly state: ServerState;
  readonly mode: MaintenanceMode;
  readonly outstanding: number;
}

/**
 * Asks the policy where `request` goes when no session affinity decides it. The eligible servers
 * are the running ones of the request's cluster, or those in maintenance for a work class that
 * permits only them, less the ones already tried. Returns the chosen view, or the cause of a
 * rejection.
 */
export function askPolicy<View extends PolicyServerView>(
  policy: RoutingPolicy,
  router: string,
  request: Request,
  views: readonly View[],
  excluded: readonly number[],
  nowUs: number,
): View | string {
  const state = request.maintenanceOnly ? ServerState.MAINTENANCE : ServerState.RUNNING;
  const eligible = views.filter((view) => view.state === state && !excluded.includes(view.actor));
  const answer = policy.choose({
    router,
    nowUs,
    request,
    workClass: request.workClass,
    affinityServer: request.affinityServer,
    eligible: eligible.map((view) => ({ server: view.actor, name: policy.serverName(view.actor), state: view.state, mode: view.mode, outstanding: view.outstanding })),
  });
  const decision = answer.decision;
  if (decision === undefined) throw new Error(`routing policy ${policy.address} answered ${router} with neither a server nor a rejection`);
  if (decision.$case === 'reject') return decision.value === '' ? 'policy-reject' : decision.value;
  const chosen = eligible.find((view) => view.actor === decision.value);
  if (chosen === undefined) {
    throw new Error(`routing policy ${policy.address} chose server ${decision.value} for request ${request.id} of ${router}, which is not among the eligible servers`);
  }
  return chosen;
}
