import { Protocol, ServerState, Status } from '../../gen/clustersim/v1/cluster.js';
import { Histogram } from './histogram.js';
import type { SimRecord } from './records.js';
import { RecordBus, type RecordHandlers } from './record-bus.js';

/** Protocols in the order every chart lists them. */
export const seriesProtocols = [Protocol.HTTP, Protocol.SIP, Protocol.EJB, Protocol.JMS] as const;

/** Each protocol's place in `seriesProtocols`, by protocol code (-1 for the others). */
const slotOfProtocol: readonly number[] = Array.from({ length: Math.max(...seriesProtocols) + 1 }, (_, code) => seriesProtocols.indexOf(code as (typeof seriesProtocols)[number]));

// A band in a timeline window shows the most telling state the server was in during it.
const stateRank: Readonly<Record<number, number>> = {
  [ServerState.RUNNING]: 0,
  [ServerState.STARTING]: 1,
  [ServerState.STOPPED]: 2,
  [ServerState.MAINTENANCE]: 3,
  [ServerState.DRAINING]: 4,
  [ServerState.FAILED]: 5,
};

// Bounds that keep the series of a run small whatever the cluster size.
const maxRequestLanes = 100;
const maxDrainCurves = 48;
const maxDrainEpisodes = 2000;
const maxAnnotations = 400;
const maxPlacementActions = 400;
const maxCurvePoints = 240;

export interface TimeSeriesOptions {
  actorNames: readonly string[];
  servers: readonly number[];
  durationUs: number;
  /** Number of windows the run is cut into (the charts' resolution). */
  windows: number;
  /** Dynamic clusters by name, with their member servers, when the topology knows them. */
  dynamicClusters?: ReadonlyMap<string, readonly number[]>;
}

/** Open sessions by protocol (in `seriesProtocols` order) at each change, thinned to a bounded number of points. */
export interface SessionCurve {
  timesUs: number[];
  /** One array per protocol, aligned with timesUs. */
  open: number[][];
}

export type EpisodeEnd = 'drained' | 'expired' | 'exited' | 'stopped' | 'failed' | 'run-end';

/** One maintenance or drain of a server (or router): from entering it to leaving, drained or cut. */
export interface DrainEpisode {
  actor: number;
  name: string;
  kind: 'maintenance' | 'draining';
  startUs: number;
  /** The drain-down deadline, when a drain period applies. */
  deadlineUs?: number;
  endUs: number;
  end: EpisodeEnd;
  /** When the last session left, if it did before the end. */
  drainedAtUs?: number;
  /** Sessions still open when the episode ended (cut at the deadline, lost on failure, or kept). */
  openAtEnd: number;
  /** Sessions open when the episode began. */
  openAtStart: number;
  curve?: SessionCurve;
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
  windowUs: number;
  windows: number;
  serverNames: string[];
  /** State per server and window (ServerState codes), row-major: server * windows + window. */
  states: Uint8Array;
  requestLanes: RequestLane[];
  latency: Map<Protocol, LatencyWindows>;
  /** Dropped sessions by protocol: per window, and by cause. */
  droppedPerWindow: Map<Protocol, Uint32Array>;
  droppedByCause: Map<Protocol, Map<string, number>>;
  episodes: DrainEpisode[];
  episodesLeftOut: number;
  annotations: Annotation[];
  annotationsLeftOut: number;
  placement: PlacementSeries[];
}

