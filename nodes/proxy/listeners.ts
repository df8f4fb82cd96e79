/**
 * The balancer's own listeners: open; draining (Envoy `drain_listeners?graceful`: new
 * connections still accepted until the drain time is over, requests discouraged); closed (no new
 * connection is accepted; the connections still open are served); stopped (the process exited:
 * nothing is left).
 */
export type ListenerState = 'open' | 'draining' | 'closed' | 'stopped';

/** Envoy's `--drain-strategy`: gradual (the default) or immediate. */
export type DrainStrategy = 'gradual' | 'immediate';

/**
 * The listeners and the client connections they took, one per session (a user's keep-alive
 * connection). While they drain, Envoy's drain manager has a response close its connection
 * (HTTP/1.1 `Connection: close`, HTTP/2 GOAWAY) with a probability that grows linearly from 0 to 1
 * over the drain time (gradual), or always (immediate); the session's next request then needs a
 * new connection, which closed listeners refuse. Connections are tracked only for a balancer that
 * can drain its listeners.
 */
export class Listeners {
  state: ListenerState = 'open';
  private drainStartedUs = 0;
  private readonly connected = new Set<number>();

  /** `drain`: the profile's listener drain; undefined: the listeners never drain and connections are not tracked. */
  constructor(private readonly drain: { timeUs: number; strategy: DrainStrategy } | undefined) {}

  /** Whether a request of `session` is taken: on its open connection, or on a new one while the listeners accept. */
  accepts(session: number): boolean {
    if (this.state === 'stopped') return false;
    if (this.connected.has(session)) return true;
    if (this.state === 'closed') return false;
    if (this.drain !== undefined) this.connected.add(session);
    return true;
  }

  startDrain(nowUs: number): void {
    this.state = 'draining';
    this.drainStartedUs = nowUs;
  }

  /**
   * A response goes back to `session`: whether it closes the session's connection, the drain
   * encouraging the client away (`draw` is called only when the answer is not certain). The
   * session's last response closes it too (the user leaves), without counting as the drain's.
   */
  closesAfterResponse(session: number, last: boolean, nowUs: number, draw: () => number): boolean {
    if (!this.connected.has(session)) return false;
    if (last) {
      this.connected.delete(session);
      return false;
    }
    if (this.state !== 'draining' && this.state !== 'closed') return false;
    const share = this.drain!.strategy === 'immediate' ? 1 : Math.min(1, (nowUs - this.drainStartedUs) / this.drain!.timeUs);
    if (share < 1 && draw() >= share) return false;
    this.connected.delete(session);
    return true;
  }
}
