/**
 * `npm run bench`: the performance figures of clustersim, each measured in this same run next
 * to its baseline, as medians of several runs (the machine is shared and noisy). Prints a
 * table and writes bench.json. `--startup-only` measures the start-up of the command alone,
 * `--policy-only` the routing policies alone.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { build } from 'esbuild';
import { writeFileAtomically } from '../reports/write.js';
import { explore, planExploration } from '../sim/explore/explore.js';
import { runScenario } from '../sim/run/run.js';
import { loadScenarioFile } from '../sim/scenario/load.js';
import { bareMmc } from './bare-mmc.js';
import { baselineTree, buildBaselineRevision, compiledBuild } from './compiled.js';
import { median } from './distributed.js';
import { distributedFigures } from './distributed-figures.js';
import type { Figure } from './figure.js';
import { kernelMmc } from './kernel-mmc.js';
import { measurePolicies } from './policy.js';
import { heapPerOpenSession, heapPerPendingEvent } from './memory.js';
import { baselineRevision, measureStartup } from './startup.js';


const quick = process.argv.includes('--quick');
/** `npm run bench -- --startup-only`: the start-up figures alone, merged into bench.json. */
const startupOnly = process.argv.includes('--startup-only');
/** `npm run bench -- --policy-only`: the routing policy figures alone, merged into bench.json. */
const policyOnly = process.argv.includes('--policy-only');
/** `npm run bench -- --cost-only`: the cost of a request alone (M/M/c, the shipped scenarios, memory, scale), merged into bench.json. */
const costOnly = process.argv.includes('--cost-only');
const scaleIndex = process.argv.indexOf('--scale');
/** Virtual duration of the scale run (`--scale 60m` for the full hour of the target). */
const scaleDuration = scaleIndex >= 0 ? process.argv[scaleIndex + 1]! : quick ? '1m' : '5m';
const repeats = quick ? 3 : 5;
const figures: Figure[] = [];
const count = (value: number) => Math.round(value).toLocaleString('en-US');

/** Median rate (per second of wall time) of `work`, which returns the number of items it handled. */
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

/** Processor time this process has used, in seconds (every thread: the collector's helpers too). */
function cpuSeconds(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
}

/**
 * Median rates (per second of processor time) of several kinds of work measured in turn, each
 * round in a rotated order. Processor time rather than wall time: on a shared host, wall time
 * counts the time spent waiting for a core, which swung the same run by 1.5 times here.
 */
function medianRates(works: readonly (() => number)[]): number[] {
  for (const work of works) work(); // warm-up: let the JIT settle
  const rates = works.map((): number[] => []);
  for (let index = 0; index < repeats; index++) {
    for (let turn = 0; turn < works.length; turn++) {
      const which = (index + turn) % works.length;
      const startedAt = cpuSeconds();
      const items = works[which]!();
      rates[which]!.push(items / (cpuSeconds() - startedAt));
    }
  }
  return rates.map(median);
}

