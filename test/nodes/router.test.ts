import { describe, expect, it } from 'vitest';
import { FaultKind, MaintenanceMode, Protocol, RequestKind, ServerState, Status, type Message, type Response } from '../../nodes/messages.js';
import { Router } from '../../nodes/router/router.js';
import { FakeContext } from '../helpers/fake-context.js';
import { clientActor, requestMessage } from '../helpers/requests.js';

const routerActor = 1;
const [a, b, c] = [10, 11, 12];

function router(servers = [a, b, c], maxAttempts = 3): { router: Router; context: FakeContext } {
  const config = {
    name: 'odr1',
    servers: servers.map((actor) => ({ actor, threads: 10, state: ServerState.RUNNING })),
    clusters: new Map([['app', servers]]),
    defaultCluster: new Map([[Protocol.HTTP, 'app']]),
    workClasses: [],
    maxAttempts,
  };
  return { router: new Router(config), context: new FakeContext(routerActor, 'scripted') };
}

function report(server: number, state: ServerState, mode = MaintenanceMode.UNSPECIFIED): Message {
  return { $case: 'loadReport', value: { server, atUs: 0, state, mode, inFlight: 0, threads: 10, queued: 0, loadPercent: 0, openSessions: 0, completedInInterval: 0, responseTimeSumUs: 0, errorsInInterval: 0 } };
}

function response(requestId: number, server: number, status = Status.OK, retryable = false, cause = ''): Message {
  const value: Response = {
    requestId,
    protocol: 1,
    kind: RequestKind.OPEN,
    sessionId: 7,
    status,
    cause,
    server,
    client: clientActor,
    sentAtUs: 0,
    attempts: 1,
    redirects: 0,
    workClass: '',
    retryable,
    redirectAddress: '',
    othersInFlight: 0,
  };
  return { $case: 'response', value };
}

/** Where the router sent requests, in order. */
function targets(context: FakeContext): number[] {
  return context.sent.filter((sent) => sent.message.$case === 'request').map((sent) => sent.to);
}

