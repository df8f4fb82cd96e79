import { describe, expect, it } from 'vitest';
import { stateStyles } from '../../reports/charts/colors.js';
import { renderReport, type Report } from '../../reports/report.js';
import { ServerState } from '../../gen/clustersim/v1/cluster.js';
import { runScenario } from '../../sim/run/run.js';
import { parseScenario } from '../../sim/scenario/load.js';

function run(yaml: string): Report {
  return renderReport(runScenario(parseScenario(yaml)), []);
}

const colorOf = (state: ServerState) => stateStyles.find((style) => style.state === state)!.color;

/** The fill of each band in a server's lane of timeline.svg, in order. */
function laneFills(timeline: string, server: string): string[] {
  const lane = timeline.split('<g transform="translate(0,').find((part) => part.includes(`>${server}</text>`));
  expect(lane, `a lane for ${server}`).toBeDefined();
  return [...lane!.split(`>${server}</text>`)[0]!.matchAll(/<rect [^>]*fill="([^"]+)"/g)].map((match) => match[1]!);
}

const dynamicCluster = `
name: dynamic
seed: 3
duration: 2m
cluster:
  nodes: { count: 3, servers: 0 }
  dynamicClusters: [{ name: shop, min: 3, max: 4, verticalStacking: 1, startup: 10s }]
workload:
  http: { rate: 10/s, requests: 4, thinkTime: { exponential: 1s }, service: { constant: 5ms } }
placement: { interval: 5s }
`;

describe('the cluster timeline and the placement chart tell the state of every server', () => {
  it('instance slots of a dynamic cluster never started are drawn stopped, the ones serving running', () => {
    const report = run(dynamicCluster);
    const timeline = report.files.get('timeline.svg')!;
    // Stacking 1 gives each node two slots; min 3 starts the first slot of each node.
    expect(laneFills(timeline, 'node1/shop-1')[0]).toBe(colorOf(ServerState.RUNNING));
    expect(laneFills(timeline, 'node1/shop-2')).toEqual([colorOf(ServerState.STOPPED)]);
  });

  it('the placement chart counts the running instances from the start of the run', () => {
    const report = run(dynamicCluster);
    const placement = report.files.get('placement.svg')!;
    // The running line is the thick blue path; its first point is at the height of 3 instances.
    const running = /<path d="M0,([\d.]+)[^"]*" fill="none" stroke="#1f77b4" stroke-width="2"/.exec(placement);
    const ticks = [...placement.matchAll(/<g class="tick" opacity="1" transform="translate\(0,([\d.]+)\)"><line[^>]*><\/line><text[^>]*>(\d+)<\/text>/g)].map((match) => [Number(match[2]), Number(match[1])] as const);
    const yOfThree = ticks.find(([value]) => value === 3)?.[1];
    expect(running).not.toBeNull();
    expect(yOfThree).toBeDefined();
    expect(Math.abs(Number(running![1]) - yOfThree!)).toBeLessThanOrEqual(1);
  });

  it('a stopped run is drawn to its stop with a marker, and the report says how far it got', () => {
    const report = run(`${dynamicCluster}limits: { maxEvents: 20000 }\n`);
    expect(report.summary.incomplete).toBe(true);
    const stoppedAt = report.summary.stoppedAtUs!;
    expect(stoppedAt).toBeLessThan(report.summary.durationUs);
    // Requests end at the stop, at a marker, rather than falling to zero for the rest of the planned run.
    const requests = report.files.get('requests.svg')!;
    expect(requests).toContain('class="run-stopped"');
    const lastX = Math.max(...[...requests.matchAll(/<path d="M[^"]*"/g)].flatMap((path) => [...path[0].matchAll(/[ML,]([\d.]+),/g)].map((point) => Number(point[1]))));
    const marker = Number(/class="run-stopped" x1="([\d.]+)"/.exec(requests)![1]);
    expect(lastX).toBeLessThanOrEqual(marker);
    const timeline = report.files.get('timeline.svg')!;
    expect(timeline).toContain('class="run-stopped"');
    expect(timeline).toMatch(/run stopped at [\dms .]+ of 2m 00s/);
    expect(report.files.get('index.html')).toMatch(/seed 3, \S+ of the planned 2m of virtual time/);
    expect(report.files.get('summary.md')).toContain('of the planned 2m of virtual time');
  });

  it('the events list has every event, a late crash included, with the maintenance mode', () => {
    const steps = Array.from({ length: 12 }, (_, index) => `  - { at: ${5 + index * 8}s, maintenance: { server: node${(index % 2) + 1}/app-1, mode: ${index % 4 < 2 ? 'break' : 'affinity'} } }
  - { at: ${9 + index * 8}s, maintenance: { server: node${(index % 2) + 1}/app-1, exit: true } }`).join('\n');
    const report = run(`
name: many-events
seed: 3
duration: 2m
cluster: { nodes: { count: 2, servers: 2 } }
workload:
  http: { rate: 10/s, requests: 4, thinkTime: { exponential: 1s }, service: { constant: 5ms } }
timeline:
${steps}
  - { at: 110s, crash: node2/app-2 }
`);
    const html = report.files.get('index.html')!;
    const events = html.split('<h2 id="events">')[1]!.split('</table>')[0]!;
    const rows = events.split('\n').filter((line) => line.startsWith('<tr class='));
    expect(rows.length).toBeGreaterThan(24);
    // The crash comes after the twentieth event, where the list used to stop.
    expect(rows.findIndex((row) => row.includes('crash node2/app-2'))).toBeGreaterThanOrEqual(20);
    expect(events).toContain('node1/app-1 enters maintenance (break affinity)');
    expect(events).toContain('node1/app-1 enters maintenance (keep affinity)');
  });

  it("a node's maintenance opens no window for the instance slots of a dynamic cluster that are not in use", () => {
    const report = run(`${dynamicCluster}timeline:
  - { at: 30s, maintenance: { node: node1, mode: break } }
  - { at: 60s, maintenance: { node: node1, exit: true } }
`);
    expect(report.summary.maintenance.windows.map((entry) => [entry.target, entry.mode, entry.end])).toEqual([['node1/shop-1', 'break', 'exited']]);
  });
});
