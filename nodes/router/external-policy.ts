import type { ChooseRequest, ChooseResponse, ServerLoad } from '../../gen/clustersim/v1/policy.js';
import type { RandomStream } from '../../sim/kernel/random.js';
import { formatDuration } from '../../sim/scenario/units.js';
import { ServerState, type MaintenanceMode, type Request } from '../messages.js';

/**
 * A routing policy held outside the router: a team's own code behind a gRPC
 * RoutingPolicyService, or a module called in-process. The call is synchronous: the router's
 * handler waits for the answer, so the run stays deterministic as long as the policy answers the
 * same questions the same way, drawing only from the stream it is handed.
 */
export interface RoutingPolicy {
  /** Where the policy lives, for messages. */
  readonly address: string;
  /** Name of a server by actor index, e.g. `node2/app-1`. */
  serverName(actor: number): string;
  /** `random`: the router's own `policy` stream, the only randomness a policy may use. */
  choose(question: ChooseRequest, random: RandomStream): ChooseResponse;
}

/**
 * The external policy failed: no answer in time, an error status, or an answer the router cannot
 * follow. The scenario's fault, not the simulator's: the run stops with the report so far.
 */
export class RoutingPolicyError extends Error {}

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
  random: RandomStream,
): View | string {
  const state = request.maintenanceOnly ? ServerState.MAINTENANCE : ServerState.RUNNING;
  // One pass and fresh objects: the policy may keep what it is given.
  const eligible: ServerLoad[] = [];
  for (const view of views) {
    if (view.state === state && !excluded.includes(view.actor)) eligible.push({ server: view.actor, name: policy.serverName(view.actor), state: view.state, mode: view.mode, outstanding: view.outstanding });
  }
  const answer = policy.choose({ router, nowUs, request, workClass: request.workClass, affinityServer: request.affinityServer, eligible }, random);
  const decision = answer.decision;
  // Asked at every new session: plain loops, and no closure unless the answer is refused.
  if (decision === undefined) throw policyFailure(policy, 'answered neither a server nor a rejection', request, router, nowUs);
  if (decision.$case === 'reject') return decision.value === '' ? 'policy-reject' : decision.value;
  const server = decision.value;
  let isEligible = false;
  for (const load of eligible) if (load.server === server) isEligible = true;
  if (isEligible) for (const view of views) if (view.actor === server) return view;
  const known = views.some((view) => view.actor === server);
  const names = eligible.map((load) => load.server).join(', ') || 'none';
  const what = known
    ? `chose server ${server} (${policy.serverName(server)}), which is not eligible (eligible: ${names})`
    : `chose server ${server}, which is no server of the cluster (eligible: ${names})`;
  throw policyFailure(policy, what, request, router, nowUs);
}

function policyFailure(policy: RoutingPolicy, what: string, request: Request, router: string, nowUs: number): RoutingPolicyError {
  return new RoutingPolicyError(`routing policy ${policy.address} ${what} for request ${request.id} of ${router} at virtual time ${formatDuration(nowUs)}`);
}
