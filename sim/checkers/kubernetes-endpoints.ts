import type { Checker, CheckerHandlers } from './checker.js';

/**
 * exited-endpoint: no request is sent to a pod whose containers have exited, except by a
 * consumer whose applied endpoints still list the pod (a stale consumer: its propagation delay
 * has not run out). Those are counted by consumer in the notes (`stale-consumer/<name>`); a
 * consumer that sends to an exited pod it no longer lists is routing outside its own view. A
 * request on a keep-alive connection established before the exit is no routing decision at all:
 * it is counted (`stale-connection/<name>`), not a violation.
 */
export class ExitedEndpointChecker implements Checker {
  readonly rules = ['exited-endpoint'];
  /** The pods each consumer routes to, as of the slice it applied last. */
  private readonly routable = new Map<number, ReadonlySet<number>>();

  readonly handlers: CheckerHandlers = {
    'endpoints-applied': (_timeUs, _actor, record) => {
      this.routable.set(record.consumer, new Set(record.routable));
    },
    'request-to-exited-pod': (timeUs, _actor, record, context) => {
      const consumer = context.actorName(record.consumer);
      if (record.connection === 'established') {
        context.note(`stale-connection/${consumer}`);
        return;
      }
      if (this.routable.get(record.consumer)?.has(record.pod) === true) {
        context.note(`stale-consumer/${consumer}`);
        return;
      }
      context.report({
        timeUs,
        rule: 'exited-endpoint',
        actor: consumer,
        detail: `request sent to ${context.actorName(record.pod)} after it exited, though the endpoints ${consumer} applied no longer list it`,
        request: record.request,
      });
    },
  };
}
