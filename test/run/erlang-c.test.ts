import { describe, expect, it } from 'vitest';
import { runScenario } from '../../sim/run/run.js';
import { parseScenario } from '../../sim/scenario/load.js';
import { summarize } from '../../reports/summary.js';

/** Mean wait in queue of an M/M/c queue (Erlang C), in the unit of `serviceMean`. */
function erlangCWait(servers: number, arrivalRate: number, serviceMean: number): number {
  const offered = arrivalRate * serviceMean; // in Erlangs
  let term = 1;
  let sum = 1;
  for (let k = 1; k < servers; k++) {
    term *= offered / k;
    sum += term;
  }
  const last = (term * offered) / servers;
  const utilisation = offered / servers;
  const probabilityOfWaiting = last / (1 - utilisation) / (sum + last / (1 - utilisation));
  return (probabilityOfWaiting * serviceMean) / (servers * (1 - utilisation));
}

function simulatedWaitUs(threads: number, ratePerSecond: number, serviceMeanMs: number, duration: string): number {
  const loaded = parseScenario(`
name: mmc
seed: 11
duration: ${duration}
cluster:
  nodes: { count: 1, servers: 1 }
  server: { threads: ${threads}, queue: 1000000 }
network:
  latency: { constant: 0us }
workload:
  http:
    rate: ${ratePerSecond}/s
    requests: 1
    service: { exponential: ${serviceMeanMs}ms }
`);
  const summary = summarize(runScenario(loaded));
  return summary.servers['node1/app-1']!.meanQueueWaitUs;
}

describe('queueing sanity: one server is an M/M/c queue', () => {
  it.each([
    { threads: 2, rate: 140, serviceMs: 10, duration: '2h' }, // load 0.7
    { threads: 5, rate: 400, serviceMs: 10, duration: '90m' }, // load 0.8
  ])('mean queueing delay matches Erlang C within 5% (c=$threads, $rate/s, $serviceMs ms)', ({ threads, rate, serviceMs, duration }) => {
    const expectedUs = erlangCWait(threads, rate, serviceMs * 1000 / 1_000_000) * 1_000_000;
    const simulatedUs = simulatedWaitUs(threads, rate, serviceMs, duration);
    expect(Math.abs(simulatedUs - expectedUs) / expectedUs).toBeLessThan(0.05);
  });
});
