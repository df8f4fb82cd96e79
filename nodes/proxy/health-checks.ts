/** Active health checks of one load balancer, as configured (HAProxy `check`, Envoy health_checks, ALB target group). */
export interface HealthCheckConfig {
  intervalUs: number;
  /** A check unanswered this long counts as failed; at most the interval. */
  timeoutUs: number;
  /** Failures in a row that mark a healthy backend down (HAProxy `fall`). */
  unhealthyThreshold: number;
  /** Successes in a row that mark an unhealthy backend up (HAProxy `rise`). */
  healthyThreshold: number;
  /** Envoy: an answer that says unhealthy (an unexpected HTTP status) marks the host down at once; timeouts still count. */
  downOnFirstBadAnswer: boolean;
}

export type HealthChange = 'up' | 'down' | undefined;

/**
 * The counting of one backend's checks: a healthy backend goes down after `unhealthyThreshold`
 * failures in a row, an unhealthy one up after `healthyThreshold` successes in a row. A result of
 * the other kind resets the streak, so a flapping backend keeps its state.
 */
export class HealthCount {
  private streak = 0;

  constructor(
    private readonly config: HealthCheckConfig,
    public healthy = true,
  ) {}

  passed(): HealthChange {
    if (this.healthy) {
      this.streak = 0;
      return undefined;
    }
    this.streak++;
    if (this.streak < this.config.healthyThreshold) return undefined;
    this.healthy = true;
    this.streak = 0;
    return 'up';
  }

  /** `answered`: the backend said it is unhealthy (as opposed to a timeout). */
  failed(answered: boolean): HealthChange {
    if (!this.healthy) {
      this.streak = 0;
      return undefined;
    }
    this.streak++;
    if (this.streak < this.config.unhealthyThreshold && !(answered && this.config.downOnFirstBadAnswer)) return undefined;
    this.healthy = false;
    this.streak = 0;
    return 'down';
  }
}
