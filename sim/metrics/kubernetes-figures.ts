import { Status } from '../../gen/clustersim/v1/cluster.js';
import type { RecordHandlers } from './record-bus.js';
import type { PodPhase } from './records.js';

export interface KubernetesFiguresOptions {
  actorNames: readonly string[];
  consumers: readonly number[];
  replicas: number;
  /** Windows of the time series (the charts'), and their length. */
  windows: number;
  windowUs: number;
}

interface PodState {
  phase: PodPhase;
  revision: number;
  terminating: boolean;
}

interface ConsumerFigures {
  updates: number;
  lagSumUs: number;
  lagMaxUs: number;
  requestsToExitedPods: number;
  /** Time this consumer kept routing to a pod that had stopped listening, summed over pods, and the longest. */
  staleRoutingUs: number;
  staleRoutingMaxUs: number;
  errorsByCause: Map<string, number>;
  routable: ReadonlySet<number>;
  /** Pods that stopped listening while this consumer still routed to them: since when. */
  staleSinceUs: Map<number, number>;
}

/** The Deployment's pods at one sample: of the revision rolled out last, of older ones, terminating. */
export interface PodCountSample {
  atUs: number;
  current: number;
  old: number;
  terminating: number;
}

/** The charts' series of a Kubernetes run: failed requests per window by cause, the pods at each sample, each consumer's updates. */
export interface KubernetesSeries {
  windowUs: number;
  errorsByCause: ReadonlyMap<string, readonly number[]>;
  pods: readonly PodCountSample[];
  /** Each consumer's applied slices, by consumer name: when, and how long after their publication. */
  propagation: ReadonlyMap<string, readonly { atUs: number; lagUs: number }[]>;
}

/** Updates kept per consumer for the chart; summary.json counts them all. */
const maxPropagationPoints = 2_000;

/** What a Kubernetes run did: rollouts, errors by cause and consumer, capacity, the consumers' lag. */
export interface KubernetesSummary {
  rollouts: { revision: number; startedAtUs: number; endedAtUs: number | null; durationUs: number | null }[];
  /** The longest completed rollout (0 when none completed). */
  rolloutDurationUs: number;
  rolloutsCompleted: number;
  errors: number;
  errorsByCause: Record<string, number>;
  pods: {
    /** Pods not terminating at most (the rollout's surge bound applies to these), and with the terminating ones. */
    maxNotTerminating: number;
    maxIncludingTerminating: number;
    /** Fewest Ready, not terminating pods once all replicas had first been Ready; and as a percentage of replicas. */
    minReady: number;
    minReadyPercent: number;
    exitedBySigkill: number;
    lostWithNode: number;
  };
  consumers: Record<string, { updates: number; lagMeanUs: number; lagMaxUs: number; requestsToExitedPods: number; staleRoutingUs: number; staleRoutingMaxUs: number; errorsByCause: Record<string, number> }>;
  evictions: { granted: number; refused: number };
  connections: ConnectionFigures;
  /** Nodes kubectl drained to the end (every pod gone). */
  nodesDrained: number;
  nodes: { atUs: number; node: string; condition: string }[];
}

/** Traffic to pods being deleted, and what became of keep-alive connections. */
export interface ConnectionFigures {
  /** Requests pods accepted after their deletion (preStop running, SIGTERM not yet handled). */
  requestsToTerminatingPods: number;
  /** Of those, sent on a keep-alive connection established before. */
  onEstablishedConnections: number;
  /** Of those, sent when no consumer listed the pod any more. */
  afterEveryConsumerUpdated: number;
  /** Requests sent on a keep-alive connection to a pod that had exited: reset. */
  reset: number;
  /** Keep-alive connections graceful servers closed on SIGTERM. */
  closedByServer: number;
}

/**
 * Folds the records of a Kubernetes run: pod phases into capacity counts, the consumers' slices
 * into propagation lag and the time each kept routing to a pod that had stopped listening, and
 * failed requests into errors by cause.
 */
export class KubernetesFigures {
  private readonly pods = new Map<number, PodState>();
  private readonly consumers = new Map<number, ConsumerFigures>();
  private readonly rollouts: KubernetesSummary['rollouts'] = [];
  private readonly errorsByCause = new Map<string, number>();
  /** Failed requests per window, by cause (the chart of errors over time). */
  readonly errorSeries = new Map<string, number[]>();
  readonly podSamples: PodCountSample[] = [];
  readonly propagation = new Map<string, { atUs: number; lagUs: number }[]>();
  private readonly nodeEvents: KubernetesSummary['nodes'] = [];
  private currentRevision = 1;
  private readyCount = 0;
  private everFullyReady = false;
  private minReady = Infinity;
  private maxNotTerminating = 0;
  private maxIncludingTerminating = 0;
  private exitedBySigkill = 0;
  private lostWithNode = 0;
  private evictionsGranted = 0;
  private evictionsRefused = 0;
  private readonly connections: ConnectionFigures = { requestsToTerminatingPods: 0, onEstablishedConnections: 0, afterEveryConsumerUpdated: 0, reset: 0, closedByServer: 0 };
  private nextSampleUs = 0;
  readonly windowUs: number;

