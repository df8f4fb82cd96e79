import type { LoadBalancerProfileName } from '../scenario/schema-load-balancer.js';
import type { Checker, CheckerHandlers } from './checker.js';

/** What a scenario's load balancer is configured to promise. */
export interface LoadBalancerFacts {
  profile: LoadBalancerProfileName;
  /** HAProxy option persist / force-persist: sticky users still reach a server in maint. */
  forcePersist: boolean;
  /** Envoy: percent of healthy hosts below which traffic may go to every host. */
  panicThresholdPercent: number;
  /** Why the balancer may cut requests in flight (shutdown-sessions, deregistration-delay, balancer-exit); none by default. */
  cutCauses: readonly string[];
  /** HAProxy option redispatch without option persist: a server leaving rotation has its queued requests balanced afresh. */
  redistributesQueue: boolean;
  /** NGINX proxy_next_upstream non_idempotent: a POST, LOCK or PATCH already sent may be passed on. */
  nonIdempotent: boolean;
  /** The backends, by actor index: all start active and healthy. */
  backends: readonly number[];
}

interface BackendView {
  admin: string;
  healthy: boolean;
}

/** The methods NGINX passes to the next server once sent only with non_idempotent. */
const nonIdempotentMethods: ReadonlySet<string> = new Set(['POST', 'LOCK', 'PATCH']);

/** Profiles whose drain still takes the sessions bound to the backend (HAProxy drain, NGINX drain, NLB connections). */
const drainKeepsSessions: ReadonlySet<LoadBalancerProfileName> = new Set(['haproxy', 'nginx', 'aws-nlb']);

/**
 * What each load balancer profile promises about where requests go, from the documentation,
 * stated apart from the profiles' code and checked over the balancer's records:
 * - lb-out-of-rotation: a backend in drain takes no request that is not held there by its
 *   session (Envoy EDS DRAINING and a draining ALB target take none at all); a backend in maint
 *   (HAProxy maint, NGINX down) takes none unless force-persist; a backend gone from the pool
 *   (Envoy removal complete, AWS target unused) takes none;
 * - lb-unhealthy-backend: an unhealthy backend takes no request, except in Envoy's panic mode
 *   (fewer healthy hosts than the panic threshold) or AWS fail-open (no healthy target);
 * - lb-cut-in-flight: requests in flight on a drained backend finish, unless the configuration
 *   says they are cut (shutdown-sessions, NLB connection termination, ALB at the delay's end, the
 *   exit of an Envoy process);
 * - lb-retry: HAProxy, Envoy and AWS retry only a request whose connection was refused; NGINX
 *   also one whose connection closed after it was sent (proxy_next_upstream error), but not a
 *   POST, LOCK or PATCH unless non_idempotent;
 * - lb-queue-redispatch: with HAProxy's option redispatch (and no option persist), no request
 *   queued on a server before it left rotation (drain, maint, marked down) is sent to it
 *   afterwards: it is balanced afresh. Without, the server still serves its own queue, which
 *   lb-out-of-rotation then allows;
 * - lb-listener-closed: once the balancer's listeners closed (the end of an Envoy listener drain),
 *   a client's request is forwarded only on a connection still open (its session was forwarded
 *   before and no drain closed its connection), and once its process stopped, none is (retries
 *   of a request already taken may be).
 * It also notes, for the summary, the requests that reached a backend out of rotation
 * (`lb-persistent-while-drain`, `lb-new-while-removed`, ...), those spread by panic or
 * fail-open, how drains ended (`lb-drain-ended-idle`, `lb-drain-ms`), how often passive
 * health took a backend out (`lb-passive-out`), the queued requests balanced afresh
 * (`lb-redispatched-requests`), the retries by failure (`lb-retried-reset`), the requests cut by the balancer's exit
 * (`lb-cut-at-exit`), whether it stopped before its listener drain was over
 * (`lb-stopped-while-draining`) and the client connections its drain closed
 * (`lb-connections-closed-by-drain`).
 */
export class LoadBalancerChecker implements Checker {
  readonly rules = ['lb-out-of-rotation', 'lb-unhealthy-backend', 'lb-cut-in-flight', 'lb-listener-closed', 'lb-retry', 'lb-queue-redispatch'];
  /** Requests waiting in each server's queue, by server. */
  private readonly queued = new Map<number, Set<number>>();
  /** Requests that were in a server's queue when it left rotation, and that server. */
  private readonly queuedBeforeLeaving = new Map<number, number>();
  private readonly backends = new Map<number, BackendView>();
  private listener: 'open' | 'draining' | 'closed' | 'stopped' = 'open';
  /** Sessions with a connection to the balancer: forwarded while the listeners accepted, not closed by a drain since. */
  private readonly connected = new Set<number>();

  constructor(private readonly facts: LoadBalancerFacts) {
    for (const backend of facts.backends) this.backends.set(backend, { admin: 'active', healthy: true });
  }

