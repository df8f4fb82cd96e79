import { ServerState } from '../../gen/clustersim/v1/cluster.js';
import { serverStateNames } from '../metrics/collector.js';
import type { RecordOf } from '../metrics/record-bus.js';
import type { Checker, CheckContext, CheckerHandlers } from './checker.js';

export interface ClusterMember {
  server: number;
  node: string;
}

export interface PlacementCheckerOptions {
  /** Each cluster's configured instances per node (`verticalStacking`). */
  configuredPerNode?: ReadonlyMap<string, number>;
  /**
   * How long the controller may take to hear of a state change (its load reports): a member that
   * changed state this recently may be counted as before or after.
   */
  reportDelayUs?: number;
}

/**
 * The placement controller and maintenance, recomputed from the servers' own states:
 * - placement-maintenance: it never starts or stops a server in maintenance;
 * - placement-counts: the instances it counts (cluster-wide and on the node) are the running or
 *   starting members outside maintenance, and its vertical limit is the configured per-node
 *   maximum minus the node's members in maintenance;
 * A server is in maintenance from its entry to its exit whatever its life cycle in between: one
 * that stop mode stopped, that crashed, or that is starting again is still out of the controller's hands.
 * The controller decides on load reports: a member whose state changed within the report delay,
 * or that failed (a crashed node reports nothing), may be counted as it was or as it is.
 * - placement-bounds: it starts only below the maximum and the vertical limit, stops only above
 *   the minimum.
 * Members of a cluster are given, or found by name (`<node>/<cluster>-<n>`) and from the actions.
 */
export class PlacementChecker implements Checker {
  readonly rules = ['placement-maintenance', 'placement-counts', 'placement-bounds'];
  private readonly members = new Map<string, Map<number, string>>();
  /**
   * Per-node maximum of each cluster: as configured when given, else as first seen (vertical limit
   * plus members in maintenance).
   */
  private readonly configuredPerNode: Map<string, number>;
  private readonly reportDelayUs: number;

  constructor(
    private readonly actorNames: readonly string[],
    knownMembers: ReadonlyMap<string, readonly ClusterMember[]> = new Map(),
    options: PlacementCheckerOptions = {},
  ) {
    this.configuredPerNode = new Map(options.configuredPerNode ?? []);
    this.reportDelayUs = options.reportDelayUs ?? 0;
    for (const [cluster, members] of knownMembers) {
      const byServer = this.clusterMembers(cluster);
      for (const member of members) byServer.set(member.server, member.node);
    }
  }

  readonly handlers: CheckerHandlers = {
    'placement-action': (timeUs, actor, record, context) => this.placementAction(timeUs, actor, record, context),
  };

  private placementAction(timeUs: number, actor: number, record: RecordOf<'placement-action'>, context: CheckContext): void {
    const members = this.clusterMembers(record.cluster);
    members.set(record.server, record.node);
    const base = { timeUs, actor: context.actorName(actor) };
    const target = context.actorName(record.server);
    const state = context.truth.state(record.server);
    if (context.truth.underMaintenance(record.server) && !this.unsettled(record.server, timeUs, context)) {
      context.report({ ...base, rule: 'placement-maintenance', detail: `${record.action} of ${target}, which is in maintenance` });
    }

    // Each count as a range: members the controller may not have heard about yet count either way.
    const instances = { low: 0, high: 0 };
    const onNode = { low: 0, high: 0 };
    const inMaintenanceOnNode = { low: 0, high: 0 };
    for (const [server, node] of members) {
      const memberState = context.truth.state(server);
      const inMaintenance = context.truth.underMaintenance(server);
      const counted = !inMaintenance && (memberState === ServerState.RUNNING || memberState === ServerState.STARTING);
      const recent = this.changedRecently(server, timeUs, context);
      // A silent node's crash reaches no one: the controller may still count its server.
      const mayCount = counted || recent || (memberState === ServerState.FAILED && !inMaintenance);
      const certain = counted && !recent;
      widen(instances, certain, mayCount);
      if (node !== record.node) continue;
      widen(onNode, certain, mayCount);
      widen(inMaintenanceOnNode, inMaintenance && !recent, inMaintenance || recent);
    }
    const where = `cluster ${record.cluster}, ${record.action} of ${target}`;
    if (!within(record.countedInstances, instances)) {
      context.report({ ...base, rule: 'placement-counts', detail: `${where}: counted ${record.countedInstances} instances, ${shown(instances)} run outside maintenance` });
    }
    if (!within(record.countedOnNode, onNode)) {
      context.report({ ...base, rule: 'placement-counts', detail: `${where}: counted ${record.countedOnNode} on ${record.node}, ${shown(onNode)} run there outside maintenance` });
    }
    const configured = this.configuredPerNode.get(record.cluster);
    if (configured === undefined) {
      if (inMaintenanceOnNode.low === inMaintenanceOnNode.high) this.configuredPerNode.set(record.cluster, record.verticalLimit + inMaintenanceOnNode.low);
    } else if (!within(configured - record.verticalLimit, inMaintenanceOnNode)) {
      const expected = { low: configured - inMaintenanceOnNode.high, high: configured - inMaintenanceOnNode.low };
      context.report({
        ...base,
        rule: 'placement-counts',
        detail: `${where}: vertical limit ${record.verticalLimit} on ${record.node} with ${shown(inMaintenanceOnNode)} in maintenance there; expected ${shown(expected)}`,
      });
    }

    if (record.action === 'start') {
      if (record.countedInstances >= record.max) {
        context.report({ ...base, rule: 'placement-bounds', detail: `${where}: started with ${record.countedInstances} instances, maximum ${record.max}` });
      }
      if (record.countedOnNode >= record.verticalLimit) {
        context.report({ ...base, rule: 'placement-bounds', detail: `${where}: started with ${record.countedOnNode} on ${record.node}, vertical limit ${record.verticalLimit}` });
      }
    } else if (record.countedInstances <= record.min) {
      context.report({ ...base, rule: 'placement-bounds', detail: `${where}: stopped with ${record.countedInstances} instances, minimum ${record.min}` });
    }
    if (record.serverState !== state && !this.unsettled(record.server, timeUs, context)) {
      context.report({
        ...base,
        rule: 'placement-counts',
        detail: `${where}: acted on it as ${serverStateNames[record.serverState]}, it was ${serverStateNames[state]}`,
      });
    }
  }

  private changedRecently(server: number, nowUs: number, context: CheckContext): boolean {
    return context.truth.sinceUs(server) > nowUs - this.reportDelayUs;
  }

  /** A state the controller may not know yet: changed too recently, or failed silently. */
  private unsettled(server: number, nowUs: number, context: CheckContext): boolean {
    return this.changedRecently(server, nowUs, context) || context.truth.state(server) === ServerState.FAILED;
  }

  private clusterMembers(cluster: string): Map<number, string> {
    let members = this.members.get(cluster);
    if (members === undefined) {
      members = new Map();
      const pattern = new RegExp(`^([^/]+)/${cluster.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-\\d+$`);
      this.actorNames.forEach((name, actor) => {
        const match = pattern.exec(name);
        if (match !== null) members!.set(actor, match[1]!);
      });
      this.members.set(cluster, members);
    }
    return members;
  }
}

interface Range {
  low: number;
  high: number;
}

function widen(range: Range, certain: boolean, possible: boolean): void {
  if (certain) range.low++;
  if (possible) range.high++;
}

function within(value: number, range: Range): boolean {
  return value >= range.low && value <= range.high;
}

function shown(range: Range): string {
  return range.low === range.high ? `${range.low}` : `${range.low} to ${range.high}`;
}
