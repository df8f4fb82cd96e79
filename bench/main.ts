/**
 * `npm run bench`: the performance figures of clustersim, each measured in this same run next
 * to its baseline, as medians of several runs (the machine is shared and noisy). Prints a
 * table and writes bench.json. `--startup-only` measures the start-up of the command alone,
 * `--policy-only` the routing policies alone.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { writeFileAtomically } from '../reports/write.js';
import { explore, planExploration } from '../sim/explore/explore.js';
import { runScenario } from '../sim/run/run.js';
import { loadScenarioFile, parseScenario } from '../sim/scenario/load.js';
import { bareMmc } from './bare-mmc.js';
import { measureDistributed, median, wideScenario } from './distributed.js';
import { kernelMmc } from './kernel-mmc.js';
import { measurePolicies } from './policy.js';
import { heapPerOpenSession, heapPerPendingEvent } from './memory.js';
import { baselineRevision, measureStartup } from './startup.js';

interface Figure {
  name: string;
  value: number;
  unit: string;
  /** Ratio against the baseline measured in the same run, when there is one. */
  ratio?: number;
  target?: string;
  note?: string;
}

const quick = process.argv.includes('--quick');
/** `npm run bench -- --startup-only`: the start-up figures alone, merged into bench.json. */
const startupOnly = process.argv.includes('--startup-only');
/** `npm run bench -- --policy-only`: the routing policy figures alone, merged into bench.json. */
const policyOnly = process.argv.includes('--policy-only');
const scaleIndex = process.argv.indexOf('--scale');
/** Virtual duration of the scale run (`--scale 60m` for the full hour of the target). */
const scaleDuration = scaleIndex >= 0 ? process.argv[scaleIndex + 1]! : quick ? '1m' : '5m';
const repeats = quick ? 3 : 5;
const figures: Figure[] = [];

/** Median rate (per second) of `work`, which returns the number of items it handled. */
function medianRate(work: () => number): number {
  work(); // warm-up: let the JIT settle
  const rates: number[] = [];
  for (let index = 0; index < repeats; index++) {
    const startedAt = performance.now();
    const items = work();
    rates.push(items / ((performance.now() - startedAt) / 1000));
  }
  return median(rates);
}

