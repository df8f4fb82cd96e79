import { MaintenanceMode, Protocol, ServerState, Status } from '../../gen/clustersim/v1/cluster.js';
import { Histogram } from './histogram.js';
import type { SimRecord } from './records.js';
import { MaintenanceWindowRecorder, type DrainEpisode } from './maintenance-windows.js';
import { seriesProtocols } from './protocols.js';
import { RecordBus, type RecordHandlers } from './record-bus.js';

export { seriesProtocols } from './protocols.js';
export type { DrainEpisode, EpisodeEnd, SessionCurve } from './maintenance-windows.js';

// A band in a timeline window shows the most telling state the server was in during it.
const stateRank: Readonly<Record<number, number>> = {
  [ServerState.RUNNING]: 0,
  [ServerState.STARTING]: 1,
  [ServerState.STOPPED]: 2,
  [ServerState.MAINTENANCE]: 3,
  [ServerState.DRAINING]: 4,
  [ServerState.FAILED]: 5,
};

const modeLabel: Readonly<Record<number, string>> = {
  [MaintenanceMode.AFFINITY]: ' (keep affinity)',
  [MaintenanceMode.BREAK]: ' (break affinity)',
  [MaintenanceMode.STOP]: ' (stop)',
};

// Bounds that keep the series of a run small whatever the cluster size.
const maxRequestLanes = 100;
const maxAnnotations = 400;
const maxPlacementActions = 400;
// Causes of drops kept apart over time; any beyond are summed.
const maxDropCauses = 12;
export const otherCauses = 'other causes';

export interface DynamicClusterSpec {
  members: readonly number[];
  min: number;
  max: number;
}

export interface TimeSeriesOptions {
  actorNames: readonly string[];
  servers: readonly number[];
  durationUs: number;
  /** Number of windows the run is cut into (the charts' resolution). */
  windows: number;
  /** Dynamic clusters by name, with their member servers, when the topology knows them. */
  dynamicClusters?: ReadonlyMap<string, DynamicClusterSpec>;
  /** Each server's state when the run begins (running unless given: a dynamic cluster's spare slots are stopped). */
  initialStates?: ReadonlyMap<number, ServerState>;
  /** The run's maintenance windows, fed by the caller; without it the series keeps its own. */
  maintenanceWindows?: MaintenanceWindowRecorder;
}

export interface Annotation {
  timeUs: number;
  kind: 'fault' | 'maintenance' | 'address' | 'drain';
  label: string;
}

/** Requests accepted per window by a group of consecutive servers (one server when the cluster is small). */
export interface RequestLane {
  name: string;
  servers: number;
  /** Accepted requests in each window. */
  accepted: Uint32Array;
}

export interface LatencyWindows {
  /** OK requests completed in each window. */
  count: Uint32Array;
  p50Us: Float64Array;
  p90Us: Float64Array;
  p99Us: Float64Array;
}

export interface PlacementSeries {
  cluster: string;
  /** Members in state running, in maintenance, and the bounds, at the end of each window. */
  running: Uint32Array;
  inMaintenance: Uint32Array;
  min: Float64Array;
  max: Float64Array;
  actions: { timeUs: number; action: 'start' | 'stop'; server: string; countedInstances: number }[];
}

/** Everything the charts draw, sampled into a fixed number of windows per run. */
export interface TimeSeries {
  durationUs: number;
  /** Where the run ended: before `durationUs` when it was stopped (Ctrl-C, SIGTERM, a limit). */
  endUs: number;
  windowUs: number;
  windows: number;
  serverNames: string[];
  /** State per server and window (ServerState codes), row-major: server * windows + window. */
  states: Uint8Array;
  requestLanes: RequestLane[];
  latency: Map<Protocol, LatencyWindows>;
  /** Dropped sessions per window by cause (the first causes met; the rest summed as "other causes"), and by protocol and cause. */
  droppedPerWindow: Map<string, Uint32Array>;
  droppedByCause: Map<Protocol, Map<string, number>>;
  episodes: DrainEpisode[];
  episodesLeftOut: number;
  annotations: Annotation[];
  annotationsLeftOut: number;
  placement: PlacementSeries[];
}

/**
 * Folds the record stream into the bounded time series of the charts. Memory is a fixed number
 * of windows per server (one byte each) plus bounded lists, so 10,000 servers stay cheap.
 */
