import { MaintenanceMode, Protocol, ServerState, Status } from '../../gen/clustersim/v1/cluster.js';
import type { RecordSink } from '../kernel/actor.js';
import { Histogram } from './histogram.js';
import { RecordBus, type RecordHandlers } from './record-bus.js';
import type { SimRecord } from './records.js';
import { MaintenanceWindowRecorder, type MaintenanceWindows } from './maintenance-windows.js';
import { TimeSeriesRecorder, type DynamicClusterSpec, type TimeSeries } from './series.js';
import { ResilienceFigures } from './resilience.js';
import { KubernetesFigures, type KubernetesSeries, type KubernetesSummary } from './kubernetes-figures.js';

export const protocolNames: Readonly<Record<number, string>> = {
  [Protocol.HTTP]: 'http',
  [Protocol.SIP]: 'sip',
  [Protocol.EJB]: 'ejb',
  [Protocol.JMS]: 'jms',
};

export const serverStateNames: Readonly<Record<number, string>> = {
  [ServerState.STARTING]: 'starting',
  [ServerState.RUNNING]: 'running',
  [ServerState.MAINTENANCE]: 'maintenance',
  [ServerState.DRAINING]: 'draining',
  [ServerState.STOPPED]: 'stopped',
  [ServerState.FAILED]: 'failed',
};

export const maintenanceModeNames: Readonly<Record<number, string>> = {
  [MaintenanceMode.UNSPECIFIED]: '',
  [MaintenanceMode.AFFINITY]: 'affinity',
  [MaintenanceMode.BREAK]: 'break',
  [MaintenanceMode.STOP]: 'stop',
};

class ProtocolFigures {
  sessionsStarted = 0;
  sessionsCompleted = 0;
  sessionsDropped = new Map<string, number>();
  sessionsRejected = new Map<string, number>();
  requests = 0;
  requestsOk = 0;
  requestsRejected = 0;
  requestsDropped = 0;
  routedToMaintenance = new Map<string, number>();
  latency = new Histogram();
  sessionFailovers = 0;
  /** Requests a router answered itself (rejected, redirected), by cause. */
  routedAway = new Map<string, number>();
}

/** What the maintenance and control actors did, in time order, for the summary. */
export interface ControlFigures {
  routers: Map<string, { states: { atUs: number; state: string; mode: string }[] }>;
  placement: { atUs: number; cluster: string; server: string; node: string; action: string; countedInstances: number; min: number; max: number; countedOnNode: number; verticalLimit: number }[];
  health: { atUs: number; policy: string; server: string; action: string; supervised: boolean; meanResponseUs: number; errorPercent: number }[];
  destinations: Map<string, { peakInFlight: number; inFlight: number }>;
}

/** A server's figures at the end of a run. */
interface ServerFigures {
  readonly name: string;
  requests: number;
  openSessions: number;
  peakSessions: number;
  /** Mean time its requests waited in its queue before service (0 when none did). */
  meanQueueWaitUs: number;
  states: { atUs: number; state: string; mode: string }[];
}

// The running figures of a server are one row of this many numbers in a typed array, by server
// ordinal: the records of a request touch one row (a cache line or two at 10,000 servers), not
// an object and a 4 KB histogram each.
const requestsField = 0;
const openSessionsField = 1;
const peakSessionsField = 2;
const queueWaitsField = 3;
const queueWaitSumField = 4;
const serverRowLength = 5;

export interface CollectorOptions {
  actorNames: readonly string[];
  servers: readonly number[];
  /** Period of the sampled time series. */
  sampleEveryUs: number;
  /** Length of the run and number of windows of the charts' time series; without them, none is kept. */
  durationUs?: number;
  windows?: number;
  dynamicClusters?: ReadonlyMap<string, DynamicClusterSpec>;
  initialStates?: ReadonlyMap<number, ServerState>;
  /** A Kubernetes Deployment's replicas and endpoint consumers: its figures are kept too. */
  kubernetes?: { replicas: number; consumers: readonly number[] };
}

