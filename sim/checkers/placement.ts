import { ServerState } from '../../gen/clustersim/v1/cluster.js';
import { serverStateNames } from '../metrics/collector.js';
import type { RecordOf } from '../metrics/record-bus.js';
import type { Checker, CheckContext, CheckerHandlers } from './checker.js';

export interface ClusterMember {
  server: number;
  node: string;
}

/**
 * The placement controller and maintenance, recomputed from the servers' own states:
 * - placement-maintenance: it never starts or stops a server in maintenance;
 * - placement-counts: the instances it counts (cluster-wide and on the node) are the running or
 *   starting members outside maintenance, and its vertical limit is the configured per-node
 *   maximum minus the node's members in maintenance;
 * A server is in maintenance from its entry to its exit whatever its life cycle in between: one
 * that stop mode stopped, that crashed, or that is starting again is still out of the controller's hands.
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

  constructor(
    private readonly actorNames: readonly string[],
    knownMembers: ReadonlyMap<string, readonly ClusterMember[]> = new Map(),
    configuredPerNode: ReadonlyMap<string, number> = new Map(),
  ) {
    this.configuredPerNode = new Map(configuredPerNode);
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
    if (context.truth.underMaintenance(record.server)) {
      context.report({ ...base, rule: 'placement-maintenance', detail: `${record.action} of ${target}, which is in maintenance` });
    }

    let instances = 0;
    let onNode = 0;
    let inMaintenanceOnNode = 0;
    for (const [server, node] of members) {
      const memberState = context.truth.state(server);
      const inMaintenance = context.truth.underMaintenance(server);
      const counted = !inMaintenance && (memberState === ServerState.RUNNING || memberState === ServerState.STARTING);
      if (counted) instances++;
      if (node !== record.node) continue;
      if (counted) onNode++;
      if (inMaintenance) inMaintenanceOnNode++;
    }
    const where = `cluster ${record.cluster}, ${record.action} of ${target}`;
    if (record.countedInstances !== instances) {
      context.report({ ...base, rule: 'placement-counts', detail: `${where}: counted ${record.countedInstances} instances, ${instances} run outside maintenance` });
    }
    if (record.countedOnNode !== onNode) {
      context.report({ ...base, rule: 'placement-counts', detail: `${where}: counted ${record.countedOnNode} on ${record.node}, ${onNode} run there outside maintenance` });
    }
    const perNode = record.verticalLimit + inMaintenanceOnNode;
    const configured = this.configuredPerNode.get(record.cluster);
    if (configured === undefined) this.configuredPerNode.set(record.cluster, perNode);
    else if (configured !== perNode) {
      context.report({
        ...base,
        rule: 'placement-counts',
        detail: `${where}: vertical limit ${record.verticalLimit} on ${record.node} with ${inMaintenanceOnNode} in maintenance there; expected ${configured - inMaintenanceOnNode}`,
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
    if (record.serverState !== state) {
      context.report({
        ...base,
        rule: 'placement-counts',
        detail: `${where}: acted on it as ${serverStateNames[record.serverState]}, it was ${serverStateNames[state]}`,
      });
    }
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