  constructor(private readonly options: KubernetesFiguresOptions) {
    this.windowUs = options.windowUs;
    for (const consumer of options.consumers) {
      this.consumers.set(consumer, { updates: 0, lagSumUs: 0, lagMaxUs: 0, requestsToExitedPods: 0, staleRoutingUs: 0, staleRoutingMaxUs: 0, errorsByCause: new Map(), routable: new Set(), staleSinceUs: new Map() });
    }
  }

  readonly handlers: RecordHandlers = {
    'pod-phase': (timeUs, _actor, record) => {
      this.sampleUpTo(timeUs);
      // A pod is counted from its creation; the control plane's deletion of a pod already lost with its node changes nothing.
      const known = this.pods.get(record.pod);
      if (known === undefined && record.phase !== 'pending') return;
      const state = known ?? { phase: record.phase, revision: record.revision, terminating: false };
      const wasReady = isReady(state);
      state.phase = record.phase === 'terminating' ? state.phase : record.phase;
      if (record.phase === 'terminating') state.terminating = true;
      this.pods.set(record.pod, state);
      this.readyCount += (isReady(state) ? 1 : 0) - (wasReady ? 1 : 0);
      if (record.phase === 'exited' && record.reason === 'cut-by-sigkill') this.exitedBySigkill++;
      if (record.phase === 'lost') this.lostWithNode++;
      if (record.phase === 'stopping' || record.phase === 'exited') this.stoppedListening(record.pod, timeUs);
      if (record.phase === 'exited' || record.phase === 'lost') this.pods.delete(record.pod);
      this.countPods();
    },
    'endpoints-applied': (timeUs, _actor, record) => {
      const consumer = this.consumers.get(record.consumer);
      if (consumer === undefined) return;
      const lagUs = timeUs - record.publishedAtUs;
      consumer.updates++;
      consumer.lagSumUs += lagUs;
      consumer.lagMaxUs = Math.max(consumer.lagMaxUs, lagUs);
      const name = this.options.actorNames[record.consumer]!;
      let points = this.propagation.get(name);
      if (points === undefined) this.propagation.set(name, (points = []));
      if (points.length < maxPropagationPoints) points.push({ atUs: timeUs, lagUs });
      consumer.routable = new Set(record.routable);
      for (const [pod, sinceUs] of [...consumer.staleSinceUs]) {
        if (consumer.routable.has(pod)) continue;
        consumer.staleSinceUs.delete(pod);
        this.addStale(consumer, timeUs - sinceUs);
      }
    },
    'request-to-exited-pod': (_timeUs, _actor, record) => {
      const consumer = this.consumers.get(record.consumer);
      if (consumer !== undefined) consumer.requestsToExitedPods++;
      if (record.connection === 'established') this.connections.reset++;
    },
    'request-to-terminating-pod': (_timeUs, _actor, record) => {
      this.connections.requestsToTerminatingPods++;
      if (record.connection === 'established') this.connections.onEstablishedConnections++;
      if (![...this.consumers.values()].some((consumer) => consumer.routable.has(record.pod))) this.connections.afterEveryConsumerUpdated++;
    },
    'connections-closed': (_timeUs, _actor, record) => {
      this.connections.closedByServer += record.connections;
    },
    'upstream-error': (_timeUs, _actor, record) => {
      const consumer = this.consumers.get(record.consumer);
      if (consumer !== undefined) increment(consumer.errorsByCause, record.cause);
    },
    'request-ended': (timeUs, _actor, record) => {
      if (record.status === Status.OK) return;
      increment(this.errorsByCause, record.cause);
      let series = this.errorSeries.get(record.cause);
      if (series === undefined) this.errorSeries.set(record.cause, (series = new Array<number>(this.options.windows).fill(0)));
      const window = Math.min(this.options.windows - 1, Math.floor(timeUs / this.options.windowUs));
      series[window]!++;
    },
    rollout: (timeUs, _actor, record) => {
      this.sampleUpTo(timeUs); // the samples before the rollout count its pods as they were
      if (record.phase === 'started') {
        this.currentRevision = record.revision;
        this.rollouts.push({ revision: record.revision, startedAtUs: timeUs, endedAtUs: null, durationUs: null });
        return;
      }
      const rollout = this.rollouts.find((each) => each.revision === record.revision);
      if (rollout === undefined) return;
      rollout.endedAtUs = timeUs;
      rollout.durationUs = timeUs - rollout.startedAtUs;
    },
    eviction: (_timeUs, _actor, record) => {
      if (record.granted) this.evictionsGranted++;
      else this.evictionsRefused++;
    },
    'node-condition': (timeUs, _actor, record) => {
      this.nodeEvents.push({ atUs: timeUs, node: record.node, condition: record.condition });
    },
  };