/** Sampled time series for the charts. */
export interface Series {
  sampleEveryUs: number;
  timesUs: number[];
  /** Open sessions per server at each sample, by server name. */
  openSessions: Map<string, number[]>;
  /** Maintenance windows per server: [startUs, endUs, mode]. */
  maintenance: Map<string, { startUs: number; endUs: number; mode: string }[]>;
}

/**
 * Folds the records of a run, in canonical order, into the summary figures and the time series.
 * Everything is integer counts and sums, so the result does not depend on where actors ran.
 */
export class Collector implements RecordSink<SimRecord> {
  private readonly protocols = new Map<number, ProtocolFigures>();
  /** The same figures by protocol code: an array index on every record instead of a Map lookup. */
  private readonly byProtocol: ProtocolFigures[] = [];
  /** Each server's ordinal (its place in `options.servers`) by actor index, or -1. */
  private readonly serverOrdinal: Int32Array;
  private readonly serverNames: string[];
  /** Rows of `serverRowLength` numbers, by server ordinal. */
  private readonly serverRows: Float64Array;
  private readonly serverStates: { atUs: number; state: string; mode: string }[][];
  /** Open sessions of every server at each sample, by ordinal: one copy per sample, read out by server at the end. */
  private readonly openSessionSamples: Float64Array[] = [];
  private readonly series: Series;
  private nextSampleUs = 0;
  private readonly openMaintenance = new Map<number, { startUs: number; mode: string }>();
  private readonly timeSeries: TimeSeriesRecorder | undefined;
  private readonly control: ControlFigures = { routers: new Map(), placement: [], health: [], destinations: new Map() };
  private readonly resilience: ResilienceFigures;
  private readonly maintenanceWindows: MaintenanceWindowRecorder;
  private readonly kubernetes: KubernetesFigures | undefined;

  constructor(private readonly options: CollectorOptions) {
    this.resilience = new ResilienceFigures(options.actorNames);
    if (options.kubernetes !== undefined) {
      const windows = options.windows ?? 1;
      const windowUs = Math.max(1, Math.ceil((options.durationUs ?? options.sampleEveryUs) / windows));
      this.kubernetes = new KubernetesFigures({ actorNames: options.actorNames, ...options.kubernetes, windows, windowUs });
    }
    this.maintenanceWindows = new MaintenanceWindowRecorder(options.actorNames);
    this.serverOrdinal = new Int32Array(options.actorNames.length).fill(-1);
    options.servers.forEach((actor, ordinal) => (this.serverOrdinal[actor] = ordinal));
    this.serverNames = options.servers.map((actor) => options.actorNames[actor]!);
    this.serverRows = new Float64Array(options.servers.length * serverRowLength);
    this.serverStates = options.servers.map(() => []);
    this.series = {
      sampleEveryUs: options.sampleEveryUs,
      timesUs: [],
      openSessions: new Map(),
      maintenance: new Map(this.serverNames.map((name) => [name, []])),
    };
    for (const protocol of [Protocol.HTTP, Protocol.SIP, Protocol.EJB, Protocol.JMS]) {
      const figures = new ProtocolFigures();
      this.protocols.set(protocol, figures);
      this.byProtocol[protocol] = figures;
    }
    if (options.durationUs !== undefined && options.windows !== undefined) {
      this.timeSeries = new TimeSeriesRecorder({ ...options, durationUs: options.durationUs, windows: options.windows, maintenanceWindows: this.maintenanceWindows });
    }
  }

  /** The collector's handlers by record type, with those of the time series and the resilience figures. */
  get handlerTables(): readonly RecordHandlers[] {
    const always = [this.handlers, this.maintenanceWindows.handlers, this.resilience.handlers, ...(this.kubernetes === undefined ? [] : [this.kubernetes.handlers])];
    return this.timeSeries === undefined ? always : [...always, this.timeSeries.handlers];
  }

  /** Feeds one record (a run feeds `handlerTables` through its own bus). */
  record(timeUs: number, actor: number, record: SimRecord): void {
    (this.bus ??= new RecordBus(this.handlerTables)).record(timeUs, actor, record);
  }

  private bus: RecordBus | undefined;

