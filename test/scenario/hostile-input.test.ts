import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderReport } from '../../reports/report.js';
import { EventQueue, maxPendingEvents, PendingEventsError } from '../../sim/kernel/event-queue.js';
import { planSweep } from '../../sim/experiments/sweep.js';
import { resolveJobs } from '../../sim/cli/jobs.js';
import { checkScenario } from '../../sim/run/check-scenario.js';
import { ScenarioRun, runScenario } from '../../sim/run/run.js';
import { estimateTopologySize } from '../../sim/run/topology-size.js';
import { loadScenarioFile, parseScenario, ScenarioError } from '../../sim/scenario/load.js';

const scratch = mkdtempSync(join(tmpdir(), 'clustersim-hostile-'));

const topology = (cluster: string, extra = '') =>
  `name: big\nduration: 1s\ncluster:\n${cluster}\nworkload:\n  http: { rate: 1/s, service: { constant: 1ms } }\n${extra}`;

function refusal(text: string): string {
  try {
    new ScenarioRun(parseScenario(text, 'big.yaml'));
  } catch (error) {
    if (error instanceof ScenarioError) return error.message;
    throw error;
  }
  return '';
}

describe('topologies at the schema bounds: a located refusal, never an abort of the process', () => {
  it('2e9 threads a server: over the bound', () => {
    expect(refusal(topology('  nodes: { count: 1, servers: 1 }\n  server: { threads: 2000000000 }'))).toMatch(/big\.yaml:\d+:\d+: must be at most 100,000, got 2000000000 at cluster\.server\.threads/);
  });

  it('100,000 servers behind 10,000 routers: refused with the estimate and the limit', () => {
    expect(refusal(topology('  nodes: { count: 100000, servers: 1 }\n  routers: 10000'))).toMatch(
      /needs about [\d,]+ MB of heap before the first event \(mostly 10,000 routers' views of 100,000 servers\), more than the limit of [\d,]+ MB/,
    );
  });

  it('a ClusterCATS cluster of 5,000 members: refused, with the most it may have', () => {
    expect(refusal(topology('  nodes: { count: 5000, servers: 1 }', 'clustercats: {}\n'))).toMatch(/5,000 members sends about 50,000,000 messages at once.*at most 2,048 members/);
  });

  it('the estimate bounds the heap a topology really takes (random topologies that fit)', () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 400 }), fc.integer({ min: 1, max: 10 }), fc.integer({ min: 1, max: 200 }), fc.integer({ min: 1, max: 20 }), (nodes, servers, threads, routers) => {
        const loaded = parseScenario(topology(`  nodes: { count: ${nodes}, servers: ${servers} }\n  server: { threads: ${threads} }\n  routers: ${routers}`));
        gc();
        const before = process.memoryUsage().heapUsed;
        const run = new ScenarioRun(loaded);
        gc();
        const taken = process.memoryUsage().heapUsed - before;
        expect(run.seed).toBe(1);
        expect(taken).toBeLessThan(estimateTopologySize(loaded.scenario).bytes);
      }),
      { numRuns: 15, seed: 2929 },
    );
  });

  it('an event queue past its bound throws a clear error (the run stops there at a limit), not an abort', () => {
    const queue = new EventQueue<string>(4, 16);
    for (let index = 0; index < 16; index++) queue.push(index, 0, index, 0, 'event');
    expect(() => queue.push(16, 0, 16, 0, 'one more')).toThrow(new PendingEventsError('more than 16 events pending at once'));
    expect(maxPendingEvents).toBe(2 ** 23);
  });
});

