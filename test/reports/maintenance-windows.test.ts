import { describe, expect, it } from 'vitest';
import { renderReport, type Report } from '../../reports/report.js';
import { runScenario } from '../../sim/run/run.js';
import { evaluateExpectations } from '../../sim/run/expectations.js';
import { loadScenarioFile, parseScenario } from '../../sim/scenario/load.js';

/** Two nodes of two servers under HTTP, SIP and EJB load; `timeline` and `extra` set the rest. */
function run(timeline: string, extra = '', workload = { ejb: true, httpReplicated: false }): Report {
  const loaded = parseScenario(`
name: windows
seed: 11
duration: 90s
cluster: { nodes: { count: 2, servers: 2 }, server: { threads: 20, queue: 200 }${extra === '' ? '' : `, ${extra}`} }
workload:
  http: { rate: 20/s, replicated: ${workload.httpReplicated}, requests: 6, thinkTime: { exponential: 2s }, service: { constant: 10ms } }
  sip: { rate: 3/s, inDialog: 2, hold: { exponential: 30s }, service: { constant: 5ms } }
${workload.ejb ? '  ejb: { rate: 5/s, calls: 10, thinkTime: { exponential: 2s }, service: { constant: 10ms } }' : ''}
timeline:
${timeline}
`);
  return renderReport(runScenario(loaded), []);
}

const window = (target: string, mode: string) => `  - { at: 30s, maintenance: { ${target}, mode: ${mode} } }
  - { at: 60s, maintenance: { ${target}, exit: true } }`;

const html = (report: Report) => report.files.get('index.html')!;
/** The rows of the report's maintenance table, as text. */
const tableRows = (report: Report) =>
  html(report)
    .split('<h2 id="drains">')[1]!
    .split('</table>')[0]!
    .split('\n')
    .filter((line) => line.startsWith('<tr><td>'))
    .map((line) => line.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim());

