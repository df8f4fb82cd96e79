// An external routing policy, run as its own process: sends each request to the eligible server
// with the fewest outstanding requests (lowest actor index on ties), keeps session affinity, and
// rejects requests of the work class "blocked". Start it with
//   node --import tsx examples/routing-policy-server.ts --listen 127.0.0.1:50051
// and name it in a scenario:  routing: { policy: grpc://127.0.0.1:50051 }
import { Server, ServerCredentials, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import { RoutingPolicyServiceService, type ChooseRequest, type ChooseResponse } from '../gen/clustersim/v1/policy.js';

function choose(question: ChooseRequest): ChooseResponse {
  if (question.workClass === 'blocked') return { decision: { $case: 'reject', value: 'blocked-by-policy' } };
  const affinity = question.eligible.find((server) => server.server === question.affinityServer);
  if (affinity !== undefined) return { decision: { $case: 'server', value: affinity.server } };
  let best = question.eligible[0];
  for (const server of question.eligible) if (best === undefined || server.outstanding < best.outstanding) best = server;
  return best === undefined
    ? { decision: { $case: 'reject', value: 'no-eligible-server' } }
    : { decision: { $case: 'server', value: best.server } };
}

const listenIndex = process.argv.indexOf('--listen');
const listen = listenIndex < 0 ? '127.0.0.1:50051' : process.argv[listenIndex + 1]!;
let questions = 0;
const server = new Server({ 'grpc.max_receive_message_length': 1024 * 1024 });
server.addService(RoutingPolicyServiceService, {
  choose: (call: ServerUnaryCall<ChooseRequest, ChooseResponse>, callback: sendUnaryData<ChooseResponse>) => {
    questions++;
    callback(null, choose(call.request));
  },
});
server.bindAsync(listen, ServerCredentials.createInsecure(), (error, port) => {
  if (error !== null) {
    process.stderr.write(`routing policy: ${error.message}\n`);
    process.exit(2);
  }
  process.stdout.write(`routing policy listening on ${listen.slice(0, listen.lastIndexOf(':'))}:${port}\n`);
});
const stop = () => {
  process.stderr.write(`routing policy: answered ${questions} questions\n`);
  server.forceShutdown();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.stdin.on('end', stop);
process.stdin.resume();