export class TimeSeriesRecorder {
  private readonly windowUs: number;
  private readonly windows: number;
  private readonly serverOrdinal: Int32Array;
  /** Request lane of each server, by actor index (-1 for other actors). */
  private readonly laneOfActor: Int32Array;
  /** Accepted requests by lane and window, row-major: each lane's `accepted` is a view of its row. */
  private readonly acceptedByLane: Uint32Array;
  private readonly currentState: Uint8Array;
  private readonly windowState: Uint8Array;
  private readonly states: Uint8Array;
  private readonly requestLanes: RequestLane[];
  /** OK latencies of the window under way, by protocol code. */
  private readonly latencyNow: Histogram[] = [];
  private readonly latency = new Map<Protocol, LatencyWindows>();
  private readonly droppedPerWindow = new Map<string, Uint32Array>();
  private readonly droppedByCause = new Map<Protocol, Map<string, number>>();
  private readonly maintenanceWindows: MaintenanceWindowRecorder;
  /** Whether the windows are this series' own, fed through its `record`. */
  private readonly ownWindows: boolean;
  private readonly annotations: Annotation[] = [];
  private annotationsLeftOut = 0;
  /** Each ODR's last state, for its maintenance steps on the timeline. */
  private readonly routerStates = new Map<number, ServerState>();
  private readonly clusters = new Map<string, { members: Set<number>; min: number; max: number; series: PlacementSeries }>();
  private window = 0;

  constructor(private readonly options: TimeSeriesOptions) {
    this.windows = Math.max(1, options.windows);
    this.windowUs = Math.max(1, Math.ceil(options.durationUs / this.windows));
    const serverCount = options.servers.length;
    this.serverOrdinal = new Int32Array(options.actorNames.length).fill(-1);
    this.laneOfActor = new Int32Array(options.actorNames.length).fill(-1);
    const laneCount = Math.min(serverCount, maxRequestLanes);
    this.acceptedByLane = new Uint32Array(laneCount * this.windows);
    this.requestLanes = [];
    options.servers.forEach((actor, ordinal) => {
      this.serverOrdinal[actor] = ordinal;
      const lane = Math.floor((ordinal * laneCount) / serverCount);
      this.laneOfActor[actor] = lane;
      const existing = this.requestLanes[lane];
      if (existing === undefined) {
        const accepted = this.acceptedByLane.subarray(lane * this.windows, (lane + 1) * this.windows);
        this.requestLanes[lane] = { name: options.actorNames[actor]!, servers: 1, accepted };
      }
      else {
        existing.servers++;
        existing.name = `${existing.name.split(' … ')[0]} … ${options.actorNames[actor]!}`;
      }
    });
    this.currentState = new Uint8Array(serverCount).fill(ServerState.RUNNING);
    for (const [actor, state] of options.initialStates ?? []) if (this.serverOrdinal[actor]! >= 0) this.currentState[this.serverOrdinal[actor]!] = state;
    this.windowState = Uint8Array.from(this.currentState);
    this.states = new Uint8Array(serverCount * this.windows);
    this.ownWindows = options.maintenanceWindows === undefined;
    this.maintenanceWindows = options.maintenanceWindows ?? new MaintenanceWindowRecorder(options.actorNames);
    for (const protocol of seriesProtocols) {
      this.latencyNow[protocol] = new Histogram();
      this.latency.set(protocol, {
        count: new Uint32Array(this.windows),
        p50Us: new Float64Array(this.windows),
        p90Us: new Float64Array(this.windows),
        p99Us: new Float64Array(this.windows),
      });
      this.droppedByCause.set(protocol, new Map());
    }
    for (const [name, spec] of options.dynamicClusters ?? []) {
      const cluster = this.cluster(name);
      cluster.members = new Set(spec.members);
      cluster.min = spec.min;
      cluster.max = spec.max;
    }
  }

