/**
 * The scale run on its own process, so that its peak memory is its own: 10,000 application
 * servers on 1,000 nodes behind 100 ODRs (bench/scenarios/scale.yaml), for the virtual duration
 * given as the first argument. A second argument names another scenario (the same load on a
 * small cluster, a baseline), or is `limit`: the same load through the hand-written loop of
 * bench/bare-scale.ts. Prints one JSON line of figures. `npm run bench` runs it compiled into one
 * bundle, so that clustersim and the limit run as the same kind of JavaScript.
 */
import { performance } from 'node:perf_hooks';
import { runScenario } from '../sim/run/run.js';
import { parseDuration } from '../sim/scenario/units.js';
import { loadScenarioFile } from '../sim/scenario/load.js';
import { bareScale } from './bare-scale.js';

const durationUs = parseDuration(process.argv[2] ?? '60m');
if (typeof durationUs === 'string') throw new Error(durationUs);
const subject = process.argv[3] ?? 'bench/scenarios/scale.yaml';

function runSubject(): { events: number; requests: number; servers: number; routers: number; sessionsStarted: number; openSessionsAtEnd: number } {
  if (subject === 'limit') {
    const limit = bareScale({ virtualUs: durationUs as number, servers: 10_000, routers: 100, seed: 1 });
    return { events: limit.events, requests: limit.requests, servers: 10_000, routers: 100, sessionsStarted: limit.sessionsStarted, openSessionsAtEnd: limit.openAtEnd };
  }
  const loaded = loadScenarioFile(subject);
  loaded.scenario.duration = durationUs as number;
  const result = runScenario(loaded);
  if (result.stopped !== undefined) throw new Error(`the scale run stopped early: ${result.stopped.reason}`);
  const http = result.figures.protocols.get(1)!;
  const ended = [http.sessionsDropped, http.sessionsRejected].flatMap((byCause) => [...byCause.values()]).reduce((a, b) => a + b, http.sessionsCompleted);
  return {
    events: result.eventsProcessed,
    requests: http.requests,
    servers: result.topology.servers.length,
    routers: result.topology.routers.length,
    sessionsStarted: http.sessionsStarted,
    // Sessions only accumulate until the first ones end (about 10 minutes in): the peak is at the end.
    openSessionsAtEnd: http.sessionsStarted - ended,
  };
}

const startedAt = performance.now();
const cpuAtStart = process.cpuUsage();
const run = runSubject();
const wallSeconds = (performance.now() - startedAt) / 1000;
const cpuUsed = process.cpuUsage(cpuAtStart);
// Processor time (every thread of the process) holds on a shared host, where wall time also counts the wait for a core.
const cpuSeconds = (cpuUsed.user + cpuUsed.system) / 1e6;
console.log(
  JSON.stringify({
    virtualSeconds: durationUs / 1_000_000,
    wallSeconds,
    cpuSeconds,
    eventsPerSecond: run.events / wallSeconds,
    eventsPerCpuSecond: run.events / cpuSeconds,
    ...run,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
  }),
);
