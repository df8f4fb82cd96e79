import { MaintenanceMode, ServerState } from '../../gen/clustersim/v1/cluster.js';
import type { RecordHandlers } from '../metrics/record-bus.js';

interface ServerFacts {
  state: ServerState;
  mode: MaintenanceMode;
  sinceUs: number;
  /** Last time the server went down (stopped or failed), or -1. */
  lastDownUs: number;
}

/**
 * The checkers' truth about the cluster: each server's own state, from its 'server-state'
 * records in order (before its first one, the state it was built in; running if not given),
 * and whether a network partition is in force, from the 'fault' records.
 */
export class ClusterTruth {
  private readonly servers = new Map<number, ServerFacts>();
  private partitionsInForce = 0;

  constructor(initialStates: ReadonlyMap<number, ServerState> = new Map()) {
    for (const [server, state] of initialStates) this.servers.set(server, { state, mode: MaintenanceMode.UNSPECIFIED, sinceUs: 0, lastDownUs: -1 });
  }

  /** The records the truth follows; they reach it after the checkers have seen them. */
  readonly handlers: RecordHandlers = {
    'server-state': (timeUs, _actor, record) => {
      const facts = this.facts(record.server);
      if (isDown(record.state) && !isDown(facts.state)) facts.lastDownUs = timeUs;
      if (record.state !== facts.state) facts.sinceUs = timeUs;
      facts.state = record.state;
      facts.mode = record.mode;
    },
    fault: (_timeUs, _actor, record) => {
      if (record.kind === 'partition') this.partitionsInForce++;
      else if (record.kind === 'heal') this.partitionsInForce = 0;
    },
  };

  state(server: number): ServerState {
    return this.servers.get(server)?.state ?? ServerState.RUNNING;
  }

  mode(server: number): MaintenanceMode {
    return this.servers.get(server)?.mode ?? MaintenanceMode.UNSPECIFIED;
  }

  /** Since when the server has been in its current state. */
  sinceUs(server: number): number {
    return this.servers.get(server)?.sinceUs ?? 0;
  }

  lastDownUs(server: number): number {
    return this.servers.get(server)?.lastDownUs ?? -1;
  }

  inMaintenance(server: number): boolean {
    return this.state(server) === ServerState.MAINTENANCE;
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

  private facts(server: number): ServerFacts {
    let facts = this.servers.get(server);
    if (facts === undefined) {
      facts = { state: ServerState.RUNNING, mode: MaintenanceMode.UNSPECIFIED, sinceUs: 0, lastDownUs: -1 };
      this.servers.set(server, facts);
    }
    return facts;
  }
}

export function isDown(state: ServerState): boolean {
  return state === ServerState.STOPPED || state === ServerState.FAILED;
}
