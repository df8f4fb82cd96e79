import { MaintenanceMode, ServerAction, ServerState, unexpected, type LoadReport, type Message, type NodeActor, type NodeContext } from '../messages.js';

export interface DynamicClusterConfig {
  name: string;
  /** The cluster's server instances (running or not), with the node each belongs to. */
  servers: readonly { actor: number; node: string; startsRunning: boolean }[];
  minInstances: number;
  maxInstances: number;
  /** Vertical stacking: instances of the cluster per node at most. */
  maxPerNode: number;
  /** Start one more instance when the running ones are busier than this on average (percent; 0: never). */
  scaleUpLoadPercent: number;
  /** Stop an idle instance (no open sessions) when they are all less busy than this (percent; 0: never). */
  scaleDownLoadPercent: number;
}

export interface PlacementControllerConfig {
  name: string;
  clusters: readonly DynamicClusterConfig[];
  decisionIntervalUs: number;
}

interface InstanceView {
  actor: number;
  node: string;
  state: ServerState;
  mode: MaintenanceMode;
  loadPercent: number;
  openSessions: number;
  /** Time of this controller's last order to it: older reports are ignored. */
  orderedAtUs: number;
}

const decideTag = 'placement-decide';

/**
 * The application placement controller of dynamic clusters. It keeps the running instances of
 * each cluster between min and max, creating (starting a dormant instance slot) or removing
 * (quiescing, then stopping) one instance per decision. A server in maintenance is not
 * controlled by it and does not count toward min or max; for vertical stacking, the maximum per
 * node minus the node's servers in maintenance decides whether an instance may be created there,
 * so that servers moving in and out of maintenance do not make it create or destroy instances:
 * a node never holds more than its maximum, those in maintenance included.
 */
export class PlacementController implements NodeActor {
  readonly name: string;
  private readonly instances = new Map<number, InstanceView>();
  private readonly clusters: { config: DynamicClusterConfig; instances: InstanceView[] }[];

  constructor(readonly config: PlacementControllerConfig) {
    this.name = config.name;
    this.clusters = config.clusters.map((cluster) => ({
      config: cluster,
      instances: cluster.servers.map((server) => {
        const view: InstanceView = {
          actor: server.actor,
          node: server.node,
          state: server.startsRunning ? ServerState.RUNNING : ServerState.STOPPED,
          mode: MaintenanceMode.UNSPECIFIED,
          loadPercent: 0,
          openSessions: 0,
          orderedAtUs: -1,
        };
        this.instances.set(server.actor, view);
        return view;
      }),
    }));
  }

  static start(): Message {
    return { $case: 'timer', value: { tag: decideTag, ref: 0 } };
  }

  onMessage(message: Message, context: NodeContext): void {
    switch (message.$case) {
      case 'loadReport':
        return this.observe(message.value);
      case 'timer':
        if (message.value.tag !== decideTag) return unexpected(this.name, message);
        for (const cluster of this.clusters) this.decide(cluster.config, cluster.instances, context);
        context.setTimer(context.now + this.config.decisionIntervalUs, PlacementController.start());
        return;
      default:
        return unexpected(this.name, message);
    }
  }

  private observe(report: LoadReport): void {
    const view = this.instances.get(report.server);
    if (view === undefined || report.atUs < view.orderedAtUs) return;
    view.state = report.state;
    view.mode = report.mode;
    view.loadPercent = report.loadPercent;
    view.openSessions = report.openSessions;
  }

  private decide(cluster: DynamicClusterConfig, instances: readonly InstanceView[], context: NodeContext): void {
    const counts = countInstances(instances);
    const counted = counts.counted;
    if (counted < cluster.minInstances || (counted < cluster.maxInstances && busy(instances, cluster.scaleUpLoadPercent))) {
      const candidate = this.startCandidate(cluster, instances, counts);
      if (candidate !== undefined) this.order(cluster, candidate, ServerAction.START, counts, context);
      return;
    }
    if (counted > cluster.maxInstances) {
      const candidate = leastLoaded(instances, false);
      if (candidate !== undefined) this.order(cluster, candidate, ServerAction.STOP, counts, context);
      return;
    }
    if (counted > cluster.minInstances && idle(instances, cluster.scaleDownLoadPercent)) {
      const candidate = leastLoaded(instances, true);
      if (candidate !== undefined) this.order(cluster, candidate, ServerAction.STOP, counts, context);
    }
  }

