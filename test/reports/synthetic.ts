import { ResilienceFigures } from '../../sim/metrics/resilience.js';
import { summarizeResilience } from '../../reports/resilience-summary.js';
import { MaintenanceMode, Protocol, RequestKind, ServerState, Status } from '../../gen/clustersim/v1/cluster.js';
import type { SimRecord } from '../../sim/metrics/records.js';
import { TimeSeriesRecorder, type TimeSeries } from '../../sim/metrics/series.js';
import { drainRows, type HtmlReportInput } from '../../reports/html.js';
import { summarizeMaintenance } from '../../reports/maintenance-summary.js';
import { seriesCharts } from '../../reports/report.js';
import type { Summary } from '../../reports/summary.js';

export const minuteUs = 60_000_000;
const secondUs = 1_000_000;

/** Names as the topology gives them: the timeline actor, one router, then the servers. */
export function clusterNames(serverCount: number): { actorNames: string[]; servers: number[] } {
  const actorNames = ['timeline', 'odr1'];
  const servers: number[] = [];
  for (let index = 0; index < serverCount; index++) {
    servers.push(actorNames.length);
    actorNames.push(`node${Math.floor(index / 2) + 1}/app-${(index % 2) + 1}`);
  }
  return { actorNames, servers };
}

interface TimedRecord {
  timeUs: number;
  actor: number;
  record: SimRecord;
}

/**
 * A 20-minute run written as records, in the order the kernel would deliver them: load on every
 * server; server A in keep-affinity maintenance that drains; server B in a drain-down period cut
 * at its deadline; B crashes later and A takes its IP address; a dynamic cluster that the
 * placement controller grows and shrinks; with many servers, a rolling node maintenance too.
 */