  readonly handlers: CheckerHandlers = {
    'lb-backend': (_timeUs, _actor, record, context) => {
      if (record.cause === 'passive') context.note('lb-passive-out');
      this.backends.set(record.backend, { admin: record.admin, healthy: record.healthy });
      const waiting = this.queued.get(record.backend);
      if (waiting === undefined || (record.admin === 'active' && record.healthy)) return;
      for (const request of waiting) this.queuedBeforeLeaving.set(request, record.backend);
      waiting.clear();
    },
    'lb-queued': (_timeUs, _actor, record) => {
      if (record.backend < 0) return;
      let waiting = this.queued.get(record.backend);
      if (waiting === undefined) this.queued.set(record.backend, (waiting = new Set()));
      waiting.add(record.request);
    },
    'lb-redispatched': (_timeUs, _actor, record, context) => {
      context.note('lb-redispatched-requests', record.requests);
    },
    'lb-forwarded': (timeUs, _actor, record, context) => {
      const backend = this.view(record.backend);
      this.queued.get(record.backend)?.delete(record.request);
      const leftServer = this.queuedBeforeLeaving.get(record.request);
      this.queuedBeforeLeaving.delete(record.request);
      // A server out of rotation still serves its own queue when nothing redistributed it.
      const servesOwnQueue = leftServer === record.backend;
      const what = record.persistent ? 'persistent' : 'new';
      if (backend.admin !== 'active') context.note(`lb-${what}-while-${backend.admin}`);
      if (record.spread !== '') context.note(`lb-${record.spread}-requests`);
      const report = (rule: string, detail: string) =>
        context.report({ timeUs, rule, actor: context.actorName(record.backend), detail, session: record.session, request: record.request });
      if (servesOwnQueue && this.facts.redistributesQueue) {
        report('lb-queue-redispatch', 'request queued on the server before it left rotation sent to it anyway: option redispatch balances it afresh');
      }
      const refusal = servesOwnQueue ? undefined : this.outOfRotation(backend.admin, record.persistent, record.spread);
      if (record.attempt === 1 && (this.listener === 'stopped' || (this.listener === 'closed' && !this.connected.has(record.session)))) {
        report('lb-listener-closed', `${what} request of a client taken ${this.listener === 'closed' ? 'on a new connection ' : ''}after the balancer's listeners were ${this.listener}`);
      }
      if (this.listener === 'open' || this.listener === 'draining') this.connected.add(record.session);
      if (refusal !== undefined) report('lb-out-of-rotation', `${what} request sent while the backend is ${backend.admin}: ${refusal}`);
      if (!backend.healthy && !servesOwnQueue && !this.spreadAllowed(record.spread)) {
        report('lb-unhealthy-backend', `${what} request sent to an unhealthy backend${record.spread === '' ? '' : ` claiming ${record.spread}, which the other backends' health does not allow`}`);
      }
    },
    'lb-cut': (timeUs, _actor, record, context) => {
      if (record.cause === 'balancer-exit') context.note('lb-cut-at-exit', record.requests);
      if (this.facts.cutCauses.includes(record.cause)) return;
      context.report({ timeUs, rule: 'lb-cut-in-flight', actor: context.actorName(record.backend), detail: `${record.requests} requests in flight cut (${record.cause}), which ${this.facts.profile} as configured does not do` });
    },
    'lb-retried': (timeUs, _actor, record, context) => {
      context.note(`lb-retried-${record.failure}`);
      if (record.failure === 'connection') return;
      const refusal =
        this.facts.profile !== 'nginx'
          ? `${this.facts.profile} retries only refused connections`
          : nonIdempotentMethods.has(record.method) && !this.facts.nonIdempotent
            ? `NGINX does not pass a ${record.method} already sent to the next server without non_idempotent`
            : undefined;
      if (refusal !== undefined) context.report({ timeUs, rule: 'lb-retry', actor: context.actorName(record.backend), detail: `request retried after its connection closed mid-request: ${refusal}`, request: record.request });
    },
    'lb-listener': (_timeUs, _actor, record, context) => {
      if (record.state === 'stopped' && this.listener === 'draining') context.note('lb-stopped-while-draining');
      if (record.state === 'stopped') context.note('lb-cut-at-exit', 0); // present even when the exit cut nothing
      this.listener = record.state;
    },
    'lb-connection-closed': (_timeUs, _actor, record, context) => {
      context.note('lb-connections-closed-by-drain');
      this.connected.delete(record.session);
    },
    'lb-drain-ended': (_timeUs, _actor, record, context) => {
      context.note(`lb-drain-ended-${record.reason}`);
      context.note('lb-drain-ms', Math.round(record.drainUs / 1000));
    },
  };

  private view(backend: number): BackendView {
    let view = this.backends.get(backend);
    if (view === undefined) this.backends.set(backend, (view = { admin: 'active', healthy: true }));
    return view;
  }

  /** Why the profile does not send this request to a backend in `admin`, or undefined when it may. */
  private outOfRotation(admin: string, persistent: boolean, spread: string): string | undefined {
    switch (admin) {
      case 'drain':
        if (!persistent) return spread === 'panic' && this.spreadAllowed(spread) ? undefined : 'a draining backend takes no new session';
        return drainKeepsSessions.has(this.facts.profile) ? undefined : `${this.facts.profile} sends nothing to a draining backend`;
      case 'maint':
        return persistent && this.facts.forcePersist ? undefined : 'a backend in maintenance takes no traffic';
      case 'gone':
        return 'the backend is out of the pool';
      default:
        return undefined;
    }
  }

  /** Envoy panics below the threshold of available hosts; EDS DRAINING hosts are excluded from the count, yet eligible in panic. */
  private envoyPanics(inPool: number, draining: number, healthy: number): boolean {
    return inPool > draining && (100 * healthy) / (inPool - draining) < this.facts.panicThresholdPercent;
  }

  /** Whether the backends' health, as the records told it, lets traffic reach unhealthy backends. */
  private spreadAllowed(spread: string): boolean {
    const views = [...this.backends.values()];
    const inPool = views.filter((view) => view.admin !== 'gone');
    const healthyInRotation = inPool.filter((view) => view.healthy && (view.admin === 'active' || view.admin === 'removed'));
    if (spread === 'panic') return this.facts.profile === 'envoy' && this.envoyPanics(inPool.length, inPool.filter((view) => view.admin === 'drain').length, healthyInRotation.length);
    if (spread === 'fail-open') return this.facts.profile.startsWith('aws-') && !views.some((view) => view.admin === 'active' && view.healthy);
    return false;
  }
}
