// The team's routing policy: a request stays with its session's server when that server may take
// it; otherwise it goes to the eligible server with the fewest outstanding requests, ties broken
// by a draw from the stream the router hands over (never Math.random: runs stay reproducible).
import type { ChooseRequest, ChooseResponse, RandomStream, RoutingPolicyModule } from 'clustersim';

const leastLoaded: RoutingPolicyModule = {
  choose(question: ChooseRequest, random: RandomStream): ChooseResponse {
    const sessionServer = question.eligible.find((server) => server.server === question.affinityServer);
    if (sessionServer !== undefined) return { decision: { $case: 'server', value: sessionServer.server } };
    if (question.eligible.length === 0) return { decision: { $case: 'reject', value: 'no-eligible-server' } };
    const fewest = Math.min(...question.eligible.map((server) => server.outstanding));
    const least = question.eligible.filter((server) => server.outstanding === fewest);
    return { decision: { $case: 'server', value: least[Math.floor(random() * least.length)]!.server } };
  },
};

export default leastLoaded;