describe('scenario files that are not files, not text, or too large', () => {
  it('a device and a FIFO are refused at once (a FIFO with no writer would block for ever)', () => {
    expect(() => loadScenarioFile('/dev/zero')).toThrow(/is not a regular file \(a device, pipe or socket\)/);
    const fifo = join(scratch, 'fifo.yaml');
    execFileSync('mkfifo', [fifo]);
    expect(() => loadScenarioFile(fifo)).toThrow(/is not a regular file/);
  });

  it('a file over 4 MB is refused', () => {
    const huge = join(scratch, 'huge.yaml');
    writeFileSync(huge, `# ${'x'.repeat(4 * 1024 * 1024)}\n`);
    expect(() => loadScenarioFile(huge)).toThrow(/is more than 4 MB/);
  });

  it('invalid UTF-8 is refused at its line and column; the recorded SHA-256 is of the bytes', () => {
    const bad = join(scratch, 'bad.yaml');
    writeFileSync(bad, Buffer.concat([Buffer.from('name: x\nduration: 1s\n  ab'), Buffer.from([0xff, 0xfe]), Buffer.from('\n')]));
    expect(() => loadScenarioFile(bad)).toThrow(/bad\.yaml:3:5: invalid UTF-8 \(byte 0xff at byte offset 25\)/);
    // A byte-order mark is dropped from the text but is part of the file.
    const withMark = join(scratch, 'mark.yaml');
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(topology('  nodes: { count: 1, servers: 1 }'))]);
    writeFileSync(withMark, bytes);
    expect(loadScenarioFile(withMark).hash).toBe(createHash('sha256').update(bytes).digest('hex'));
  });

  it('a seed over every bound gets one message, the tighter bound', () => {
    const message = (() => {
      try {
        parseScenario(`${topology('  nodes: { count: 1, servers: 1 }')}seed: 18446744073709551616\n`, 's.yaml');
      } catch (error) {
        return (error as Error).message;
      }
      return '';
    })();
    expect(message.split('\n')).toEqual([expect.stringMatching(/must be at most 2,147,483,647, got .* at seed$/)]);
  });

  it('slow on a router or the controller is refused: it would count a fault that changes nothing', () => {
    const text = topology('  nodes: { count: 2, servers: 1 }\n  routers: 2', 'timeline:\n  - { at: 900ms, slow: { target: odr1, factor: 3 } }\n  - { at: 900ms, slow: { target: controller, factor: 3 } }\n  - { at: 900ms, slow: { target: node1, factor: 3 } }\n');
    expect(refusal(text).split('\n')).toEqual([
      expect.stringMatching(/"odr1" has no service time to slow: slow a server or a node at timeline\.0\.slow$/),
      expect.stringMatching(/"controller" has no service time to slow.* at timeline\.1\.slow$/),
    ]);
  });

  it('rate 0/s starts no session; a rate profile starting at zero starts none at time zero', () => {
    const none = runScenario(parseScenario(topology('  nodes: { count: 1, servers: 1 }').replace('rate: 1/s', 'rate: 0/s')));
    const started = (result: ReturnType<typeof runScenario>) => renderReport(result, []).summary.sessions.started;
    expect(started(none)).toBe(0);
    const ramp = runScenario(parseScenario(topology('  nodes: { count: 1, servers: 1 }').replace('rate: 1/s', 'rate: { steps: [{ at: 0s, rate: 0/s }, { at: 2s, rate: 5/s }] }')));
    expect(started(ramp)).toBe(0);
    const steady = runScenario(parseScenario(topology('  nodes: { count: 1, servers: 1 }').replace('rate: 1/s', 'rate: 5/s')));
    expect(started(steady)).toBeGreaterThan(0);
  });
});

describe('huge list indexes in sweep parameters are refused at once', () => {
  const quickstart = 'scenarios/quickstart.yaml';
  it.each(['timeline.100000000.at=1s', 'timeline.100000.at=1s', 'timeline.3.at=1s', 'expect.5=sessions.dropped == 0', 'cluster.dynamicClusters.7.min=1'])('%s', (param) => {
    const started = performance.now();
    expect(() => planSweep({ file: quickstart, params: [param] })).toThrow(/cannot set .*: .* (has \d+ items?|does not exist)/);
    expect(performance.now() - started).toBeLessThan(5_000);
  });
  it('the place just past the end of a list is a new last item', () => {
    const count = (readFileSync(quickstart, 'utf8').match(/^ {2}- at:/gm) ?? []).length;
    expect(() => planSweep({ file: quickstart, params: [`expect.${count}=sessions.dropped >= 0`] })).not.toThrow();
  });
});

describe('--jobs', () => {
  it('is capped at the cores unless forced, and at the work there is', () => {
    const warnings: string[] = [];
    const warn = (line: string) => warnings.push(line);
    expect(resolveJobs({ jobs: 64 }, 100, warn, 2)).toBe(2);
    expect(warnings).toEqual(['clustersim: --jobs 64 capped at 2, the number of cores (--force-jobs to run more threads)']);
    expect(resolveJobs({ jobs: 64, forceJobs: true }, 100, warn, 2)).toBe(64);
    expect(resolveJobs({ jobs: 64, forceJobs: true }, 5, warn, 2)).toBe(5);
    expect(resolveJobs({}, 100, warn, 3)).toBe(3);
    expect(resolveJobs({}, 0, warn, 3)).toBe(1);
    expect(warnings).toHaveLength(1);
  });
});

describe('every ClusterCATS member stopped at once with no drain-down period', () => {
  it('the sessions cut are counted as drops, with no conservation violation of the cut itself', () => {
    const text = readFileSync('scenarios/clustercats-short-drain.yaml', 'utf8').replace('duration: 6m', 'duration: 3m');
    const members = ['node1/app-1', 'node2/app-1', 'node3/app-1'];
    const timeline = `timeline:\n${members.map((member) => `  - { at: 2m, clustercats: { member: ${member}, service: stopped, drainDownPeriod: 0s } }`).join('\n')}\nexpect: []\n`;
    const result = runScenario(parseScenario(text.slice(0, text.indexOf('timeline:')) + timeline));
    const summary = renderReport(result, []).summary;
    expect(summary.sessions.dropped).toBeGreaterThan(50);
    expect(summary.violations.byRule).toEqual({});
  });
});