  /** A stopped instance, not in maintenance, on the node with the fewest counted instances that is under its vertical limit. */
  private startCandidate(cluster: DynamicClusterConfig, instances: readonly InstanceView[], counts: InstanceCounts): InstanceView | undefined {
    let best: InstanceView | undefined;
    let bestOnNode = Infinity;
    for (const view of instances) {
      if (view.state !== ServerState.STOPPED || view.mode !== MaintenanceMode.UNSPECIFIED) continue;
      const onNode = counts.countedOnNode.get(view.node) ?? 0;
      if (onNode >= this.verticalLimit(cluster, counts, view.node) || onNode >= bestOnNode) continue;
      best = view;
      bestOnNode = onNode;
    }
    return best;
  }

  /**
   * How many counted instances `node` may run: the configured maximum per node minus the node's
   * servers in maintenance, which still occupy the node. Protected so that a test can try a
   * controller that leaves them out.
   */
  protected verticalLimit(cluster: DynamicClusterConfig, counts: InstanceCounts, node: string): number {
    return cluster.maxPerNode - (counts.maintenanceOnNode.get(node) ?? 0);
  }

  private order(cluster: DynamicClusterConfig, view: InstanceView, action: ServerAction, counts: InstanceCounts, context: NodeContext): void {
    context.record({
      type: 'placement-action',
      cluster: cluster.name,
      server: view.actor,
      node: view.node,
      action: action === ServerAction.START ? 'start' : 'stop',
      serverState: view.state,
      countedInstances: counts.counted,
      min: cluster.minInstances,
      max: cluster.maxInstances,
      countedOnNode: counts.countedOnNode.get(view.node) ?? 0,
      verticalLimit: this.verticalLimit(cluster, counts, view.node),
    });
    view.state = action === ServerAction.START ? ServerState.STARTING : ServerState.DRAINING;
    view.orderedAtUs = context.now;
    // An instance is stopped gracefully: its users finish their sessions first.
    const order = action === ServerAction.STOP ? ServerAction.QUIESCE : action;
    context.send(view.actor, { $case: 'serverControl', value: { action: order, reason: `placement of ${cluster.name}` } });
  }
}

export interface InstanceCounts {
  /** Running or starting instances not in maintenance: what min and max are about. */
  counted: number;
  countedOnNode: Map<string, number>;
  maintenanceOnNode: Map<string, number>;
}

function countInstances(instances: readonly InstanceView[]): InstanceCounts {
  const counts: InstanceCounts = { counted: 0, countedOnNode: new Map(), maintenanceOnNode: new Map() };
  for (const view of instances) {
    if (view.mode !== MaintenanceMode.UNSPECIFIED) {
      counts.maintenanceOnNode.set(view.node, (counts.maintenanceOnNode.get(view.node) ?? 0) + 1);
    } else if (view.state === ServerState.RUNNING || view.state === ServerState.STARTING) {
      counts.counted++;
      counts.countedOnNode.set(view.node, (counts.countedOnNode.get(view.node) ?? 0) + 1);
    }
  }
  return counts;
}

function counts(view: InstanceView): boolean {
  return view.mode === MaintenanceMode.UNSPECIFIED && view.state === ServerState.RUNNING;
}

function busy(instances: readonly InstanceView[], limitPercent: number): boolean {
  if (limitPercent <= 0) return false;
  let total = 0;
  let running = 0;
  for (const view of instances) {
    if (!counts(view)) continue;
    total += view.loadPercent;
    running++;
  }
  return running > 0 && total / running > limitPercent;
}

function idle(instances: readonly InstanceView[], limitPercent: number): boolean {
  if (limitPercent <= 0) return false;
  for (const view of instances) if (counts(view) && view.loadPercent >= limitPercent) return false;
  return true;
}

/** The counted instance with the fewest open sessions (only an idle one when `idleOnly`). */
function leastLoaded(instances: readonly InstanceView[], idleOnly: boolean): InstanceView | undefined {
  let best: InstanceView | undefined;
  for (const view of instances) {
    if (!counts(view) || (idleOnly && view.openSessions > 0)) continue;
    if (best === undefined || view.openSessions < best.openSessions) best = view;
  }
  return best;
}