if (!startupOnly && !policyOnly) {
  // 1. Kernel against the bare loop, on M/M/c with c = 50 at load 0.9.
  const customers = quick ? 300_000 : 1_000_000;
  const mmc = { servers: 50, load: 0.9, customers, seed: 1 };
  const bareEvents = medianRate(() => bareMmc(mmc).events);
  const kernelEvents = medianRate(() => kernelMmc(mmc).events);
  const mmcScenario = parseScenario(
    `name: mmc
  seed: 1
  duration: ${Math.round(customers / 45)}s
  cluster:
    nodes: { count: 1, servers: 1 }
    server: { threads: 50, queue: 10000000 }
  network:
    latency: { constant: 0us }
  workload:
    http: { rate: 45/s, requests: 1, service: { exponential: 1s } }
  `,
    'bench/mmc',
  );
  let scenarioCustomers = 0;
  const scenarioEvents = medianRate(() => {
    const result = runScenario(mmcScenario);
    scenarioCustomers = result.figures.protocols.get(1)!.sessionsStarted;
    return result.eventsProcessed;
  });
  figures.push(
    { name: 'bare M/M/c loop (baseline, the limit)', value: bareEvents, unit: 'events/s', note: '2 events per customer' },
    {
      name: 'kernel + actors M/M/c',
      value: kernelEvents,
      unit: 'events/s',
      ratio: kernelEvents / bareEvents,
      target: '>= 0.5 of baseline',
      note: '3 events per customer',
    },
    {
      name: 'kernel + scenario machinery M/M/c (router, server, clients)',
      value: scenarioEvents,
      unit: 'events/s',
      ratio: scenarioEvents / bareEvents,
      note: `6 events per customer; customers/s ratio ${((scenarioEvents / 6 / (bareEvents / 2)) * 1).toFixed(2)} (${scenarioCustomers} customers)`,
    },
  );

  // 2. The quickstart scenario (and the mixed showcase when shipped).
  for (const file of ['scenarios/quickstart.yaml', 'scenarios/showcase.yaml']) {
    let loaded;
    try {
      loaded = loadScenarioFile(file);
    } catch {
      continue;
    }
    let sessions = 0;
    let events = 0;
    const eventsPerSecond = medianRate(() => {
      const result = runScenario(loaded);
      events = result.eventsProcessed;
      sessions = [...result.figures.protocols.values()].reduce((total, protocol) => total + protocol.sessionsStarted, 0);
      return events;
    });
    figures.push({ name: `${file}`, value: eventsPerSecond, unit: 'events/s', target: file.includes('showcase') ? '>= 2,000,000' : undefined });
    figures.push({ name: `${file} sessions`, value: (eventsPerSecond / events) * sessions, unit: 'sessions/s' });
  }

  // 2b. Exploring schedules: schedules a minute on one thread, against plain runs of the same
  // scenario with its own timeline (the explorer adds drawing, the scenario text, judging).
  {
    const file = 'scenarios/maintenance-restart.yaml';
    const schedules = quick ? 10 : 30;
    const plan = planExploration(file);
    const plainPerMinute = medianRate(() => {
      runScenario(loadScenarioFile(file));
      return 1;
    }) * 60;
    const explored = await explore(plan, { seed: 1, runs: schedules, jobs: 1 });
    const explorePerMinute = (explored.runs.length * 60_000) / explored.runsWallMs;
    const shrunk = explored.groups.flatMap((group) => (group.shrunk === undefined ? [] : [group.shrunk]));
    figures.push({
      name: `explore ${file}`,
      value: explorePerMinute,
      unit: 'schedules/min',
      ratio: explorePerMinute / plainPerMinute,
      note: `one thread; plain runs ${Math.round(plainPerMinute)}/min; ${explored.groups.length} groups shrunk in ${shrunk.reduce((total, group) => total + group.tries, 0)} runs, ${(explored.shrinkWallMs / 1000).toFixed(1)} s`,
    });
  }

  // 3. Memory per open session and per pending event.
  const perSession = heapPerOpenSession();
  figures.push({ name: 'heap per open session', value: perSession.bytes, unit: 'bytes', target: '< 300', note: `${perSession.sessions} open sessions` });
  const perEvent = heapPerPendingEvent();
  figures.push({ name: 'heap per pending event', value: perEvent.bytes, unit: 'bytes', target: '< 300', note: `${perEvent.events} pending events` });

  // 4. Scale: 10,000 servers, 1,000 nodes, 100 ODRs, in a process of its own (peak memory), against
  // two baselines: the same load on 100 servers behind 10 ODRs (what the larger working set costs),
  // and the same load through a hand-written loop with nothing but the hops and the state every
  // request must touch (the limit: what the architecture costs).
  function scaleRun(subject: string): Record<string, number> | string {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'bench/scale.ts', scaleDuration, subject], { encoding: 'utf8', maxBuffer: 1 << 20 });
    return run.status === 0 ? (JSON.parse(run.stdout.trim().split('\n').at(-1)!) as Record<string, number>) : `exit code ${run.status ?? -1}: ${run.stderr.slice(-300)}`;
  }
  const scale = scaleRun('bench/scenarios/scale.yaml');
  const smallCluster = scaleRun('bench/scenarios/scale-small-cluster.yaml');
  const limit = scaleRun('limit');
  if (typeof scale === 'object' && typeof smallCluster === 'object' && typeof limit === 'object') {
    const note = `${scale.servers} servers, ${scale.routers} ODRs, ${scale.virtualSeconds} s virtual, ${scale.openSessionsAtEnd!.toLocaleString('en-US')} sessions open at the end`;
    const count = (value: number) => Math.round(value).toLocaleString('en-US');
    figures.push(
      {
        name: `scale ${scaleDuration}: events/s`,
        value: scale.eventsPerSecond!,
        unit: 'events/s',
        ratio: scale.eventsPerSecond! / smallCluster.eventsPerSecond!,
        note: `${note}; the same load on ${smallCluster.servers} servers and ${smallCluster.routers} ODRs ${count(smallCluster.eventsPerSecond!)} events/s`,
      },
      {
        name: `scale ${scaleDuration}: limit (hand-written loop)`,
        value: limit.eventsPerSecond!,
        unit: 'events/s',
        note: `${count(limit.requests!)} requests in ${limit.wallSeconds!.toFixed(1)} s (clustersim ${count(scale.requests!)}); no records, checkers or load reports`,
      },
      {
        name: `scale ${scaleDuration}: wall time`,
        value: scale.wallSeconds!,
        unit: 's',
        ratio: limit.wallSeconds! / scale.wallSeconds!,
        target: '60m virtual in < 300 s',
        note: `the limit ${limit.wallSeconds!.toFixed(1)} s; ratio: limit's time over clustersim's`,
      },
      { name: `scale ${scaleDuration}: peak memory`, value: scale.peakRssBytes! / 2 ** 20, unit: 'MiB', target: '< 8192' },
    );
  } else {
    figures.push({ name: 'scale run failed', value: -1, unit: '', note: [scale, smallCluster, limit].filter((run) => typeof run === 'string').join('; ') });
  }

  // 5. The distributed run: 2 node hosts over gRPC on loopback, against in-process; the exchange against a raw batched stream.
  const distributed = await measureDistributed({ hosts: 2 });
  const wide = await measureDistributed({ hosts: 2, scenarioText: wideScenario });
  figures.push(
    {
      name: 'distributed run, 2 hosts',
      value: distributed.distributedEventsPerSecond,
      unit: 'events/s',
      ratio: distributed.eventRateRatio,
      target: '>= 0.2 of in-process',
      note: `in-process ${Math.round(distributed.inProcessEventsPerSecond).toLocaleString('en-US')} events/s; ${Math.round(distributed.eventsPerWindow)} events per window`,
    },
    {
      name: 'cross-host exchange at capacity',
      value: distributed.exchangeItemsPerSecond,
      unit: 'items/s',
      ratio: distributed.exchangeRatio,
      target: '>= 0.5 of raw stream',
      note: `raw batched grpc-js stream of the same deliveries ${Math.round(distributed.rawStreamItemsPerSecond).toLocaleString('en-US')} items/s; transport ceiling (bytes never parsed) ${Math.round(distributed.bytesStreamItemsPerSecond).toLocaleString('en-US')} items/s`,
    },
    {
      name: 'cross-host exchange in the run',
      value: distributed.runItemsPerSecond,
      unit: 'items/s',
      ratio: distributed.runExchangeRatio,
      note: `${distributed.crossHostItems.toLocaleString('en-US')} deliveries crossed; bound by the simulation that makes them`,
    },
    {
      name: 'distributed run, 2 hosts, 10 ms lookahead',
      value: wide.distributedEventsPerSecond,
      unit: 'events/s',
      ratio: wide.eventRateRatio,
      note: `in-process ${Math.round(wide.inProcessEventsPerSecond).toLocaleString('en-US')} events/s; ${Math.round(wide.eventsPerWindow)} events per window; in-run exchange ${wide.runExchangeRatio.toFixed(3)} of raw`,
    },
  );
}