  finish(endUs: number): KubernetesSummary {
    this.sampleUpTo(endUs);
    const consumers: KubernetesSummary['consumers'] = {};
    for (const [actor, consumer] of this.consumers) {
      for (const sinceUs of consumer.staleSinceUs.values()) this.addStale(consumer, endUs - sinceUs);
      consumer.staleSinceUs.clear();
      consumers[this.options.actorNames[actor]!] = {
        updates: consumer.updates,
        lagMeanUs: consumer.updates === 0 ? 0 : Math.round(consumer.lagSumUs / consumer.updates),
        lagMaxUs: consumer.lagMaxUs,
        requestsToExitedPods: consumer.requestsToExitedPods,
        staleRoutingUs: consumer.staleRoutingUs,
        staleRoutingMaxUs: consumer.staleRoutingMaxUs,
        errorsByCause: sortedRecord(consumer.errorsByCause),
      };
    }
    const completed = this.rollouts.flatMap((rollout) => (rollout.durationUs === null ? [] : [rollout.durationUs]));
    const minReady = this.minReady === Infinity ? 0 : this.minReady;
    return {
      rollouts: this.rollouts,
      rolloutDurationUs: Math.max(0, ...completed),
      rolloutsCompleted: completed.length,
      errors: [...this.errorsByCause.values()].reduce((total, count) => total + count, 0),
      errorsByCause: sortedRecord(this.errorsByCause),
      pods: {
        maxNotTerminating: this.maxNotTerminating,
        maxIncludingTerminating: this.maxIncludingTerminating,
        minReady,
        minReadyPercent: Math.round((100 * minReady) / this.options.replicas),
        exitedBySigkill: this.exitedBySigkill,
        lostWithNode: this.lostWithNode,
      },
      consumers,
      evictions: { granted: this.evictionsGranted, refused: this.evictionsRefused },
      connections: { ...this.connections },
      nodesDrained: this.nodeEvents.filter((event) => event.condition === 'drained').length,
      nodes: this.nodeEvents,
    };
  }

  private stoppedListening(pod: number, timeUs: number): void {
    for (const consumer of this.consumers.values()) {
      if (consumer.routable.has(pod) && !consumer.staleSinceUs.has(pod)) consumer.staleSinceUs.set(pod, timeUs);
    }
  }

  private addStale(consumer: ConsumerFigures, durationUs: number): void {
    consumer.staleRoutingUs += durationUs;
    consumer.staleRoutingMaxUs = Math.max(consumer.staleRoutingMaxUs, durationUs);
  }

  private countPods(): void {
    let notTerminating = 0;
    for (const state of this.pods.values()) if (!state.terminating) notTerminating++;
    this.maxNotTerminating = Math.max(this.maxNotTerminating, notTerminating);
    this.maxIncludingTerminating = Math.max(this.maxIncludingTerminating, this.pods.size);
    if (this.readyCount >= this.options.replicas) this.everFullyReady = true;
    if (this.everFullyReady) this.minReady = Math.min(this.minReady, this.readyCount);
  }

  // Samples hold the counts as they stood just before the sample time.
  private sampleUpTo(timeUs: number): void {
    while (this.nextSampleUs <= timeUs && this.podSamples.length < this.options.windows + 1) {
      const sample: PodCountSample = { atUs: this.nextSampleUs, current: 0, old: 0, terminating: 0 };
      for (const state of this.pods.values()) {
        if (state.terminating) sample.terminating++;
        else if (state.revision === this.currentRevision) sample.current++;
        else sample.old++;
      }
      this.podSamples.push(sample);
      this.nextSampleUs += this.options.windowUs;
    }
  }
}

/** Ready and not terminating: a pod new requests may be routed to. */
function isReady(state: PodState): boolean {
  return state.phase === 'ready' && !state.terminating;
}

function increment(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

function sortedRecord(counts: ReadonlyMap<string, number>): Record<string, number> {
  const result: Record<string, number> = {};
  for (const key of [...counts.keys()].sort()) result[key] = counts.get(key)!;
  return result;
}
