// Breaks affinity: always the last eligible server, whatever session the request belongs to.
import type { ChooseRequest, ChooseResponse } from '../../../gen/clustersim/v1/policy.js';

export default {
  choose(question: ChooseRequest): ChooseResponse {
    const chosen = question.eligible.at(-1);
    return chosen === undefined
      ? { decision: { $case: 'reject', value: 'none' } }
      : { decision: { $case: 'server', value: chosen.server } };
  },
};