// 5b. Routing policies: a module in-process against the built-in router, and a gRPC service beside them.
if (!startupOnly) {
  // More pairs than the other figures: one run takes a fraction of a second, and the machine's load moves faster.
  const policies = await measurePolicies({ repeats: quick ? 5 : 11, duration: '60s', grpcDuration: '5s' });
  const count = (value: number) => Math.round(value).toLocaleString('en-US');
  figures.push(
    { name: 'routing: built-in router (baseline)', value: policies.builtInEventsPerSecond, unit: 'events/s', note: `${count(policies.events)} events; 400 new HTTP sessions/s` },
    {
      name: 'routing: policy module in-process',
      value: policies.moduleEventsPerSecond,
      unit: 'events/s',
      ratio: policies.moduleRatio,
      target: '>= 0.8 of built-in',
      note: 'ratio: median over alternating pairs of runs',
    },
    {
      name: 'routing: gRPC RoutingPolicyService',
      value: policies.grpcEventsPerSecond,
      unit: 'events/s',
      ratio: policies.grpcEventsPerSecond / policies.builtInEventsPerSecond,
      note: `example server on loopback, ${count(policies.grpcCallsPerSecond)} new sessions (policy calls) a second`,
    },
  );
}

// 6. Start-up of the command as shipped (compiled), against `node -e 0` and against the revision
// that ran the sources through tsx, measured in this same run.
const startup = policyOnly ? undefined : measureStartup({ runs: quick ? 5 : 9, checkRuns: quick ? 1 : 3 });
const startupFigures: Figure[] = startup === undefined ? [] : startupFiguresOf(startup);
function startupFiguresOf(startup: ReturnType<typeof measureStartup>): Figure[] {
  const before = startup.baseline;
  const times = (ms: number) => `${(ms / startup.nodeMs).toFixed(1)}x node -e 0`;
  return [
    { name: 'start-up: node -e 0 (baseline)', value: startup.nodeMs, unit: 'ms', note: `medians of ${startup.runs} runs` },
    {
      name: 'start-up: clustersim --version',
      value: startup.versionMs,
      unit: 'ms',
      ratio: startup.versionMs / startup.nodeMs,
      target: '<= 3x node -e 0',
      note: `through tsx (${baselineRevision}) ${Math.round(before.versionMs)} ms, ${times(before.versionMs)}`,
    },
    {
      name: 'start-up: run of a 1-second scenario',
      value: startup.runMs,
      unit: 'ms',
      ratio: startup.runMs / startup.nodeMs,
      target: '<= 6x node -e 0',
      note: `through tsx (${baselineRevision}) ${Math.round(before.runMs)} ms, ${times(before.runMs)}`,
    },
    {
      name: 'clustersim check scenarios/',
      value: startup.checkMs / 1000,
      unit: 's',
      ratio: before.checkMs / startup.checkMs,
      target: '>= 1.5x as fast as through tsx',
      note: `through tsx (${baselineRevision}) ${(before.checkMs / 1000).toFixed(1)} s; medians of ${startup.checkRuns} runs; ratio: that time over this one`,
    },
  ];
}
figures.push(...startupFigures);

const width = Math.max(...figures.map((figure) => figure.name.length));
console.log(`clustersim benchmark (medians of ${repeats} runs${quick ? ', quick' : ''}; node ${process.version})`);
for (const figure of figures) {
  const value = figure.value >= 1000 ? Math.round(figure.value).toLocaleString('en-US') : figure.value.toFixed(1);
  const ratio = figure.ratio === undefined ? '' : `  ratio ${figure.ratio.toFixed(2)}`;
  const target = figure.target === undefined ? '' : `  target ${figure.target}`;
  const note = figure.note === undefined ? '' : `  (${figure.note})`;
  console.log(`${figure.name.padEnd(width)}  ${value.padStart(12)} ${figure.unit}${ratio}${target}${note}`);
}
// Alone, the start-up or the policy figures replace their kind in bench.json and leave the others.
const saved = (startupOnly || policyOnly) && existsSync('bench.json') ? (JSON.parse(readFileSync('bench.json', 'utf8')) as { figures: Figure[] }).figures : [];
const kept = saved.filter((figure) => !figures.some((fresh) => fresh.name === figure.name));
writeFileAtomically('bench.json', `${JSON.stringify({ node: process.version, repeats, figures: [...kept, ...figures] }, null, 2)}\n`);