describe('steps the run would never reach', () => {
  it('a step at or after the end, or a fault window past it: a located refusal', () => {
    const text = topology('  nodes: { count: 2, servers: 1 }', 'timeline:\n  - { at: 999ms, crash: node1 }\n  - { at: 2s, crash: node2 }\n  - { at: 500ms, within: 1s, crash: node2 }\n  - { at: 1s, crash: node1 }\n');
    expect(refusal(text).split('\n')).toEqual([
      expect.stringMatching(/big\.yaml:\d+:\d+: 2s is after the end of the run \(duration 1s\): the step would never happen.* at timeline\.1\.at$/),
      expect.stringMatching(/the window \[500ms, 1\.5s\) reaches past the end of the run \(1s\).* at timeline\.2\.within$/),
      expect.stringMatching(/big\.yaml:\d+:\d+: 1s is at the end of the run \(duration 1s\): the step would never happen; move it before 1s.* at timeline\.3\.at$/),
    ]);
  });
});

describe('a reader that stops early', () => {
  it('clustersim schema | head: no EPIPE stack trace, exit 0', () => {
    const output = execFileSync('bash', ['-c', 'node bin/clustersim.mjs schema | head -1; echo "exit ${PIPESTATUS[0]}"'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(output).toBe('{\nexit 0\n');
  });
});

describe('expectations naming figures the scenario cannot have', () => {
  it('a protocol without a workload, or an unknown server: refused before the run, with the names there are', () => {
    const text = topology('  nodes: { count: 2, servers: 1 }', 'expect:\n  - sessions.http.dropped == 0\n  - latency.sip.p99 < 1s\n  - protocols.jms.sessions.dropped == 0\n  - drain.node9/app-1.timeToDrainUs < 1s\n  - servers.node2/app-1.requests > 0\n');
    expect(refusal(text).split('\n')).toEqual([
      expect.stringMatching(/"latency\.sip\.p99 < 1s": the scenario has no sip workload, so no sip figures \(its protocols: http\) at expect\.1$/),
      expect.stringMatching(/"protocols\.jms\.sessions\.dropped == 0": the scenario has no jms workload.* at expect\.2$/),
      expect.stringMatching(/"drain\.node9\/app-1\.timeToDrainUs < 1s": unknown server "node9\/app-1".* at expect\.3$/),
    ]);
  });
});

describe('topologies anywhere within the schema bounds', () => {
  it('are refused with a ScenarioError, or built within the heap limit they were checked against', () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const limitMb = 256;
    const outcomes = { refused: 0, built: 0 };
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100_000 }),
        fc.integer({ min: 0, max: 1_000 }),
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 1, max: 100_000 }),
        fc.boolean(),
        (nodes, servers, routers, threads, clusterCats) => {
          const text = topology(`  nodes: { count: ${nodes}, servers: ${servers} }\n  server: { threads: ${threads} }\n  routers: ${routers}`, `limits: { maxHeapMb: ${limitMb} }\n${clusterCats ? 'clustercats: {}\n' : ''}`);
          gc();
          const before = process.memoryUsage().heapUsed;
          try {
            const run = new ScenarioRun(parseScenario(text, 'big.yaml'));
            gc();
            expect(process.memoryUsage().heapUsed - before).toBeLessThan(limitMb * 1024 * 1024);
            expect(run.seed).toBe(1);
            outcomes.built++;
          } catch (error) {
            if (!(error instanceof ScenarioError)) throw error;
            outcomes.refused++;
          }
        },
      ),
      { numRuns: 40, seed: 4029 },
    );
    expect(outcomes.refused).toBeGreaterThan(0);
    expect(outcomes.built).toBeGreaterThan(0);
  });

  it('small topologies at the bounds of each field are built', () => {
    for (const cluster of ['  nodes: { count: 1, servers: 1 }\n  server: { threads: 100000 }', '  nodes: { count: 1, servers: 1000 }']) {
      expect(refusal(topology(cluster))).toBe('');
    }
  });
});

describe('checking many scenarios in one thread', () => {
  it('keeps the heap flat: what a report leaves behind is freed, even with no turn of the event loop between runs', () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const file = join(scratch, 'small.yaml');
    writeFileSync(file, topology('  nodes: { count: 2, servers: 1 }').replace('rate: 1/s', 'rate: 20/s').replace('duration: 1s', 'duration: 20s'));
    const heapAfter = (runs: number): number => {
      for (let index = 0; index < runs; index++) expect(checkScenario({ file, reportDirectory: join(scratch, 'reports', String(index)) }).verdict).toBe('pass');
      gc();
      return process.memoryUsage().heapUsed;
    };
    const warm = heapAfter(5);
    const later = heapAfter(25);
    // A report's charts once stayed reachable: about 9 MB a run.
    expect(later - warm).toBeLessThan(25 * 1024 * 1024);
  });
});
