// A conforming policy: keeps a session on its server when that server is eligible, else sends the
// request to the eligible server with the fewest outstanding requests, ties broken by a draw from
// the stream the router hands it.
import type { ChooseRequest, ChooseResponse } from '../../../gen/clustersim/v1/policy.js';
import type { RoutingPolicyModule } from '../../../nodes/router/module-policy.js';

const leastLoaded: RoutingPolicyModule = {
  choose(question: ChooseRequest, random: () => number): ChooseResponse {
    const sessionServer = question.eligible.find((server) => server.server === question.affinityServer);
    if (sessionServer !== undefined) return { decision: { $case: 'server', value: sessionServer.server } };
    const fewest = Math.min(...question.eligible.map((server) => server.outstanding));
    const least = question.eligible.filter((server) => server.outstanding === fewest);
    if (least.length === 0) return { decision: { $case: 'reject', value: 'no-eligible-server' } };
    return { decision: { $case: 'server', value: least[Math.floor(random() * least.length)]!.server } };
  },
};

export default leastLoaded;
