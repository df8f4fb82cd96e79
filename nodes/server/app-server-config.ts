import type { Distribution } from '../../sim/kernel/distributions.js';
import type { Protocol } from '../messages.js';

export interface AppServerConfig {
  name: string;
  threads: number;
  /** Requests that may wait for a thread; one more is refused. */
  queueLimit: number;
  /** Service time of one request, by protocol. */
  service: ReadonlyMap<Protocol, Distribution>;
  /** Actors told of this server's load and state: routers, peers, controllers. */
  loadSubscribers: readonly number[];
  loadReportIntervalUs: number;
  /** Time from a start order to taking requests. */
  startupUs?: number;
  /** False for a dynamic cluster's server that the placement controller has not started. */
  startsRunning?: boolean;
}
