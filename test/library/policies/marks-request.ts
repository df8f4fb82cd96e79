// Changes the router's request: marks the server it chose as tried, which is the router's to do.
import type { ChooseRequest, ChooseResponse } from '../../../gen/clustersim/v1/policy.js';

export default {
  choose(question: ChooseRequest): ChooseResponse {
    const chosen = question.eligible.find((server) => server.server === question.affinityServer) ?? question.eligible[0];
    if (chosen === undefined) return { decision: { $case: 'reject', value: 'none' } };
    question.request?.triedServers.push(chosen.server);
    return { decision: { $case: 'server', value: chosen.server } };
  },
};
