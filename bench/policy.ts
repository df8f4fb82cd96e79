// Routing policies against the built-in router, in the same run: the same HTTP load (a new
// session every 2.5 ms, two requests each, so that half the requests ask the policy) through the
// built-in balancing, a policy module in-process, and the example gRPC RoutingPolicyService.
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadPolicyModule } from '../sim/run/policy-module.js';
import { runScenario } from '../sim/run/run.js';
import { parseScenario } from '../sim/scenario/load.js';
import { median } from './distributed.js';

const policyScenario = (policy: string | undefined, duration: string) => `name: bench-policy
seed: 1
duration: ${duration}
cluster:
  nodes: { count: 4, servers: 2 }
  server: { threads: 20, queue: 1000 }
network:
  latency: { constant: 300us }
workload:
  http: { rate: 400/s, requests: 2, thinkTime: { exponential: 200ms }, service: { exponential: 10ms } }
${policy === undefined ? '' : `routing: { policy: ${JSON.stringify(policy)} }\n`}`;

export interface PolicyFigures {
  builtInEventsPerSecond: number;
  moduleEventsPerSecond: number;
  /** Median of the module's rate over the built-in's, run by run: a pair shares the machine's load of its moment. */
  moduleRatio: number;
  grpcEventsPerSecond: number;
  /** Calls of the policy a second, through gRPC. */
  grpcCallsPerSecond: number;
  events: number;
}

/** Median events a second of each kind of routing; the built-in and the module alternate, so that noise hits both alike. */
export async function measurePolicies(options: { repeats: number; duration: string; grpcDuration: string }): Promise<PolicyFigures> {
  const builtIn = parseScenario(policyScenario(undefined, options.duration), 'bench/policy-built-in');
  const module = parseScenario(policyScenario(resolve('bench/policies/least-loaded.ts'), options.duration), 'bench/policy-module');
  await loadPolicyModule(module);
  const rate = (loaded: typeof builtIn) => {
    const startedAt = performance.now();
    const events = runScenario(loaded).eventsProcessed;
    return { events, perSecond: events / ((performance.now() - startedAt) / 1000) };
  };
  rate(builtIn); // warm-up
  rate(module);
  const builtInRates: number[] = [];
  const moduleRates: number[] = [];
  const ratios: number[] = [];
  let events = 0;
  for (let index = 0; index < options.repeats; index++) {
    builtInRates.push(rate(builtIn).perSecond);
    const measured = rate(module);
    moduleRates.push(measured.perSecond);
    ratios.push(measured.perSecond / builtInRates.at(-1)!);
    events = measured.events;
  }
  const grpc = await measureGrpc(options.grpcDuration, 3);
  return {
    builtInEventsPerSecond: median(builtInRates),
    moduleEventsPerSecond: median(moduleRates),
    moduleRatio: median(ratios),
    ...grpc,
    events,
  };
}

async function measureGrpc(duration: string, repeats: number): Promise<{ grpcEventsPerSecond: number; grpcCallsPerSecond: number }> {
  const server = spawn(process.execPath, ['--import', 'tsx', 'examples/routing-policy-server.ts', '--listen', '127.0.0.1:0'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  try {
    const address = await new Promise<string>((resolveAddress, reject) => {
      let output = '';
      server.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const match = /listening on (\S+)/.exec(output);
        if (match !== null) resolveAddress(match[1]!);
      });
      server.on('exit', (code) => reject(new Error(`the example policy server exited with ${code}`)));
    });
    const loaded = parseScenario(policyScenario(`grpc://${address}`, duration), 'bench/policy-grpc');
    const eventRates: number[] = [];
    const callRates: number[] = [];
    for (let index = 0; index <= repeats; index++) {
      const startedAt = performance.now();
      const result = runScenario(loaded);
      const seconds = (performance.now() - startedAt) / 1000;
      if (index === 0) continue; // warm-up: the worker thread and the connection start
      eventRates.push(result.eventsProcessed / seconds);
      callRates.push(result.figures.protocols.get(1)!.sessionsStarted / seconds);
    }
    return { grpcEventsPerSecond: median(eventRates), grpcCallsPerSecond: median(callRates) };
  } finally {
    server.kill('SIGTERM');
  }
}
