/**
 * The scale run on its own process, so that its peak memory is its own: 10,000 application
 * servers on 1,000 nodes behind 100 ODRs (bench/scenarios/scale.yaml), for the virtual duration
 * given as the first argument; a second argument names another scenario (the same load on a
 * small cluster, the baseline). Prints one JSON line of figures.
 */
import { performance } from 'node:perf_hooks';
import { runScenario } from '../sim/run/run.js';
import { parseDuration } from '../sim/scenario/units.js';
import { loadScenarioFile } from '../sim/scenario/load.js';

const loaded = loadScenarioFile(process.argv[3] ?? 'bench/scenarios/scale.yaml');
const durationUs = parseDuration(process.argv[2] ?? '60m');
if (typeof durationUs === 'string') throw new Error(durationUs);
loaded.scenario.duration = durationUs;
const startedAt = performance.now();
const result = runScenario(loaded);
if (result.stopped !== undefined) throw new Error(`the scale run stopped early: ${result.stopped.reason}`);
const wallSeconds = (performance.now() - startedAt) / 1000;
const http = result.figures.protocols.get(1)!;
const openAtEnd = http.sessionsStarted - http.sessionsCompleted - [...http.sessionsDropped.values()].reduce((a, b) => a + b, 0) - [...http.sessionsRejected.values()].reduce((a, b) => a + b, 0);
console.log(
  JSON.stringify({
    virtualSeconds: durationUs / 1_000_000,
    wallSeconds,
    events: result.eventsProcessed,
    eventsPerSecond: result.eventsProcessed / wallSeconds,
    servers: result.topology.servers.length,
    routers: result.topology.routers.length,
    sessionsStarted: http.sessionsStarted,
    // Sessions only accumulate until the first ones end (about 10 minutes in): the peak is at the end.
    openSessionsAtEnd: openAtEnd,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
  }),
);