export function syntheticRecords(serverCount: number): { actorNames: string[]; servers: number[]; durationUs: number; records: TimedRecord[] } {
  const { actorNames, servers } = clusterNames(serverCount);
  const durationUs = 20 * minuteUs;
  const records: TimedRecord[] = [];
  const at = (timeUs: number, actor: number, record: SimRecord) => records.push({ timeUs, actor, record });
  let random = 12345;
  const next = () => {
    random = (random * 1103515245 + 12345) % 2147483648;
    return random / 2147483648;
  };
  const [serverA, serverB] = [servers[0]!, servers[1]!];
  const state = (timeUs: number, server: number, serverState: ServerState, mode = MaintenanceMode.UNSPECIFIED) =>
    at(timeUs, server, { type: 'server-state', server, state: serverState, mode });

  // Background load: requests accepted and completed every 5 s on every server.
  let request = 0;
  for (let timeUs = 0; timeUs < durationUs; timeUs += 5 * secondUs) {
    servers.forEach((server, ordinal) => {
      const busy = ordinal === 0 && timeUs >= 5 * minuteUs && timeUs < 12 * minuteUs ? 0 : 3 + Math.floor(next() * 4);
      for (let count = 0; count < busy; count++) {
        const protocol = count % 3 === 0 ? Protocol.SIP : Protocol.HTTP;
        at(timeUs, server, {
          type: 'accepted',
          server,
          protocol,
          kind: RequestKind.IN_SESSION,
          request: request++,
          session: 0,
          affinityServer: -1,
          state: ServerState.RUNNING,
          mode: MaintenanceMode.UNSPECIFIED,
          workClass: '',
          maintenanceOnly: false,
        });
      }
    });
    for (const protocol of [Protocol.HTTP, Protocol.SIP, Protocol.EJB]) {
      for (let count = 0; count < 20; count++) {
        const slow = timeUs > 8 * minuteUs && timeUs < 9 * minuteUs ? 4 : 1;
        const latencyUs = Math.round((5_000 + next() * 40_000 + (next() < 0.05 ? 300_000 : 0)) * slow * (protocol === Protocol.SIP ? 2 : 1));
        at(timeUs + 1, 2, { type: 'request-ended', protocol, request: request++, status: Status.OK, cause: '', latencyUs, attempts: 1, redirects: 0 });
      }
    }
  }

  // Open sessions of A and B by protocol: they fall as sessions end after maintenance begins.
  const sessions = (timeUs: number, server: number, open: Record<number, number>) => {
    const total = Object.values(open).reduce((sum, count) => sum + count, 0);
    for (const protocol of [Protocol.HTTP, Protocol.SIP, Protocol.EJB]) at(timeUs, server, { type: 'server-sessions', server, protocol, open: open[protocol] ?? 0, total });
  };
  sessions(minuteUs, serverA, { [Protocol.HTTP]: 120, [Protocol.SIP]: 30, [Protocol.EJB]: 12 });
  sessions(minuteUs, serverB, { [Protocol.HTTP]: 90, [Protocol.SIP]: 25 });
  state(5 * minuteUs, serverA, ServerState.MAINTENANCE, MaintenanceMode.AFFINITY);
  for (let step = 1; step <= 20; step++) {
    const left = 1 - step / 20;
    sessions(5 * minuteUs + step * 6 * secondUs, serverA, { [Protocol.HTTP]: Math.round(120 * left * left), [Protocol.SIP]: Math.round(30 * left), [Protocol.EJB]: Math.round(12 * left) });
  }
  state(12 * minuteUs, serverA, ServerState.RUNNING);

  at(6 * minuteUs, serverB, { type: 'drain-started', server: serverB, deadlineUs: 8 * minuteUs });
  state(6 * minuteUs, serverB, ServerState.DRAINING, MaintenanceMode.STOP);
  for (let step = 1; step <= 10; step++) {
    sessions(6 * minuteUs + step * 10 * secondUs, serverB, { [Protocol.HTTP]: Math.round(90 - step * 8), [Protocol.SIP]: Math.round(25 - step * 1.5) });
  }
  at(8 * minuteUs, serverB, { type: 'drain-ended', server: serverB, reason: 'expired', openSessions: 20 });
  sessions(8 * minuteUs, serverB, {});
  for (let count = 0; count < 20; count++) {
    const protocol = count < 10 ? Protocol.HTTP : Protocol.SIP;
    at(8 * minuteUs + 1, 3, { type: 'session-ended', protocol, session: count, outcome: 'dropped', cause: 'drain-expired' });
  }
  state(8 * minuteUs, serverB, ServerState.STOPPED);
  state(9 * minuteUs, serverB, ServerState.STARTING);
  state(9 * minuteUs + 30 * secondUs, serverB, ServerState.RUNNING);

  at(14 * minuteUs, 0, { type: 'fault', kind: 'crash', target: actorNames[serverB]!, detail: '' });
  state(14 * minuteUs, serverB, ServerState.FAILED);
  at(14 * minuteUs + 3 * secondUs, serverA, { type: 'address-owner', address: '10.0.0.2', owner: serverA, change: 'acquire', reason: 'failover' });
  for (let count = 0; count < 7; count++) {
    at(14 * minuteUs + count * secondUs, 3, { type: 'session-ended', protocol: count < 5 ? Protocol.HTTP : Protocol.EJB, session: 100 + count, outcome: 'dropped', cause: 'server-failed' });
  }
  at(17 * minuteUs, 0, { type: 'fault', kind: 'restart', target: actorNames[serverB]!, detail: '' });
  state(17 * minuteUs, serverB, ServerState.STARTING);
  state(17 * minuteUs + 20 * secondUs, serverB, ServerState.RUNNING);
  at(17 * minuteUs + 21 * secondUs, serverA, { type: 'address-owner', address: '10.0.0.2', owner: serverA, change: 'release', reason: 'owner back' });
  at(17 * minuteUs + 21 * secondUs, serverB, { type: 'address-owner', address: '10.0.0.2', owner: serverB, change: 'acquire', reason: 'owner back' });

  const placement = (timeUs: number, server: number, action: 'start' | 'stop', countedInstances: number) =>
    at(timeUs, 1, { type: 'placement-action', cluster: 'shop', server, node: 'node1', action, serverState: ServerState.RUNNING, countedInstances, min: 1, max: 2, countedOnNode: 1, verticalLimit: 2 });
  placement(2 * minuteUs, serverA, 'start', 1);
  placement(2 * minuteUs, serverB, 'start', 1);
  placement(19 * minuteUs, serverB, 'stop', 2);
  state(19 * minuteUs, serverB, ServerState.STOPPED);

  // A rolling maintenance of many nodes, one server every 10 s from minute 10.
  for (let ordinal = 2; ordinal < Math.min(serverCount, 50); ordinal++) {
    const server = servers[ordinal]!;
    const startUs = 10 * minuteUs + (ordinal - 2) * 10 * secondUs;
    sessions(startUs - 1, server, { [Protocol.HTTP]: 40 });
    state(startUs, server, ServerState.MAINTENANCE, MaintenanceMode.BREAK);
    sessions(startUs + 30 * secondUs, server, { [Protocol.HTTP]: 10 });
    sessions(startUs + 50 * secondUs, server, {});
    state(startUs + 90 * secondUs, server, ServerState.RUNNING);
  }
  records.sort((a, b) => a.timeUs - b.timeUs);
  return { actorNames, servers, durationUs, records };
}

