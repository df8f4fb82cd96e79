// A conforming policy in plain JavaScript: the session's server when eligible, else the first eligible server.
export default {
  choose(question) {
    const sessionServer = question.eligible.find((server) => server.server === question.affinityServer);
    const chosen = sessionServer ?? question.eligible[0];
    return chosen === undefined
      ? { decision: { $case: 'reject', value: 'no-eligible-server' } }
      : { decision: { $case: 'server', value: chosen.server } };
  },
};
