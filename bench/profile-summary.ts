/**
 * Sums up a CPU profile (`node --cpu-prof`): self time by part of clustersim (the kernel, each
 * kind of actor, the record consumers, the collector) and the functions that take the most.
 * `node --import tsx bench/profile-summary.ts PROFILE.cpuprofile [FUNCTIONS]`. The README's table of
 * where a request's time goes was made so, from a profile of the M/M/c scenario.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Parts of clustersim by the files their code is in; the first that matches a function's file wins. */
const parts: readonly (readonly [string, RegExp])[] = [
  ['kernel: queue, loop, sends, timers', /kernel\/(simulation|event-queue)|run\/run\./],
  ['random draws and distributions', /kernel\/(random|distributions)|alea/],
  ['clients', /workload\/|timing-wheel/],
  ['application server', /nodes\/server\//],
  ['router', /nodes\/router\//],
  ['checkers', /checkers\//],
  ['metrics', /metrics\/(collector|series|maintenance-windows|histogram|resilience)/],
  ['record dispatch', /record-bus|run\/limits/],
  ['session and request tables', /int-map|int-table/],
  ['garbage collector', /\(garbage collector\)/],
];

const [file, shown = '25'] = process.argv.slice(2);
if (file === undefined) throw new Error('usage: bench/profile-summary.ts PROFILE.cpuprofile [FUNCTIONS]');
const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
const byPart = new Map<string, number>(parts.map(([part]) => [part, 0]));
const byFunction = new Map<string, number>();
let total = 0;
for (let index = 0; index < profile.samples.length; index++) {
  const frame = nodes.get(profile.samples[index]!)!.callFrame;
  // Idle time and the profiler's own are no one's cost.
  if (frame.functionName === '(idle)' || frame.functionName === '(program)') continue;
  const microseconds = profile.timeDeltas[index] ?? 0;
  total += microseconds;
  const where = `${frame.url} ${frame.functionName}`;
  const part = parts.find(([, pattern]) => pattern.test(where))?.[0] ?? 'the rest (start-up, loading, other nodes)';
  byPart.set(part, (byPart.get(part) ?? 0) + microseconds);
  const name = `${frame.functionName || '(anonymous)'} ${frame.url.split('/').slice(-2).join('/')}:${frame.lineNumber + 1}`;
  byFunction.set(name, (byFunction.get(name) ?? 0) + microseconds);
}
const share = (microseconds: number) => `${((100 * microseconds) / total).toFixed(1).padStart(5)}%`;
console.log(`${(total / 1000).toFixed(0)} ms of samples`);
for (const [part, microseconds] of byPart) console.log(`${share(microseconds)}  ${part}`);
console.log('');
for (const [name, microseconds] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, Number(shown))) console.log(`${share(microseconds)}  ${name}`);