  /** What each record type changes in the series; every handler first closes the windows before its record's. */
  readonly handlers: RecordHandlers = {
    'request-ended': (timeUs, _actor, record) => {
      this.enter(timeUs);
      if (record.status === Status.OK) this.latencyNow[record.protocol]?.add(record.latencyUs);
    },
    'session-ended': (timeUs, _actor, record) => {
      const window = this.enter(timeUs);
      if (record.outcome !== 'dropped') return;
      const causes = this.droppedByCause.get(record.protocol);
      if (causes === undefined) return;
      this.droppedInWindow(record.cause, window);
      causes.set(record.cause, (causes.get(record.cause) ?? 0) + 1);
    },
    accepted: (timeUs, _actor, record) => {
      const window = this.enter(timeUs);
      const lane = this.laneOfActor[record.server] ?? -1;
      if (lane >= 0) this.acceptedByLane[lane * this.windows + window]!++;
    },
    'server-state': (timeUs, _actor, record) => {
      this.enter(timeUs);
      this.stateChanged(timeUs, record.server, record.state, record.mode);
    },
    'router-state': (timeUs, _actor, record) => {
      this.enter(timeUs);
      this.routerStateChanged(timeUs, record.router, record.state, record.mode);
    },
    'drain-started': (timeUs, _actor, record) => {
      this.enter(timeUs);
      this.annotate(timeUs, 'drain', `drain ${this.nameOf(record.server)}`);
    },
    fault: (timeUs, _actor, record) => {
      this.enter(timeUs);
      this.annotate(timeUs, 'fault', `${record.kind} ${record.target}`);
    },
    'address-owner': (timeUs, _actor, record) => {
      this.enter(timeUs);
      if (record.change === 'acquire') this.annotate(timeUs, 'address', `${record.address} → ${this.nameOf(record.owner)}`);
    },
    'placement-action': (timeUs, _actor, record) => {
      this.enter(timeUs);
      this.placementAction(timeUs, record);
    },
  };
  private bus: RecordBus | undefined;

  /** Feeds one record (the run feeds `handlers` through its own bus). */
  record(timeUs: number, actor: number, record: SimRecord): void {
    (this.bus ??= new RecordBus(this.ownWindows ? [this.handlers, this.maintenanceWindows.handlers] : [this.handlers])).record(timeUs, actor, record);
  }

  /** Closes the last windows and returns the series. */
  finish(endUs: number): TimeSeries {
    this.closeWindowsBefore(this.windows);
    const { episodes, episodesLeftOut } = this.maintenanceWindows.finish(endUs);
    this.annotations.sort((a, b) => a.timeUs - b.timeUs);
    return {
      durationUs: this.options.durationUs,
      endUs: Math.min(endUs, this.options.durationUs),
      windowUs: this.windowUs,
      windows: this.windows,
      serverNames: this.options.servers.map((actor) => this.options.actorNames[actor]!),
      states: this.states,
      requestLanes: this.requestLanes,
      latency: this.latency,
      droppedPerWindow: this.droppedPerWindow,
      droppedByCause: this.droppedByCause,
      episodes,
      episodesLeftOut,
      annotations: this.annotations,
      annotationsLeftOut: this.annotationsLeftOut,
      placement: [...this.clusters.keys()].sort().map((name) => this.clusters.get(name)!.series),
    };
  }

  /**
   * The window of `timeUs`, closing the windows before it first. Only records the series looks
   * at change what a window holds, so closing windows when such a record comes is the same as
   * closing them as time passes.
   */
  private enter(timeUs: number): number {
    const window = Math.min(this.windows - 1, Math.floor(timeUs / this.windowUs));
    if (window > this.window) this.closeWindowsBefore(window);
    return window;
  }

  private closeWindowsBefore(window: number): void {
    for (; this.window < window; this.window++) {
      const closing = this.window;
      for (let ordinal = 0; ordinal < this.currentState.length; ordinal++) {
        this.states[ordinal * this.windows + closing] = this.windowState[ordinal]!;
      }
      this.windowState.set(this.currentState);
      for (const protocol of seriesProtocols) {
        const histogram = this.latencyNow[protocol]!;
        if (histogram.count === 0) continue;
        const windows = this.latency.get(protocol)!;
        windows.count[closing] = histogram.count;
        windows.p50Us[closing] = histogram.percentile(0.5);
        windows.p90Us[closing] = histogram.percentile(0.9);
        windows.p99Us[closing] = histogram.percentile(0.99);
        this.latencyNow[protocol] = new Histogram();
      }
      for (const { members, min, max, series } of this.clusters.values()) {
        let running = 0;
        let inMaintenance = 0;
        for (const member of members) {
          const state = this.stateOf(member);
          if (state === ServerState.RUNNING) running++;
          else if (state === ServerState.MAINTENANCE) inMaintenance++;
        }
        series.running[closing] = running;
        series.inMaintenance[closing] = inMaintenance;
        series.min[closing] = min;
        series.max[closing] = max;
      }
    }
  }

