// The benchmark's routing policy module: the eligible server with the fewest outstanding requests,
// the session's server when it is eligible; ties to the first.
import type { ChooseRequest, ChooseResponse } from '../../gen/clustersim/v1/policy.js';
import type { RoutingPolicyModule } from '../../nodes/router/module-policy.js';

const leastLoaded: RoutingPolicyModule = {
  choose(question: ChooseRequest): ChooseResponse {
    let best = question.eligible[0];
    for (const server of question.eligible) {
      if (server.server === question.affinityServer) return { decision: { $case: 'server', value: server.server } };
      if (server.outstanding < best!.outstanding) best = server;
    }
    return best === undefined
      ? { decision: { $case: 'reject', value: 'no-eligible-server' } }
      : { decision: { $case: 'server', value: best.server } };
  },
};

export default leastLoaded;
