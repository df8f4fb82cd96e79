/** Envoy's outlier detection, the consecutive-5xx detector (the others are not modelled). */
export interface OutlierDetectionConfig {
  consecutive5xx: number;
  baseEjectionTimeUs: number;
  maxEjectionTimeUs: number;
  maxEjectionPercent: number;
}

interface HostRecord {
  consecutiveErrors: number;
  timesEjected: number;
  ejected: boolean;
}

/**
 * Counts each host's errors in a row; at `consecutive5xx` the host is ejected at once, for the
 * base ejection time multiplied by the times it has been ejected (capped at the maximum), unless
 * that would eject more than `maxEjectionPercent` of the hosts (one host may always be ejected).
 * The balancer returns the host to service when its time is up (Envoy does at the first interval
 * sweep after that: up to `interval` later).
 */
export class OutlierDetector {
  private readonly hosts = new Map<number, HostRecord>();

  constructor(private readonly config: OutlierDetectionConfig) {}

  /** An answer from `host`: returns how long it is ejected for, or 0. `hostCount`: hosts in the cluster. */
  answered(host: number, error: boolean, hostCount: number): number {
    const record = this.record(host);
    if (!error) {
      record.consecutiveErrors = 0;
      return 0;
    }
    record.consecutiveErrors++;
    if (record.consecutiveErrors < this.config.consecutive5xx || record.ejected) return 0;
    const ejected = [...this.hosts.values()].filter((each) => each.ejected).length;
    const allowed = Math.max(1, Math.floor((this.config.maxEjectionPercent * hostCount) / 100));
    if (ejected >= allowed) return 0;
    record.timesEjected++;
    record.consecutiveErrors = 0;
    record.ejected = true;
    return Math.min(this.config.baseEjectionTimeUs * record.timesEjected, Math.max(this.config.baseEjectionTimeUs, this.config.maxEjectionTimeUs));
  }

  returnToService(host: number): void {
    this.record(host).ejected = false;
  }

  private record(host: number): HostRecord {
    let record = this.hosts.get(host);
    if (record === undefined) this.hosts.set(host, (record = { consecutiveErrors: 0, timesEjected: 0, ejected: false }));
    return record;
  }
}