  private readonly handlers: RecordHandlers = {
    'session-started': (_timeUs, _actor, record) => {
      this.protocol(record.protocol).sessionsStarted++;
    },
    'session-ended': (_timeUs, _actor, record) => {
      const figures = this.protocol(record.protocol);
      if (record.outcome === 'completed') figures.sessionsCompleted++;
      else increment(record.outcome === 'dropped' ? figures.sessionsDropped : figures.sessionsRejected, record.cause);
    },
    'request-ended': (_timeUs, _actor, record) => {
      const figures = this.protocol(record.protocol);
      figures.requests++;
      if (record.status === Status.OK) {
        figures.requestsOk++;
        figures.latency.add(record.latencyUs);
      } else if (record.status === Status.REJECTED) figures.requestsRejected++;
      else figures.requestsDropped++;
    },
    accepted: (_timeUs, _actor, record) => {
      const ordinal = this.serverOrdinal[record.server] ?? -1;
      if (ordinal >= 0) this.serverRows[ordinal * serverRowLength + requestsField]!++;
      if (record.state === ServerState.MAINTENANCE) {
        increment(this.protocol(record.protocol).routedToMaintenance, record.workClass === '' ? 'default' : record.workClass);
      }
    },
    'server-sessions': (timeUs, _actor, record) => {
      // The samples hold each server's open sessions as they stood just before the sample time.
      if (timeUs >= this.nextSampleUs) this.sampleUpTo(timeUs);
      const ordinal = this.serverOrdinal[record.server] ?? -1;
      if (ordinal < 0) return;
      const row = ordinal * serverRowLength;
      this.serverRows[row + openSessionsField] = record.total;
      if (record.total > this.serverRows[row + peakSessionsField]!) this.serverRows[row + peakSessionsField] = record.total;
    },
    'server-state': (timeUs, _actor, record) => {
      const ordinal = this.serverOrdinal[record.server] ?? -1;
      if (ordinal < 0) return;
      const state = serverStateNames[record.state] ?? 'unknown';
      const mode = maintenanceModeNames[record.mode] ?? '';
      this.serverStates[ordinal]!.push({ atUs: timeUs, state, mode });
      this.trackMaintenance(record.server, this.serverNames[ordinal]!, timeUs, record.state === ServerState.MAINTENANCE || record.mode !== MaintenanceMode.UNSPECIFIED, mode);
    },
    'queue-wait': (_timeUs, _actor, record) => {
      const ordinal = this.serverOrdinal[record.server] ?? -1;
      if (ordinal < 0) return;
      const row = ordinal * serverRowLength;
      this.serverRows[row + queueWaitsField]!++;
      this.serverRows[row + queueWaitSumField]! += record.waitUs;
    },
    'session-failover': (_timeUs, _actor, record) => {
      this.protocol(record.protocol).sessionFailovers++;
    },
    'routed-away': (_timeUs, _actor, record) => increment(this.protocol(record.protocol).routedAway, record.cause),
    'router-state': (timeUs, _actor, record) => {
      const name = this.options.actorNames[record.router]!;
      let router = this.control.routers.get(name);
      if (router === undefined) this.control.routers.set(name, (router = { states: [] }));
      router.states.push({ atUs: timeUs, state: serverStateNames[record.state] ?? 'unknown', mode: maintenanceModeNames[record.mode] ?? '' });
    },
    'placement-action': (timeUs, _actor, record) => {
      this.control.placement.push({
        atUs: timeUs,
        cluster: record.cluster,
        server: this.options.actorNames[record.server]!,
        node: record.node,
        action: record.action,
        countedInstances: record.countedInstances,
        min: record.min,
        max: record.max,
        countedOnNode: record.countedOnNode,
        verticalLimit: record.verticalLimit,
      });
    },
    'health-action': (timeUs, _actor, record) => {
      this.control.health.push({
        atUs: timeUs,
        policy: record.policy,
        server: this.options.actorNames[record.server]!,
        action: record.action,
        supervised: record.supervised,
        meanResponseUs: record.valueUs,
        errorPercent: record.errorPercent,
      });
    },
    'messages-in-flight': (_timeUs, _actor, record) => {
      let destination = this.control.destinations.get(record.destination);
      if (destination === undefined) this.control.destinations.set(record.destination, (destination = { peakInFlight: 0, inFlight: 0 }));
      destination.inFlight = record.inFlight;
      if (record.inFlight > destination.peakInFlight) destination.peakInFlight = record.inFlight;
    },
  };

