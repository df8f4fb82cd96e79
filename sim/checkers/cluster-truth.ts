import { MaintenanceMode, ServerState } from '../../gen/clustersim/v1/cluster.js';
import type { RecordHandlers } from '../metrics/record-bus.js';

/**
 * The checkers' truth about the cluster: each server's own state, from its 'server-state'
 * records in order (before its first one, the state it was built in; running if not given),
 * and whether a network partition is in force, from the 'fault' records.
 */
export class ClusterTruth {
  // By actor index in typed arrays: the state every 'accepted' record asks for is one byte of a
  // small array, not a Map entry and an object each (cold at 10,000 servers).
  private states: Uint8Array;
  private modes: Uint8Array;
  /** Since when each server has been in its current state. */
  private stateSinceUs: Float64Array;
  /** The times each server went down (stopped or failed), in order; few per server. */
  private readonly downTimesUs: number[][] = [];
  /** The times each server entered break-mode maintenance (giving up the sessions it held), in order. */
  private readonly breakTimesUs: number[][] = [];
  /** The times of every crash, partition, heal and degradation, in order. */
  private readonly faultTimesUs: number[] = [];
  private partitionsInForce = 0;
  /** When the last partition healed (-Infinity before any). */
  private lastHealUs = Number.NEGATIVE_INFINITY;

  constructor(initialStates: ReadonlyMap<number, ServerState> = new Map(), actorCount = 0) {
    this.states = new Uint8Array(actorCount).fill(ServerState.RUNNING);
    this.modes = new Uint8Array(actorCount);
    this.stateSinceUs = new Float64Array(actorCount);
    for (const [server, state] of initialStates) {
      this.holdServer(server);
      this.states[server] = state;
    }
  }

  /** The records the truth follows; they reach it after the checkers have seen them. */
  readonly handlers: RecordHandlers = {
    'server-state': (timeUs, _actor, record) => {
      const server = record.server;
      this.holdServer(server);
      const previous = this.states[server]!;
      if (isDown(record.state) && !isDown(previous)) (this.downTimesUs[server] ??= []).push(timeUs);
      if (record.mode === MaintenanceMode.BREAK && this.modes[server] !== MaintenanceMode.BREAK) (this.breakTimesUs[server] ??= []).push(timeUs);
      if (record.state !== previous) this.stateSinceUs[server] = timeUs;
      this.states[server] = record.state;
      this.modes[server] = record.mode;
    },
    fault: (timeUs, _actor, record) => {
      // A heal moves traffic too (addresses claimed across the partition go back): it counts.
      if (record.kind === 'crash' || record.kind === 'partition' || record.kind === 'degrade' || record.kind === 'heal') this.faultTimesUs.push(timeUs);
      if (record.kind === 'partition') this.partitionsInForce++;
      else if (record.kind === 'heal') {
        this.partitionsInForce = 0;
        this.lastHealUs = timeUs;
      }
    },
  };

  state(server: number): ServerState {
    return this.states[server] ?? ServerState.RUNNING;
  }

  mode(server: number): MaintenanceMode {
    return this.modes[server] ?? MaintenanceMode.UNSPECIFIED;
  }

  /** Since when the server has been in its current state. */
  sinceUs(server: number): number {
    return this.stateSinceUs[server] ?? 0;
  }

  /** The first time the server went down within [fromUs, toUs], or -1. */
  firstDownBetween(server: number, fromUs: number, toUs: number): number {
    return this.downTimesUs[server]?.find((downUs) => downUs >= fromUs && downUs <= toUs) ?? -1;
  }

  /** The first time the server entered break-mode maintenance within [fromUs, toUs], or -1. */
  firstBreakBetween(server: number, fromUs: number, toUs: number): number {
    return this.breakTimesUs[server]?.find((breakUs) => breakUs >= fromUs && breakUs <= toUs) ?? -1;
  }

  /** Whether a crash, partition, heal or degradation happened within [fromUs, toUs], or a partition is in force. */
  faultedBetween(fromUs: number, toUs: number): boolean {
    return this.partitionsInForce > 0 || this.faultTimesUs.some((faultUs) => faultUs >= fromUs && faultUs <= toUs);
  }

  inMaintenance(server: number): boolean {
    return this.state(server) === ServerState.MAINTENANCE;
  }

  /**
   * Put in maintenance and not taken out, whatever its life cycle since: a server that stop mode
   * stopped, or one that crashed or is starting again, keeps its maintenance mode.
   */
  underMaintenance(server: number): boolean {
    return this.inMaintenance(server) || this.mode(server) !== MaintenanceMode.UNSPECIFIED;
  }

  /** In keep-affinity maintenance: existing sessions must still reach the server. */
  inKeepAffinityMaintenance(server: number): boolean {
    return this.inMaintenance(server) && this.mode(server) === MaintenanceMode.AFFINITY;
  }

  isLive(server: number): boolean {
    return !isDown(this.state(server));
  }

  get partitioned(): boolean {
    return this.partitionsInForce > 0;
  }

  /** When the last partition healed: the members' views of each other lag it a little. */
  get healedAtUs(): number {
    return this.lastHealUs;
  }

  /** Makes room for an actor beyond those the truth was sized for (a stream without a topology). */
  private holdServer(server: number): void {
    if (server < this.states.length) return;
    const length = Math.max(server + 1, this.states.length * 2);
    this.states = grown(this.states, length, ServerState.RUNNING);
    this.modes = grown(this.modes, length, MaintenanceMode.UNSPECIFIED);
    this.stateSinceUs = grown(this.stateSinceUs, length, 0);
  }
}

function grown<Column extends Uint8Array | Float64Array>(column: Column, length: number, fill: number): Column {
  const larger = new (column.constructor as new (length: number) => Column)(length);
  larger.fill(fill);
  larger.set(column);
  return larger;
}

export function isDown(state: ServerState): boolean {
  return state === ServerState.STOPPED || state === ServerState.FAILED;
}