  private droppedInWindow(cause: string, window: number): void {
    let perWindow = this.droppedPerWindow.get(cause);
    if (perWindow === undefined) {
      const key = this.droppedPerWindow.size < maxDropCauses - 1 ? cause : otherCauses;
      perWindow = this.droppedPerWindow.get(key) ?? new Uint32Array(this.windows);
      this.droppedPerWindow.set(key, perWindow);
    }
    perWindow[window]!++;
  }

  private stateOf(actor: number): number {
    const ordinal = this.serverOrdinal[actor] ?? -1;
    return ordinal < 0 ? ServerState.UNSPECIFIED : this.currentState[ordinal]!;
  }

  private stateChanged(timeUs: number, actor: number, state: ServerState, mode: MaintenanceMode): void {
    const ordinal = this.serverOrdinal[actor] ?? -1;
    const previous = ordinal >= 0 ? this.currentState[ordinal]! : ServerState.UNSPECIFIED;
    if (ordinal >= 0) {
      this.currentState[ordinal] = state;
      if ((stateRank[state] ?? 0) > (stateRank[this.windowState[ordinal]!] ?? 0)) this.windowState[ordinal] = state;
    }
    if (previous !== state) this.annotateState(timeUs, actor, previous, state, mode);
  }

  private routerStateChanged(timeUs: number, actor: number, state: ServerState, mode: MaintenanceMode): void {
    const previous = this.routerStates.get(actor) ?? ServerState.RUNNING;
    this.routerStates.set(actor, state);
    if (previous !== state) this.annotateState(timeUs, actor, previous, state, mode);
  }

  private annotateState(timeUs: number, actor: number, previous: ServerState, state: ServerState, mode: MaintenanceMode): void {
    const name = this.nameOf(actor);
    if (state === ServerState.MAINTENANCE) this.annotate(timeUs, 'maintenance', `${name} enters maintenance${modeLabel[mode] ?? ''}`);
    else if (state === ServerState.DRAINING) this.annotate(timeUs, 'maintenance', `${name} drains`);
    else if (state === ServerState.FAILED) this.annotate(timeUs, 'fault', `${name} failed`);
    else if (state === ServerState.STOPPED && mode === MaintenanceMode.STOP) this.annotate(timeUs, 'maintenance', `${name} stopped for maintenance`);
    else if (state === ServerState.RUNNING && (previous === ServerState.MAINTENANCE || previous === ServerState.DRAINING)) this.annotate(timeUs, 'maintenance', `${name} back in service`);
  }

  private annotate(timeUs: number, kind: Annotation['kind'], label: string): void {
    if (this.annotations.length < maxAnnotations) this.annotations.push({ timeUs, kind, label });
    else this.annotationsLeftOut++;
  }

  private placementAction(timeUs: number, record: Extract<SimRecord, { type: 'placement-action' }>): void {
    const cluster = this.cluster(record.cluster);
    cluster.members.add(record.server);
    cluster.min = record.min;
    cluster.max = record.max;
    if (cluster.series.actions.length < maxPlacementActions) {
      cluster.series.actions.push({ timeUs, action: record.action, server: this.nameOf(record.server), countedInstances: record.countedInstances });
    }
  }

  private cluster(name: string): { members: Set<number>; min: number; max: number; series: PlacementSeries } {
    let cluster = this.clusters.get(name);
    if (cluster === undefined) {
      cluster = {
        members: new Set(),
        min: Number.NaN,
        max: Number.NaN,
        series: {
          cluster: name,
          running: new Uint32Array(this.windows),
          inMaintenance: new Uint32Array(this.windows),
          min: new Float64Array(this.windows).fill(Number.NaN),
          max: new Float64Array(this.windows).fill(Number.NaN),
          actions: [],
        },
      };
      this.clusters.set(name, cluster);
    }
    return cluster;
  }

  private nameOf(actor: number): string {
    return this.options.actorNames[actor] ?? `actor ${actor}`;
  }
}
