// Breaks determinism: a counter kept between calls (and between runs in the same process).
import type { ChooseRequest, ChooseResponse } from '../../../gen/clustersim/v1/policy.js';

let turn = 0;

export default {
  choose(question: ChooseRequest): ChooseResponse {
    const sessionServer = question.eligible.find((server) => server.server === question.affinityServer);
    const chosen = sessionServer ?? question.eligible[turn++ % Math.max(1, question.eligible.length)];
    return chosen === undefined
      ? { decision: { $case: 'reject', value: 'none' } }
      : { decision: { $case: 'server', value: chosen.server } };
  },
};
