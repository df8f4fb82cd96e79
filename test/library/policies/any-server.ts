// Breaks eligibility: the session's server, or the lowest-numbered server it has heard of, eligible or not.
import type { ChooseRequest, ChooseResponse } from '../../../gen/clustersim/v1/policy.js';

export default {
  choose(question: ChooseRequest): ChooseResponse {
    return { decision: { $case: 'server', value: question.affinityServer ?? question.request?.triedServers[0] ?? 0 } };
  },
};