interface OpenEpisode {
  episode: DrainEpisode;
  curve?: CurveBuilder;
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
  private readonly droppedPerWindow = new Map<Protocol, Uint32Array>();
  private readonly droppedByCause = new Map<Protocol, Map<string, number>>();
  /**
   * Open sessions by protocol (`seriesProtocols` slots) of every actor, row-major by actor index:
   * a typed array, not a Map of arrays, so that a 'server-sessions' record touches one row.
   */
  private openSessions: Float64Array;
  private readonly openEpisodes = new Map<number, OpenEpisode>();
  private readonly episodes: DrainEpisode[] = [];
  private episodesLeftOut = 0;
  private curvesStarted = 0;
  private readonly annotations: Annotation[] = [];
  private annotationsLeftOut = 0;
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
    this.windowState = new Uint8Array(serverCount).fill(ServerState.RUNNING);
    this.states = new Uint8Array(serverCount * this.windows);
    this.openSessions = new Float64Array(options.actorNames.length * seriesProtocols.length);
    for (const protocol of seriesProtocols) {
      this.latencyNow[protocol] = new Histogram();
      this.latency.set(protocol, {
        count: new Uint32Array(this.windows),
        p50Us: new Float64Array(this.windows),
        p90Us: new Float64Array(this.windows),
        p99Us: new Float64Array(this.windows),
      });
      this.droppedPerWindow.set(protocol, new Uint32Array(this.windows));
      this.droppedByCause.set(protocol, new Map());
    }
    for (const [name, members] of options.dynamicClusters ?? []) this.cluster(name).members = new Set(members);
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
      const perWindow = this.droppedPerWindow.get(record.protocol);
      if (perWindow === undefined) return;
      perWindow[window]!++;
      const causes = this.droppedByCause.get(record.protocol)!;
      causes.set(record.cause, (causes.get(record.cause) ?? 0) + 1);
    },
    accepted: (timeUs, _actor, record) => {
      const window = this.enter(timeUs);
      const lane = this.laneOfActor[record.server] ?? -1;
      if (lane >= 0) this.acceptedByLane[lane * this.windows + window]!++;
    },
    'server-sessions': (timeUs, _actor, record) => {
      this.enter(timeUs);
      this.sessionsChanged(timeUs, record.server, record.protocol, record.open, record.total);
    },
    'server-state': (timeUs, _actor, record) => {
      this.enter(timeUs);
      this.stateChanged(timeUs, record.server, record.state);
    },
    'drain-started': (timeUs, _actor, record) => {
      this.enter(timeUs);
      const open = this.openEpisodes.get(record.server) ?? this.startEpisode(timeUs, record.server, 'draining');
      open.episode.deadlineUs = record.deadlineUs;
      this.annotate(timeUs, 'drain', `drain ${this.nameOf(record.server)}`);
    },
    'drain-ended': (timeUs, _actor, record) => {
      this.enter(timeUs);
      // A drain cancelled by a start is the server back in service, as a maintenance exit is.
      this.endEpisode(timeUs, record.server, record.reason === 'cancelled' ? 'exited' : record.reason, record.openSessions);
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
    (this.bus ??= new RecordBus([this.handlers])).record(timeUs, actor, record);
  }

  /** Closes the last windows and returns the series. */
  finish(endUs: number): TimeSeries {
    this.closeWindowsBefore(this.windows);
    for (const actor of [...this.openEpisodes.keys()].sort((a, b) => a - b)) this.endEpisode(endUs, actor, 'run-end', this.totalOpen(actor));
    this.episodes.sort((a, b) => a.startUs - b.startUs || a.actor - b.actor);
    this.annotations.sort((a, b) => a.timeUs - b.timeUs);
    return {
      durationUs: this.options.durationUs,
      windowUs: this.windowUs,
      windows: this.windows,
      serverNames: this.options.servers.map((actor) => this.options.actorNames[actor]!),
      states: this.states,
      requestLanes: this.requestLanes,
      latency: this.latency,
      droppedPerWindow: this.droppedPerWindow,
      droppedByCause: this.droppedByCause,
      episodes: this.episodes,
      episodesLeftOut: this.episodesLeftOut,
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

  private stateOf(actor: number): number {
    const ordinal = this.serverOrdinal[actor] ?? -1;
    return ordinal < 0 ? ServerState.UNSPECIFIED : this.currentState[ordinal]!;
  }

  private stateChanged(timeUs: number, actor: number, state: ServerState): void {
    const ordinal = this.serverOrdinal[actor] ?? -1;
    const previous = ordinal >= 0 ? this.currentState[ordinal]! : ServerState.UNSPECIFIED;
    if (ordinal >= 0) {
      this.currentState[ordinal] = state;
      if ((stateRank[state] ?? 0) > (stateRank[this.windowState[ordinal]!] ?? 0)) this.windowState[ordinal] = state;
    }
    const open = this.openEpisodes.get(actor);
    if (state === ServerState.MAINTENANCE || state === ServerState.DRAINING) {
      if (open === undefined) this.startEpisode(timeUs, actor, state === ServerState.MAINTENANCE ? 'maintenance' : 'draining');
      if (previous !== state) this.annotate(timeUs, 'maintenance', `${this.nameOf(actor)} ${state === ServerState.MAINTENANCE ? 'enters maintenance' : 'drains'}`);
      return;
    }
    if (state === ServerState.FAILED) this.annotate(timeUs, 'fault', `${this.nameOf(actor)} failed`);
    if (open === undefined) return;
    if (state === ServerState.RUNNING || state === ServerState.STARTING) {
      this.annotate(timeUs, 'maintenance', `${this.nameOf(actor)} back in service`);
      this.endEpisode(timeUs, actor, 'exited', this.totalOpen(actor));
    } else this.endEpisode(timeUs, actor, state === ServerState.FAILED ? 'failed' : 'stopped', this.totalOpen(actor));
  }

  private sessionsChanged(timeUs: number, actor: number, protocol: Protocol, open: number, total: number): void {
    const slot = slotOfProtocol[protocol] ?? -1;
    if (slot >= 0) {
      if ((actor + 1) * seriesProtocols.length > this.openSessions.length) this.holdActor(actor);
      this.openSessions[actor * seriesProtocols.length + slot] = open;
    }
    // Episodes are few and rare: most records need not look.
    if (this.openEpisodes.size === 0) return;
    const episode = this.openEpisodes.get(actor);
    if (episode === undefined) return;
    episode.curve?.add(timeUs, this.openByProtocol(actor));
    if (total === 0) episode.episode.drainedAtUs ??= timeUs;
    else delete episode.episode.drainedAtUs;
  }

  /** Makes room for an actor beyond the named ones (a stream without a topology). */
  private holdActor(actor: number): void {
    const larger = new Float64Array(Math.max(actor + 1, (2 * this.openSessions.length) / seriesProtocols.length) * seriesProtocols.length);
    larger.set(this.openSessions);
    this.openSessions = larger;
  }

  /** The actor's open sessions by protocol, as a list of its own. */
  private openByProtocol(actor: number): number[] {
    return seriesProtocols.map((_, slot) => this.openSessions[actor * seriesProtocols.length + slot] ?? 0);
  }

  private totalOpen(actor: number): number {
    return this.openByProtocol(actor).reduce((sum, open) => sum + open, 0);
  }

  private startEpisode(timeUs: number, actor: number, kind: DrainEpisode['kind']): OpenEpisode {
    const openAtStart = this.totalOpen(actor);
    const episode: DrainEpisode = { actor, name: this.nameOf(actor), kind, startUs: timeUs, endUs: timeUs, end: 'run-end', openAtEnd: openAtStart, openAtStart };
    if (openAtStart === 0) episode.drainedAtUs = timeUs;
    const open: OpenEpisode = { episode };
    if (this.curvesStarted < maxDrainCurves) {
      this.curvesStarted++;
      open.curve = new CurveBuilder();
      open.curve.add(timeUs, this.openByProtocol(actor));
    }
    this.openEpisodes.set(actor, open);
    return open;
  }

  private endEpisode(timeUs: number, actor: number, end: EpisodeEnd, openAtEnd: number): void {
    const open = this.openEpisodes.get(actor);
    if (open === undefined) return;
    this.openEpisodes.delete(actor);
    const episode = open.episode;
    episode.endUs = timeUs;
    episode.end = end;
    episode.openAtEnd = openAtEnd;
    if (openAtEnd > 0) delete episode.drainedAtUs;
    if (open.curve !== undefined) {
      // A drain that ends cuts what is left: the curve falls to zero there.
      const after = end === 'exited' || end === 'run-end' ? this.openByProtocol(actor) : [0, 0, 0, 0];
      open.curve.add(timeUs, after, true);
      episode.curve = open.curve.build();
    }
    if (this.episodes.length < maxDrainEpisodes) this.episodes.push(episode);
    else this.episodesLeftOut++;
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

/**
 * A step curve of open sessions kept to at most `maxCurvePoints` points: when full, every other
 * point is dropped and changes closer than the new spacing overwrite the last point.
 */
class CurveBuilder {
  private timesUs: number[] = [];
  private open: number[][] = [];
  private spacingUs = 0;

  /** Adds a point; the curve keeps `byProtocol`, which must be a list of the caller's own. */
  add(timeUs: number, byProtocol: number[], final = false): void {
    const last = this.timesUs.length - 1;
    if (last >= 1 && !final && timeUs - this.timesUs[last - 1]! < this.spacingUs) {
      this.open[last] = byProtocol;
      this.timesUs[last] = timeUs;
      return;
    }
    if (this.timesUs.length >= maxCurvePoints) this.thin();
    this.timesUs.push(timeUs);
    this.open.push(byProtocol);
  }

  private thin(): void {
    const lastIndex = this.timesUs.length - 1;
    const keep = (_: unknown, index: number) => index % 2 === 0 || index === lastIndex;
    this.timesUs = this.timesUs.filter(keep);
    this.open = this.open.filter(keep);
    this.spacingUs = Math.max(1, (this.timesUs.at(-1)! - this.timesUs[0]!) / maxCurvePoints) * 2;
  }

  build(): SessionCurve {
    return { timesUs: this.timesUs, open: seriesProtocols.map((_, slot) => this.open.map((point) => point[slot]!)) };
  }
}
