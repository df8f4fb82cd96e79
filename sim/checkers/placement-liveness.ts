import { MaintenanceMode, ServerState } from '../../gen/clustersim/v1/cluster.js';
import { formatDuration } from '../scenario/units.js';
import type { Checker, CheckContext, CheckerHandlers } from './checker.js';

/** A dynamic cluster as its scenario configures it, with its members (by actor). */
export interface DynamicClusterFacts {
  name: string;
  min: number;
  /** Instances per node at most, servers in maintenance included. */
  verticalStacking: number;
  startupUs: number;
  members: readonly number[];
  /** The node of each member, in the order of `members`. */
  nodes: readonly string[];
}

export interface PlacementLivenessOptions {
  clusters: readonly DynamicClusterFacts[];
  /** The placement controller's actor name (its crash and restart are faults) and its decision interval. */
  controller: string;
  decisionIntervalUs: number;
  loadReportIntervalUs: number;
}

interface ClusterWatch {
  facts: DynamicClusterFacts;
  /** Members running outside maintenance: the instances min is about. */
  running: number;
  /** Members stopped and outside maintenance: what the controller could start if its node has room. */
  spare: number;
  /** Whether one of the spare members is on a node with room under the vertical limit. */
  startable: boolean;
  /** Members failed outside maintenance: a crashed node tells no one, the controller may still count them. */
  failed: number;
  /** Since when the cluster has been short of min with a spare member and no progress, or -1. */
  shortSinceUs: number;
  reported: boolean;
}

/**
 * placement-min: outside maintenance, the running instances of a dynamic cluster get back to its
 * minimum. While a cluster runs fewer than min instances outside maintenance, a member it could
 * start is stopped outside maintenance, and the placement controller is up, one more instance
 * must be running within a bound: the next load report, two decisions and the startup time.
 * A member that crashed counts as running here: a crashed node tells the controller nothing.
 * Decided from the servers' states alone, not from the controller's records, so a controller that
 * never acts (one that counts servers in maintenance, say) is caught too.
 */
export class PlacementLivenessChecker implements Checker {
  readonly rules = ['placement-min'];
  private readonly watches: ClusterWatch[];
  private readonly watchesOf = new Map<number, ClusterWatch[]>();
  private controllerUp = true;
  private primed = false;

  constructor(private readonly options: PlacementLivenessOptions) {
    this.watches = options.clusters.map((facts) => ({ facts, running: 0, spare: 0, startable: false, failed: 0, shortSinceUs: -1, reported: false }));
    for (const watch of this.watches) {
      for (const member of watch.facts.members) {
        const list = this.watchesOf.get(member);
        if (list === undefined) this.watchesOf.set(member, [watch]);
        else list.push(watch);
      }
    }
  }

  readonly handlers: CheckerHandlers = {
    // Seen before the truth takes the change in: the truth still holds the previous state.
    'server-state': (timeUs, _actor, record, context) => {
      const watches = this.watchesOf.get(record.server);
      if (watches === undefined) return;
      this.prime(context);
      const server = record.server;
      const before = { running: isRunning(context.truth.state(server)), spare: isSpare(context.truth.state(server), context.truth.mode(server)), failed: isFailed(context.truth.state(server), context.truth.mode(server)) };
      const running = isRunning(record.state);
      const spare = isSpare(record.state, record.mode);
      const failed = isFailed(record.state, record.mode);
      // A start stopped before it finished (an order, not the controller) undid the controller's progress.
      const startUndone = context.truth.state(server) === ServerState.STARTING && record.state === ServerState.STOPPED;
      for (const watch of watches) {
        this.overdue(watch, timeUs, context);
        watch.running += Number(running) - Number(before.running);
        watch.spare += Number(spare) - Number(before.spare);
        watch.failed += Number(failed) - Number(before.failed);
        watch.startable = hasRoomForSpare(watch.facts, (member) => (member === server ? record : { state: context.truth.state(member), mode: context.truth.mode(member) }));
        // One more instance running is progress, and a start undone gives the controller its time again: the clock starts again.
        this.follow(watch, timeUs, (running && !before.running) || startUndone);
      }
    },
    fault: (timeUs, _actor, record, context) => {
      if (record.target !== this.options.controller || (record.kind !== 'crash' && record.kind !== 'restart')) return;
      this.prime(context);
      for (const watch of this.watches) this.overdue(watch, timeUs, context);
      this.controllerUp = record.kind === 'restart';
      for (const watch of this.watches) this.follow(watch, timeUs, true);
    },
  };