describe('router', () => {
  it('spreads new sessions over the servers by least outstanding requests', () => {
    const { router: odr, context } = router();
    for (let id = 1; id <= 3; id++) odr.onMessage(requestMessage({ id, sessionId: id }), context);
    expect([...targets(context)].sort()).toEqual([a, b, c]);
    const sent = context.sent[0]!.message;
    expect(sent.$case === 'request' && sent.value.router).toBe(routerActor);
    expect(sent.$case === 'request' && sent.value.attempts).toBe(1);
  });

  it('sends the next new session to the server with fewest requests outstanding', () => {
    const { router: odr, context } = router([a, b]);
    odr.onMessage(requestMessage({ id: 1 }), context);
    odr.onMessage(requestMessage({ id: 2 }), context);
    const first = targets(context)[0]!;
    odr.onMessage(response(1, first), context);
    context.clear({ timers: true });
    odr.onMessage(requestMessage({ id: 3 }), context);
    odr.onMessage(requestMessage({ id: 4 }), context);
    expect(targets(context)[0]).toBe(first);
  });

  it('never opens a session on a server in maintenance, stopped or failed', () => {
    const { router: odr, context } = router();
    odr.onMessage(report(a, ServerState.MAINTENANCE, MaintenanceMode.AFFINITY), context);
    odr.onMessage(report(b, ServerState.STOPPED), context);
    for (let id = 1; id <= 6; id++) odr.onMessage(requestMessage({ id }), context);
    expect(new Set(targets(context))).toEqual(new Set([c]));
    odr.onMessage(report(c, ServerState.FAILED), context);
    context.clear({ timers: true });
    odr.onMessage(requestMessage({ id: 9 }), context);
    expect(targets(context)).toEqual([]);
    expect(context.sent).toEqual([{ to: clientActor, message: expect.objectContaining({ $case: 'response' }) }]);
    const rejected = context.sent[0]!.message;
    expect(rejected.$case === 'response' && rejected.value).toMatchObject({ status: Status.REJECTED, cause: 'no-eligible-server', server: -1, retryable: false, requestId: 9 });
  });

  it('routes to a server again once it leaves maintenance', () => {
    const { router: odr, context } = router([a]);
    odr.onMessage(report(a, ServerState.MAINTENANCE, MaintenanceMode.AFFINITY), context);
    odr.onMessage(requestMessage({ id: 1 }), context);
    expect(targets(context)).toEqual([]);
    odr.onMessage(report(a, ServerState.RUNNING), context);
    odr.onMessage(requestMessage({ id: 2 }), context);
    expect(targets(context)).toEqual([a]);
  });

  it('keeps session affinity, also to a server in keep-affinity maintenance', () => {
    const { router: odr, context } = router();
    odr.onMessage(requestMessage({ id: 1, kind: RequestKind.IN_SESSION, affinityServer: b }), context);
    odr.onMessage(report(b, ServerState.MAINTENANCE, MaintenanceMode.AFFINITY), context);
    odr.onMessage(requestMessage({ id: 2, kind: RequestKind.IN_SESSION, affinityServer: b }), context);
    odr.onMessage(requestMessage({ id: 3, kind: RequestKind.CLOSE, affinityServer: b }), context);
    expect(targets(context)).toEqual([b, b, b]);
  });

  it('breaks affinity to a server in break-affinity maintenance or down: a replicated session fails over, another is lost', () => {
    const { router: odr, context } = router();
    odr.onMessage(report(b, ServerState.MAINTENANCE, MaintenanceMode.BREAK), context);
    odr.onMessage(report(c, ServerState.FAILED), context);
    odr.onMessage(requestMessage({ id: 1, kind: RequestKind.IN_SESSION, affinityServer: b, replicated: true }), context);
    odr.onMessage(requestMessage({ id: 2, kind: RequestKind.IN_SESSION, affinityServer: c, replicated: true }), context);
    expect(targets(context)).toEqual([a, a]);
    context.clear({ timers: true });
    odr.onMessage(requestMessage({ id: 3, kind: RequestKind.IN_SESSION, affinityServer: b }), context);
    odr.onMessage(requestMessage({ id: 4, kind: RequestKind.IN_SESSION, affinityServer: c }), context);
    expect(targets(context)).toEqual([]);
    expect(context.sent.map((sent) => sent.message.$case === 'response' && [sent.to, sent.message.value.status, sent.message.value.cause])).toEqual([
      [clientActor, Status.DROPPED, 'affinity-broken'],
      [clientActor, Status.DROPPED, 'server-failed'],
    ]);
  });

  it('retries a refused request on another server, then gives the refusal to the client', () => {
    const { router: odr, context } = router([a, b], 2);
    odr.onMessage(requestMessage({ id: 1 }), context);
    const first = targets(context)[0]!;
    const other = first === a ? b : a;
    context.clear({ timers: true });
    odr.onMessage(response(1, first, Status.REJECTED, true, 'maintenance'), context);
    expect(targets(context)).toEqual([other]);
    const retry = context.sent[0]!.message;
    expect(retry.$case === 'request' && retry.value.attempts).toBe(2);
    context.clear({ timers: true });
    odr.onMessage(response(1, other, Status.REJECTED, true, 'maintenance'), context);
    expect(context.sent).toEqual([{ to: clientActor, message: expect.objectContaining({ $case: 'response' }) }]);
  });

  it('a request refused for a full queue that no other server may take is refused to the client for the full queue', () => {
    const { router: odr, context } = router([a]);
    odr.onMessage(requestMessage({ id: 1 }), context);
    context.clear({ timers: true });
    odr.onMessage(response(1, a, Status.REJECTED, true, 'queue-full'), context);
    expect(context.sent).toEqual([{ to: clientActor, message: expect.objectContaining({ value: expect.objectContaining({ status: Status.REJECTED, cause: 'queue-full' }) }) }]);
    // Refused for its maintenance (a stale view), it had no eligible server after all.
    const stale = router([a]);
    stale.router.onMessage(requestMessage({ id: 1 }), stale.context);
    stale.context.clear({ timers: true });
    stale.router.onMessage(response(1, a, Status.REJECTED, true, 'maintenance'), stale.context);
    expect(stale.context.sent).toEqual([{ to: clientActor, message: expect.objectContaining({ value: expect.objectContaining({ cause: 'no-eligible-server' }) }) }]);
  });

  it('does not retry a refusal that is not retryable, and passes answers back to the client once', () => {
    const { router: odr, context } = router([a, b]);
    odr.onMessage(requestMessage({ id: 1 }), context);
    const first = targets(context)[0]!;
    context.clear({ timers: true });
    odr.onMessage(response(1, first, Status.REJECTED, false, 'queue-full'), context);
    expect(context.sent.map((sent) => sent.to)).toEqual([clientActor]);
    context.clear({ timers: true });
    odr.onMessage(response(1, first), context);
    expect(context.sent).toEqual([]);
  });

  it('retries on another server even when the refused request had affinity to the refusing one', () => {
    const { router: odr, context } = router([a, b]);
    odr.onMessage(requestMessage({ id: 1, kind: RequestKind.IN_SESSION, affinityServer: a }), context);
    expect(targets(context)).toEqual([a]);
    context.clear({ timers: true });
    odr.onMessage(response(1, a, Status.REJECTED, true, 'affinity-broken'), context);
    expect(targets(context)).toEqual([b]);
  });

  it('ignores load reports of servers it does not route to, and refuses an unknown message', () => {
    const { router: odr, context } = router([a]);
    odr.onMessage(report(99, ServerState.FAILED), context);
    odr.onMessage(requestMessage({ id: 1 }), context);
    expect(targets(context)).toEqual([a]);
    expect(() => odr.onMessage({ $case: 'timer', value: { tag: 'x', ref: 0 } }, context)).toThrow();
  });

  it("answers the sprayer's advisor probe, and a crashed router stays silent", () => {
    const { router: odr, context } = router([a]);
    const probe: Message = { $case: 'heartbeat', value: { from: 40, sequence: 3, sentAtUs: 2_000_000 } };
    odr.onMessage(probe, context);
    expect(context.take()).toEqual([{ to: 40, message: { $case: 'heartbeat', value: { from: routerActor, sequence: 3, sentAtUs: 2_000_000 } } }]);
    odr.onMessage({ $case: 'fault', value: { kind: FaultKind.CRASH, target: 'odr1', factor: 1, detail: '' } }, context);
    odr.onMessage(probe, context);
    expect(context.take()).toEqual([]);
  });
});