  private protocol(protocol: Protocol): ProtocolFigures {
    return this.byProtocol[protocol]!;
  }

  private trackMaintenance(actor: number, name: string, timeUs: number, inMaintenance: boolean, mode: string): void {
    const open = this.openMaintenance.get(actor);
    if (open !== undefined && (!inMaintenance || open.mode !== mode)) {
      this.series.maintenance.get(name)!.push({ startUs: open.startUs, endUs: timeUs, mode: open.mode });
      this.openMaintenance.delete(actor);
    }
    if (inMaintenance && this.openMaintenance.get(actor) === undefined) this.openMaintenance.set(actor, { startUs: timeUs, mode });
  }

  // Samples are taken at multiples of the period, with the state as it stood just before.
  private sampleUpTo(timeUs: number): void {
    while (this.nextSampleUs <= timeUs) {
      this.series.timesUs.push(this.nextSampleUs);
      const sample = new Float64Array(this.serverNames.length);
      for (let ordinal = 0; ordinal < sample.length; ordinal++) sample[ordinal] = this.serverRows[ordinal * serverRowLength + openSessionsField]!;
      this.openSessionSamples.push(sample);
      this.nextSampleUs += this.options.sampleEveryUs;
    }
  }

  private serverFigures(name: string, ordinal: number): ServerFigures {
    const row = ordinal * serverRowLength;
    const queueWaits = this.serverRows[row + queueWaitsField]!;
    return {
      name,
      requests: this.serverRows[row + requestsField]!,
      openSessions: this.serverRows[row + openSessionsField]!,
      peakSessions: this.serverRows[row + peakSessionsField]!,
      meanQueueWaitUs: queueWaits === 0 ? 0 : this.serverRows[row + queueWaitSumField]! / queueWaits,
      states: this.serverStates[ordinal]!,
    };
  }

  /** Closes the series at the end of the run and returns the figures. */
  finish(endUs: number): CollectedFigures {
    this.sampleUpTo(endUs);
    for (const [actor, open] of this.openMaintenance) {
      const name = this.options.actorNames[actor]!;
      this.series.maintenance.get(name)!.push({ startUs: open.startUs, endUs, mode: open.mode });
    }
    this.openMaintenance.clear();
    this.resilience.finish(endUs);
    // The series' finish ends the open windows when there is a series; else it is done here.
    const timeSeries = this.timeSeries?.finish(endUs);
    const windows = timeSeries ?? this.maintenanceWindows.finish(endUs);
    this.serverNames.forEach((name, ordinal) => this.series.openSessions.set(name, Array.from(this.openSessionSamples, (sample) => sample[ordinal]!)));
    return {
      protocols: this.protocols,
      servers: this.serverNames.map((name, ordinal) => this.serverFigures(name, ordinal)),
      series: this.series,
      timeSeries,
      maintenanceWindows: { episodes: windows.episodes, episodesLeftOut: windows.episodesLeftOut },
      control: this.control,
      resilience: this.resilience,
      kubernetes: this.kubernetes?.finish(endUs),
      kubernetesSeries: this.kubernetes === undefined ? undefined : { windowUs: this.kubernetes.windowUs, errorsByCause: this.kubernetes.errorSeries, pods: this.kubernetes.podSamples, propagation: this.kubernetes.propagation },
    };
  }
}

export interface CollectedFigures {
  protocols: ReadonlyMap<number, ProtocolFigures>;
  servers: readonly ServerFigures[];
  series: Series;
  /** The charts' time series, when the run asked for them. */
  timeSeries: TimeSeries | undefined;
  /** Every maintenance window and drain of the run, in order of entry. */
  maintenanceWindows: MaintenanceWindows;
  control: ControlFigures;
  resilience: ResilienceFigures;
  /** A Kubernetes run's figures (summary.json's `kubernetes`) and its series for the charts. */
  kubernetes: KubernetesSummary | undefined;
  kubernetesSeries: KubernetesSeries | undefined;
}

export type { ProtocolFigures, ServerFigures };

function increment(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}