export function syntheticSeries(serverCount: number): TimeSeries {
  const run = syntheticRecords(serverCount);
  const recorder = new TimeSeriesRecorder({ actorNames: run.actorNames, servers: run.servers, durationUs: run.durationUs, windows: 240 });
  for (const { timeUs, actor, record } of run.records) recorder.record(timeUs, actor, record);
  return recorder.finish(run.durationUs);
}

/** A summary with the figures of the synthetic run that the report prints. */
export function syntheticSummary(name: string): Summary {
  const sessions = { started: 5000, completed: 4950, dropped: 27, rejected: 3, open: 20, droppedByCause: { 'drain-expired': 20, 'server-failed': 7 }, rejectedByCause: { 'queue-full': 3 } };
  const protocol = {
    sessions,
    requests: { total: 40000, ok: 39900, rejected: 60, dropped: 40, routedToMaintenance: 12, routedToMaintenanceByWorkClass: { default: 12 } },
    failovers: 0,
    routedAwayByCause: {},
    latency: { meanUs: 21_000, p50Us: 18_000, p90Us: 40_000, p99Us: 310_000, maxUs: 900_000 },
  };
  return {
    clustersim: '0.1.0',
    scenario: { name, file: `scenarios/${name}.yaml`, sha256: '0'.repeat(64) },
    seed: 7,
    reproduce: `npx clustersim run scenarios/${name}.yaml --seed 7`,
    durationUs: 20 * minuteUs,
    events: { processed: 123456, pendingAtEnd: 0 },
    sessions,
    protocols: { http: protocol },
    servers: {},
    maintenance: summarizeMaintenance({ episodes: [], episodesLeftOut: 0 }, 20 * minuteUs),
    routers: {},
    placement: [],
    health: [],
    messaging: {},
    violations: { count: 0, byRule: {}, first: [] },
    checks: { rules: [], notes: {} },
    ...summarizeResilience(new ResilienceFigures([]), []),
  };
}

/** The whole report of the synthetic run, as index.html shows it, with two violations and a failed expectation. */
export function syntheticReport(serverCount: number): HtmlReportInput {
  const series = syntheticSeries(serverCount);
  const summary = syntheticSummary(`synthetic-${serverCount}`);
  return {
    summary,
    expectations: [
      { expectation: 'sessions.http.dropped == 0', passed: false, actual: 27, limit: 0, message: 'is 27' },
      { expectation: 'latency.http.p99 < 500ms', passed: true, actual: 310_000, limit: 500_000, message: 'latency.http.p99 is 310ms, the limit is < 500ms' },
    ],
    verdict: 'fail',
    violations: [
      { timeUs: 5 * minuteUs + 2, rule: 'maintenance-no-new-http-session', actor: 'node1/app-1', detail: 'new HTTP session | opened in maintenance', session: 17 },
      { timeUs: 14 * minuteUs, rule: 'address-single-owner', actor: 'node1/app-2', detail: '10.0.0.2 owned twice', request: 4 },
    ],
    drains: drainRows(series.episodes),
    events: { list: series.annotations, leftOut: series.annotationsLeftOut },
    charts: seriesCharts(series),
  };
}