describe('maintenance windows in summary.json and the report', () => {
  it('break mode: the sessions dropped on entering belong to the window, with their cause, and match the run', () => {
    const report = run(window('server: node1/app-1', 'break'));
    const { maintenance, sessions } = report.summary;
    expect(maintenance.windows).toHaveLength(1);
    const [entry] = maintenance.windows;
    expect(entry).toMatchObject({ target: 'node1/app-1', targetKind: 'server', mode: 'break', startUs: 30_000_000, endUs: 60_000_000, end: 'exited' });
    // Every session dropped in this run was lost to the break. The window counts them as the server
    // gave them up; a few whose last request was in service then still complete at the client.
    const clientDrops = sessions.droppedByCause['affinity-broken']!;
    expect(Object.keys(entry!.droppedAtEntryByCause)).toEqual(['affinity-broken']);
    expect(entry!.droppedAtEntry).toBeGreaterThanOrEqual(clientDrops);
    expect(entry!.droppedAtEntry).toBeLessThanOrEqual(Math.ceil(clientDrops * 1.05));
    // Sessions at start count what the server held before the break, HTTP and SIP included.
    expect(entry!.sessionsAtStartByProtocol['http']).toBeGreaterThan(0);
    expect(entry!.sessionsAtStart).toBe(Object.values(entry!.sessionsAtStartByProtocol).reduce((sum, count) => sum + count, 0));
    expect(entry!.sessionsAtStart).toBeGreaterThan(entry!.droppedAtEntry);
    expect(entry!.timeToDrainUs).toBeGreaterThan(0);
    expect(maintenance.droppedAtEntry).toBe(entry!.droppedAtEntry);
    // The table says it too.
    const [row] = tableRows(report);
    expect(row).toContain(`${entry!.droppedAtEntry} (affinity-broken)`);
    expect(row).toContain(`${entry!.droppedAtEntry} of ${entry!.sessionsAtStart} sessions dropped on entering`);
    // The drain panel marks the fall at its start.
    expect(report.files.get('drain.svg')).toMatch(new RegExp(`class="dropped-at-entry".*>${entry!.droppedAtEntry} dropped on entering<`));
  });

  it('expectations, sweeps and comparisons can name a window and the totals', () => {
    const report = run(window('server: node1/app-1', 'affinity'));
    const entry = report.summary.maintenance.windows[0]!;
    expect(entry.droppedAtEntry).toBe(0);
    const results = evaluateExpectations(
      [`maintenance.windows.0.sessionsAtStart == ${entry.sessionsAtStart}`, 'maintenance.windows.0.start == 30s', `maintenance.notDrained == ${entry.timeToDrainUs === null ? 1 : 0}`, 'maintenance.maxTimeToDrain < 30s', 'maintenance.droppedAtEntryByCause.affinity-broken == 0', 'maintenance.count == 1'],
      report.summary,
    );
    expect(results.map((result) => [result.expectation, result.passed, result.message])).toEqual(results.map((result) => [result.expectation, true, result.message]));
  });

  it('replicated sessions given up on entering fail over: none counts as dropped', () => {
    const report = run(window('server: node1/app-1', 'break'), '', { ejb: true, httpReplicated: true });
    const entry = report.summary.maintenance.windows[0]!;
    expect(entry.failedOverAtEntry).toBe(report.summary.protocols['http']!.failovers + (report.summary.protocols['sip']?.failovers ?? 0));
    expect(entry.failedOverAtEntry).toBeGreaterThan(0);
  });

  it('stop mode: one window from the stop through the restart to the exit, its drops counted', () => {
    const report = run(`  - { at: 30s, maintenance: { server: node1/app-1, mode: stop } }
  - { at: 45s, control: { server: node1/app-1, action: start } }
  - { at: 60s, maintenance: { server: node1/app-1, exit: true } }`);
    const { maintenance, sessions } = report.summary;
    expect(maintenance.windows.map((entry) => [entry.target, entry.mode, entry.startUs, entry.endUs])).toEqual([['node1/app-1', 'stop', 30_000_000, 60_000_000]]);
    // A stop loses every session; the client meets the loss at its next request (server-stopped, or
    // session-lost when it comes back after the restart).
    expect(maintenance.windows[0]!.droppedAtEntryByCause).toEqual({ 'server-stopped': sessions.dropped });
    expect(tableRows(report)).toHaveLength(1);
    expect(tableRows(report)[0]).toContain('maintenance (stop)');
  });

  it('switching a window from keep-affinity to stop or break mode counts what that gives up, with its cause', () => {
    for (const [mode, cause] of [
      ['stop', 'server-stopped'],
      ['break', 'affinity-broken'],
    ] as const) {
      const report = run(`  - { at: 30s, maintenance: { server: node1/app-1, mode: affinity } }
  - { at: 40s, maintenance: { server: node1/app-1, mode: ${mode} } }
  - { at: 60s, maintenance: { server: node1/app-1, exit: true } }`);
      const { maintenance, sessions } = report.summary;
      expect(maintenance.windows.map((entry) => [entry.mode, entry.startUs, entry.endUs])).toEqual([['affinity', 30_000_000, 60_000_000]]);
      // Every session dropped in this run was given up by the switch (SIP dialogs of 30 s still open at 40 s).
      const clientDrops = sessions.droppedByCause[cause] ?? 0;
      expect(clientDrops).toBeGreaterThan(0);
      expect(maintenance.windows[0]!.droppedAtEntryByCause[cause]).toBeGreaterThanOrEqual(clientDrops);
      expect(maintenance.droppedAtEntry).toBeLessThanOrEqual(Math.ceil(clientDrops * 1.1));
    }
  });

  it("an ODR's window is in summary.json, the table and the timeline's events", () => {
    const report = run(window('odr: odr1', 'affinity'), 'routers: 2');
    expect(report.summary.maintenance.windows.map((entry) => [entry.target, entry.targetKind, entry.mode, entry.startUs, entry.endUs])).toEqual([['odr1', 'router', 'affinity', 30_000_000, 60_000_000]]);
    expect(tableRows(report)[0]).toMatch(/^odr1 ODR maintenance \(affinity\)/);
    expect(report.files.get('timeline.svg')).toContain('odr1 enters maintenance (keep affinity)');
  });

  it('a window with nothing left to drain says so, not "0µs", and its chart has whole-number ticks and a short axis', () => {
    const report = run(window('server: node1/app-1', 'break'), '', { ejb: false, httpReplicated: false });
    const row = tableRows(report)[0]!;
    expect(row).toContain('nothing left to drain');
    expect(row).not.toMatch(/0µs/);
    const drain = report.files.get('drain.svg')!;
    const yTicks = [...drain.matchAll(/<g class="tick" opacity="1" transform="translate\(0,[^)]*\)">.*?<text[^>]*>([^<]*)<\/text>/g)].map((match) => match[1]!).filter((tick) => tick !== '');
    expect(yTicks.length).toBeGreaterThan(0);
    for (const tick of yTicks) expect(tick).toMatch(/^[\d,]+$/);
    // The axis spans the drop, not the 30 s the server stayed in maintenance.
    expect(drain).toContain('time since entering (ms)');
  });

  it('drops over time are split by cause, with the maintenance step and a fault marked', () => {
    const report = run(`${window('server: node1/app-1', 'break')}
  - { at: 70s, crash: node2/app-2 }`);
    const drops = report.files.get('dropped-over-time.svg')!;
    const legend = [...drops.matchAll(/<text x="20" y="10">([^<]+)<\/text>/g)].map((match) => match[1]);
    expect(legend).toEqual(Object.keys(report.summary.sessions.droppedByCause).sort());
    expect(legend).toContain('affinity-broken');
    expect(drops).toMatch(/<g class="event maintenance">.*node1\/app-1 enters maintenance \(break affinity\)/);
    expect(drops).toMatch(/<g class="event fault">.*crash node2\/app-2/);
  });

  it('a ClusterCATS member drained then stopped: two windows, and nothing counted as dropped on entering', () => {
    const report = renderReport(runScenario(loadScenarioFile('scenarios/clustercats-maintenance.yaml')), []);
    const { maintenance, sessions } = report.summary;
    expect(sessions.dropped).toBe(0);
    expect(maintenance.windows.map((entry) => [entry.target, entry.mode, entry.end])).toEqual([
      ['node1/app-1', 'affinity', 'drained'],
      ['node1/app-1', 'stop', 'exited'],
    ]);
    // The stop follows the drain at the same instant: the session whose end drained the member was not given up.
    expect(maintenance.droppedAtEntry).toBe(0);
    expect(maintenance.windows[0]!.timeToDrainUs).toBe(maintenance.windows[0]!.endUs! - maintenance.windows[0]!.startUs);
  });
});