  /** Counts the members as built, before their first state change. */
  private prime(context: CheckContext): void {
    if (this.primed) return;
    this.primed = true;
    for (const watch of this.watches) {
      for (const member of watch.facts.members) {
        watch.running += Number(isRunning(context.truth.state(member)));
        watch.spare += Number(isSpare(context.truth.state(member), context.truth.mode(member)));
        watch.failed += Number(isFailed(context.truth.state(member), context.truth.mode(member)));
      }
      watch.startable = hasRoomForSpare(watch.facts, (member) => ({ state: context.truth.state(member), mode: context.truth.mode(member) }));
      this.follow(watch, 0, false);
    }
  }

  /** The time a cluster short since `sinceUs` must have one more instance running by. */
  private deadline(watch: ClusterWatch): number {
    const options = this.options;
    return watch.shortSinceUs + watch.facts.startupUs + 2 * options.decisionIntervalUs + 2 * options.loadReportIntervalUs;
  }

  private follow(watch: ClusterWatch, timeUs: number, restart: boolean): void {
    const short = this.controllerUp && watch.running + watch.failed < watch.facts.min && watch.startable;
    if (!short) {
      watch.shortSinceUs = -1;
      watch.reported = false;
    } else if (watch.shortSinceUs < 0 || restart) {
      watch.shortSinceUs = timeUs;
      watch.reported = false;
    }
  }

  /** Reports a cluster that has been short past its deadline by `nowUs`, once per shortage. */
  private overdue(watch: ClusterWatch, nowUs: number, context: CheckContext): void {
    if (watch.shortSinceUs < 0 || watch.reported) return;
    const deadlineUs = this.deadline(watch);
    if (nowUs < deadlineUs) return;
    watch.reported = true;
    context.report({
      timeUs: deadlineUs,
      rule: 'placement-min',
      actor: this.options.controller,
      detail: `cluster ${watch.facts.name}: ${watch.running} running outside maintenance since ${formatDuration(watch.shortSinceUs)}, minimum ${watch.facts.min}, with ${watch.spare} stopped it could start; none more by ${formatDuration(deadlineUs)}`,
    });
  }

  finish(endUs: number, context: CheckContext): void {
    this.prime(context);
    for (const watch of this.watches) this.overdue(watch, endUs, context);
  }
}

function isRunning(state: ServerState): boolean {
  return state === ServerState.RUNNING;
}

function isFailed(state: ServerState, mode: MaintenanceMode): boolean {
  return state === ServerState.FAILED && mode === MaintenanceMode.UNSPECIFIED;
}

/**
 * Whether a spare member sits on a node with room: the vertical limit counts every instance on
 * the node, those in maintenance included, so a node whose servers in maintenance fill it takes
 * no new instance (and the cluster may rightly stay under min).
 */
function hasRoomForSpare(facts: DynamicClusterFacts, now: (member: number) => { state: ServerState; mode: MaintenanceMode }): boolean {
  const taken = new Map<string, number>();
  const withSpare = new Set<string>();
  facts.members.forEach((member, index) => {
    const node = facts.nodes[index]!;
    const { state, mode } = now(member);
    if (isSpare(state, mode)) withSpare.add(node);
    else if (state !== ServerState.STOPPED || mode !== MaintenanceMode.UNSPECIFIED) taken.set(node, (taken.get(node) ?? 0) + 1);
  });
  return [...withSpare].some((node) => (taken.get(node) ?? 0) < facts.verticalStacking);
}

function isSpare(state: ServerState, mode: MaintenanceMode): boolean {
  return state === ServerState.STOPPED && mode === MaintenanceMode.UNSPECIFIED;
}