if (!startupOnly && !policyOnly) {
  // Scenarios run as the command runs them: the compiled build (see compiled.ts), and the revision
  // before requests got cheaper, built apart, as the baseline of the showcase's gain.
  const current = await compiledBuild();
  const baseline = await compiledBuild(baselineTree());

  // 1. Kernel against the bare loop, on M/M/c with c = 50 at load 0.9.
  const customers = quick ? 300_000 : 1_000_000;
  const mmc = { servers: 50, load: 0.9, customers, seed: 1 };
  const mmcText = `name: mmc
seed: 1
duration: ${Math.round(customers / 45)}s
cluster:
  nodes: { count: 1, servers: 1 }
  server: { threads: 50, queue: 10000000 }
network:
  latency: { constant: 0us }
workload:
  http: { rate: 45/s, requests: 1, service: { exponential: 1s } }
`;
  const mmcScenario = current.parseScenario(mmcText, 'bench/mmc');
  let scenarioEvents = 0;
  // Customers per second: the bare loop's customers each take 2 events, the scenario's about 6.
  // The floor's model must make the request's six events per customer and answer every one.
  const floorCheck = kernelMmc({ ...mmc, customers: 10_000, throughRelay: true });
  if (floorCheck.answered !== 10_000 || floorCheck.events !== 60_000) throw new Error(`the floor model made ${floorCheck.events} events for ${floorCheck.answered} answers of 10,000 customers`);
  const [bareCustomers, kernelCustomers, floorCustomers, scenarioCustomers] = medianRates([
    () => bareMmc(mmc).events / 2,
    () => kernelMmc(mmc).events / 3,
    () => kernelMmc({ ...mmc, throughRelay: true }).answered,
    () => {
      const result = current.runScenario(mmcScenario);
      scenarioEvents = result.eventsProcessed;
      return result.figures.protocols.get(1)!.sessionsStarted;
    },
  ]) as [number, number, number, number];
  const scenarioRatio = scenarioCustomers / bareCustomers;
  figures.push(
    { name: 'bare M/M/c loop (baseline, the limit)', value: bareCustomers * 2, unit: 'events/s', note: `2 events per customer; ${count(bareCustomers)} customers/s` },
    {
      name: 'kernel + actors M/M/c',
      value: kernelCustomers * 3,
      unit: 'events/s',
      ratio: (kernelCustomers * 3) / (bareCustomers * 2),
      target: '>= 0.5 of baseline (events/s)',
      pass: (kernelCustomers * 3) / (bareCustomers * 2) >= 0.5,
      note: '3 events per customer',
    },
    {
      name: 'floor: kernel + the request hops, no logic',
      value: floorCustomers,
      unit: 'customers/s',
      ratio: floorCustomers / bareCustomers,
      note: 'source -> relay -> station -> relay -> source, 6 events per customer as through the scenario machinery: what any design with those hops costs before its logic and records',
    },
    {
      name: 'kernel + scenario machinery M/M/c (router, server, clients)',
      value: scenarioCustomers,
      unit: 'customers/s',
      ratio: scenarioRatio,
      target: '>= 0.3 of baseline (customers/s)',
      pass: scenarioRatio >= 0.3,
      note: `compiled build; ${(scenarioEvents / customers).toFixed(2)} events per customer, ${count(scenarioCustomers * (scenarioEvents / customers))} events/s`,
    },
  );

  // 2. The quickstart scenario and the mixed showcase, against the baseline revision in the same run.
  for (const file of ['scenarios/quickstart.yaml', 'scenarios/showcase.yaml']) {
    const loaded = current.loadScenarioFile(file);
    const loadedBefore = baseline.loadScenarioFile(file);
    let sessions = 0;
    let events = 0;
    const sessionsOf = (result: ReturnType<typeof runScenario>) => [...result.figures.protocols.values()].reduce((total, protocol) => total + protocol.sessionsStarted, 0);
    const [sessionsPerSecond, sessionsPerSecondBefore] = medianRates([
      () => {
        const result = current.runScenario(loaded);
        events = result.eventsProcessed;
        sessions = sessionsOf(result);
        return sessions;
      },
      () => sessionsOf(baseline.runScenario(loadedBefore)),
    ]) as [number, number];
    const showcase = file.includes('showcase');
    const gain = sessionsPerSecond / sessionsPerSecondBefore;
    const eventsPerSecond = (sessionsPerSecond / sessions) * events;
    figures.push({ name: `${file}`, value: eventsPerSecond, unit: 'events/s', ...(showcase ? { target: '>= 2,000,000', pass: eventsPerSecond >= 2_000_000 } : {}) });
    figures.push({
      name: `${file} sessions`,
      value: sessionsPerSecond,
      unit: 'sessions/s',
      ratio: gain,
      ...(showcase ? { target: `>= 2x ${buildBaselineRevision}`, pass: gain >= 2 } : {}),
      note: `${buildBaselineRevision} ${count(sessionsPerSecondBefore)} sessions/s; per processor second`,
    });
  }

  // 2b. Exploring schedules: schedules a minute on one thread, against plain runs of the same
  // scenario with its own timeline (the explorer adds drawing, the scenario text, judging).
  if (!costOnly) {
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
  figures.push({ name: 'heap per open session', value: perSession.bytes, unit: 'bytes', target: '< 300', pass: perSession.bytes < 300, note: `${perSession.sessions} open sessions` });
  const perEvent = heapPerPendingEvent();
  figures.push({ name: 'heap per pending event', value: perEvent.bytes, unit: 'bytes', target: '< 300', pass: perEvent.bytes < 300, note: `${perEvent.events} pending events` });

  // 4. Scale: 10,000 servers, 1,000 nodes, 100 ODRs, in a process of its own (peak memory), against
  // two baselines: the same load on 100 servers behind 10 ODRs (what the larger working set costs),
  // and the same load through a hand-written loop with nothing but the hops and the state every
  // request must touch (the limit: what the architecture costs).
  // All three compiled alike into one bundle, like the command's own build.
  const scratch = mkdtempSync(join(tmpdir(), 'clustersim-bench-'));
  const scaleBundle = join(scratch, 'scale.mjs');
  await build({
    entryPoints: ['bench/scale.ts'],
    outfile: scaleBundle,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    logLevel: 'warning',
    banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
  });
  function scaleRun(subject: string): Record<string, number> | string {
    const run = spawnSync(process.execPath, [scaleBundle, scaleDuration, subject], { encoding: 'utf8', maxBuffer: 1 << 20 });
    return run.status === 0 ? (JSON.parse(run.stdout.trim().split('\n').at(-1)!) as Record<string, number>) : `exit code ${run.status ?? -1}: ${run.stderr.slice(-300)}`;
  }
  const scale = scaleRun('bench/scenarios/scale.yaml');
  const smallCluster = scaleRun('bench/scenarios/scale-small-cluster.yaml');
  const limit = scaleRun('limit');
  rmSync(scratch, { recursive: true, force: true });
  if (typeof scale === 'object' && typeof smallCluster === 'object' && typeof limit === 'object') {
    const note = `${scale.servers} servers, ${scale.routers} ODRs, ${scale.virtualSeconds} s virtual, ${scale.openSessionsAtEnd!.toLocaleString('en-US')} sessions open at the end`;
    figures.push(
      {
        name: `scale ${scaleDuration}: events/s`,
        value: scale.eventsPerSecond!,
        unit: 'events/s',
        ratio: scale.eventsPerCpuSecond! / smallCluster.eventsPerCpuSecond!,
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
        ratio: limit.cpuSeconds! / scale.cpuSeconds!,
        target: `>= 0.5 of the limit's speed${scaleDuration === '60m' ? '; 60m virtual in < 300 s' : ''}`,
        pass: limit.cpuSeconds! / scale.cpuSeconds! >= 0.5 && (scaleDuration !== '60m' || scale.wallSeconds! < 300),
        note: `the limit ${limit.wallSeconds!.toFixed(1)} s; ratio: the limit's processor time over clustersim's (${limit.cpuSeconds!.toFixed(1)} s against ${scale.cpuSeconds!.toFixed(1)} s)`,
      },
      { name: `scale ${scaleDuration}: peak memory`, value: scale.peakRssBytes! / 2 ** 20, unit: 'MiB', target: '< 8192', pass: scale.peakRssBytes! / 2 ** 20 < 8192 },
    );
  } else {
    figures.push({ name: 'scale run failed', value: -1, unit: '', note: [scale, smallCluster, limit].filter((run) => typeof run === 'string').join('; ') });
  }

  // 5. The distributed run: 2 node hosts over gRPC on loopback, against in-process; the exchange against a raw batched stream.
  if (!costOnly) figures.push(...(await distributedFigures()));
}


// 5b. Routing policies: a module in-process against the built-in router, and a gRPC service beside them.
if (!startupOnly && !costOnly) {
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
const startupFigures = costOnly || policyOnly ? [] : startupOrFailure();
figures.push(...startupFigures);

/** The start-up figures, or one saying why they could not be measured (the other figures still print). */
function startupOrFailure(): Figure[] {
  try {
    return measureStartupFigures();
  } catch (error) {
    return [{ name: 'start-up failed', value: -1, unit: '', note: String(error).slice(0, 400) }];
  }
}

function measureStartupFigures(): Figure[] {
  const startup = measureStartup({ runs: quick ? 5 : 9, checkRuns: quick ? 1 : 3 });
  const before = startup.baseline;
  const times = (ms: number) => `${(ms / startup.nodeMs).toFixed(1)}x node -e 0`;
  const startupFigures: Figure[] = [
    { name: 'start-up: node -e 0 (baseline)', value: startup.nodeMs, unit: 'ms', note: `medians of ${startup.runs} runs` },
    {
      name: 'start-up: clustersim --version',
      value: startup.versionMs,
      unit: 'ms',
      ratio: startup.versionMs / startup.nodeMs,
      target: '<= 3x node -e 0',
      pass: startup.versionMs <= 3 * startup.nodeMs,
      note: `through tsx (${baselineRevision}) ${Math.round(before.versionMs)} ms, ${times(before.versionMs)}`,
    },
    {
      name: 'start-up: run of a 1-second scenario',
      value: startup.runMs,
      unit: 'ms',
      ratio: startup.runMs / startup.nodeMs,
      target: '<= 6x node -e 0',
      pass: startup.runMs <= 6 * startup.nodeMs,
      note: `through tsx (${baselineRevision}) ${Math.round(before.runMs)} ms, ${times(before.runMs)}`,
    },
    {
      name: 'clustersim check scenarios/',
      value: startup.checkMs / 1000,
      unit: 's',
      ratio: before.checkMs / startup.checkMs,
      target: '>= 1.5x as fast as through tsx',
      pass: before.checkMs / startup.checkMs >= 1.5,
      note: `through tsx (${baselineRevision}) ${(before.checkMs / 1000).toFixed(1)} s; medians of ${startup.checkRuns} runs; ratio: that time over this one`,
    },
  ];
  return startupFigures;
}

const width = Math.max(...figures.map((figure) => figure.name.length));
console.log(`clustersim benchmark (medians of ${repeats} runs${quick ? ', quick' : ''}; node ${process.version})`);
for (const figure of figures) {
  const value = figure.value >= 1000 ? Math.round(figure.value).toLocaleString('en-US') : figure.value.toFixed(1);
  const ratio = figure.ratio === undefined ? '' : `  ratio ${figure.ratio.toFixed(2)}`;
  const verdict = figure.pass === undefined ? '' : figure.pass ? ' PASS' : ' FAIL';
  const target = figure.target === undefined ? '' : `  target ${figure.target}${verdict}`;
  const note = figure.note === undefined ? '' : `  (${figure.note})`;
  console.log(`${figure.name.padEnd(width)}  ${value.padStart(12)} ${figure.unit}${ratio}${target}${note}`);
}
const judged = figures.filter((figure) => figure.pass !== undefined);
console.log(`targets met: ${judged.filter((figure) => figure.pass).length} of ${judged.length}`);
// A partial run's (start-up, cost or policy figures alone) figures replace theirs in bench.json and leave the others.
const saved = (startupOnly || policyOnly || costOnly) && existsSync('bench.json') ? (JSON.parse(readFileSync('bench.json', 'utf8')) as { figures: Figure[] }).figures : [];
const kept = saved.filter((figure) => !figures.some((fresh) => fresh.name === figure.name));
writeFileAtomically('bench.json', `${JSON.stringify({ node: process.version, repeats, figures: [...kept, ...figures] }, null, 2)}\n`);
