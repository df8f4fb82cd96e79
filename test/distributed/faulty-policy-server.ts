// Routing policies that answer badly, one per port, in one process for the tests of
// policy-failures.test.ts. Each behaves well (the first eligible server) for its first `--good`
// questions, then as its name says:
//   not-eligible  names a server it was offered before and is not offered now (one in maintenance)
//   unknown       names server 9999, no server at all
//   error         ends the call with INTERNAL "policy bug"
//   slow          answers after 3 s (past the scenario's policyTimeout)
//   exit          exits the process, as a policy killed mid-run
// It prints `MODE listening on HOST:PORT` for each.
import { Server, ServerCredentials, status, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import { RoutingPolicyServiceService, type ChooseRequest, type ChooseResponse } from '../../gen/clustersim/v1/policy.js';

const argument = (name: string, fallback: string) => {
  const index = process.argv.indexOf(name);
  return index < 0 ? fallback : process.argv[index + 1]!;
};
const modes = argument('--modes', 'not-eligible').split(',');
const good = Number(argument('--good', '10'));

function serve(mode: string): Promise<string> {
  let questions = 0;
  const seen = new Set<number>();
  const server = new Server();
  server.addService(RoutingPolicyServiceService, {
    choose: (call: ServerUnaryCall<ChooseRequest, ChooseResponse>, callback: sendUnaryData<ChooseResponse>) => {
      const eligible = call.request.eligible.map((server) => server.server);
      for (const server of eligible) seen.add(server);
      const outside = [...seen].find((server) => !eligible.includes(server));
      if (++questions <= good || eligible.length === 0 || (mode === 'not-eligible' && outside === undefined)) {
        return callback(null, eligible.length === 0 ? { decision: { $case: 'reject', value: 'none' } } : { decision: { $case: 'server', value: eligible[0]! } });
      }
      if (mode === 'not-eligible') return callback(null, { decision: { $case: 'server', value: outside! } });
      if (mode === 'unknown') return callback(null, { decision: { $case: 'server', value: 9999 } });
      if (mode === 'error') return callback({ code: status.INTERNAL, details: 'policy bug' }, null);
      if (mode === 'slow') return void setTimeout(() => callback(null, { decision: { $case: 'server', value: eligible[0]! } }), 3000);
      process.exit(1);
    },
  });
  return new Promise((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, port) => (error === null ? resolve(`127.0.0.1:${port}`) : reject(error))),
  );
}

for (const mode of modes) process.stdout.write(`${mode} listening on ${await serve(mode)}\n`);
// Gone with the test that started it.
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
