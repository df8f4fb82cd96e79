import { describe, expect, it } from 'vitest';
import { FaultKind, MaintenanceMode, Protocol, RequestKind, ServerState, Status, type Message, type Request, type Response } from '../../nodes/messages.js';
import { Router, type RouterConfig } from '../../nodes/router/router.js';
import type { WorkClassSpec } from '../../nodes/router/work-classes.js';
import { FakeContext } from '../helpers/fake-context.js';
import { clientActor, requestMessage } from '../helpers/requests.js';

const routerActor = 1;
const sprayerActor = 2;
const [a, b, c, d] = [10, 11, 12, 13];

function router(fields: Partial<RouterConfig> = {}): { router: Router; context: FakeContext } {
  const servers = [a, b, c];
  const config: RouterConfig = {
    name: 'odr1',
    servers: servers.map((actor) => ({ actor, threads: 10, state: ServerState.RUNNING })),
    clusters: new Map([['app', servers]]),
    defaultCluster: new Map([[Protocol.HTTP, 'app']]),
    workClasses: [],
    maxAttempts: 3,
    ...fields,
  };
  return { router: new Router(config), context: new FakeContext(routerActor, 'scripted') };
}

function report(server: number, state: ServerState, mode = MaintenanceMode.UNSPECIFIED, loadPercent = 0): Message {
  return { $case: 'loadReport', value: { server, atUs: 0, state, mode, inFlight: 0, threads: 10, queued: 0, loadPercent, openSessions: 0, completedInInterval: 0, responseTimeSumUs: 0, errorsInInterval: 0 } };
}

/** The answer of `server` to the request the router forwarded, as the server builds it. */
function answer(forwarded: Request, server: number, status = Status.OK, retryable = false, cause = ''): Message {
  const value: Response = {
    requestId: forwarded.id,
    protocol: forwarded.protocol,
    kind: forwarded.kind,
    sessionId: forwarded.sessionId,
    status,
    cause,
    server,
    client: forwarded.client,
    sentAtUs: 0,
    attempts: forwarded.attempts,
    redirects: 0,
    workClass: forwarded.workClass,
    retryable,
    redirectAddress: '',
    othersInFlight: 0,
  };
  return { $case: 'response', value };
}

function fault(kind: FaultKind): Message {
  return { $case: 'fault', value: { kind, target: 'odr1', factor: 0, detail: '' } };
}

function maintenance(enter: boolean, mode: MaintenanceMode): Message {
  return { $case: 'maintenance', value: { targets: [routerActor], enter, mode, reason: 'test' } };
}

/** Requests forwarded so far, with their target, taken out of the messages sent. */
function forwarded(context: FakeContext): { to: number; request: Request }[] {
  const requests: { to: number; request: Request }[] = [];
  context.sent = context.sent.filter((sent) => {
    if (sent.message.$case !== 'request') return true;
    requests.push({ to: sent.to, request: sent.message.value });
    return false;
  });
  return requests;
}

/** Responses the router sent (to clients) so far, not emptied. */
function answers(context: FakeContext): { to: number; status: Status; cause: string; requestId: number; redirectAddress: string }[] {
  return context.sent.flatMap((sent) =>
    sent.message.$case === 'response'
      ? [{ to: sent.to, status: sent.message.value.status, cause: sent.message.value.cause, requestId: sent.message.value.requestId, redirectAddress: sent.message.value.redirectAddress }]
      : [],
  );
}

/** Sends one request and returns where it went (undefined: answered by the router itself). */
function route(odr: Router, context: FakeContext, fields: Partial<Request>): Request | undefined {
  odr.onMessage(requestMessage(fields), context);
  const sent = context.sent.at(-1);
  return sent?.message.$case === 'request' ? sent.message.value : undefined;
}

function target(odr: Router, context: FakeContext, fields: Partial<Request>): number | undefined {
  const before = context.sent.length;
  odr.onMessage(requestMessage(fields), context);
  const sent = context.sent.slice(before);
  return sent.length === 1 && sent[0]!.message.$case === 'request' ? sent[0]!.to : undefined;
}

describe('router: which server is chosen', () => {
  it('goes by its own outstanding requests, not by the load of a report an interval old', () => {
    const { router: odr, context } = router();
    odr.onMessage(report(a, ServerState.RUNNING, MaintenanceMode.UNSPECIFIED, 100), context);
    odr.onMessage(report(c, ServerState.RUNNING, MaintenanceMode.UNSPECIFIED, 90), context);
    context.willDraw(0);
    expect(target(odr, context, { id: 1 })).toBe(a);
    context.willDraw(0);
    expect(target(odr, context, { id: 2 })).toBe(b);
  });

  it('ties go to the server where the scan starts, a random offset', () => {
    for (const [draw, expected] of [
      [0, a],
      [0.4, b],
      [0.7, c],
    ] as const) {
      const { router: odr, context } = router();
      context.willDraw(draw);
      expect(target(odr, context, { id: 1 })).toBe(expected);
    }
  });

  it('counts a forwarded request as outstanding until its answer, and passes the answer on', () => {
    const { router: odr, context } = router({ servers: [a, b].map((actor) => ({ actor, threads: 10, state: ServerState.RUNNING })), clusters: new Map([['app', [a, b]]]) });
    context.willDraw(0, 0);
    const first = route(odr, context, { id: 1, sessionId: 1 })!;
    const second = route(odr, context, { id: 2, sessionId: 2 })!;
    expect([first.triedServers, second.triedServers]).toEqual([[a], [b]]);
    odr.onMessage(answer(second, b), context);
    expect(answers(context)).toEqual([{ to: clientActor, status: Status.OK, cause: '', requestId: 2, redirectAddress: '' }]);
    context.clear();
    context.willDraw(0);
    // a has one outstanding, b none: b, although the scan starts at a.
    expect(target(odr, context, { id: 3, sessionId: 3 })).toBe(b);
  });

  it('an answer from a server it does not know is still passed on', () => {
    const { router: odr, context } = router();
    const sent = route(odr, context, { id: 1 })!;
    odr.onMessage(answer(sent, 99), context);
    expect(answers(context)).toEqual([expect.objectContaining({ to: clientActor, status: Status.OK, requestId: 1 })]);
  });

  it('goes to the cluster of the work class, else the protocol default cluster, else any server', () => {
    const { router: odr, context } = router({
      servers: [a, b, c, d].map((actor) => ({ actor, threads: 10, state: ServerState.RUNNING })),
      clusters: new Map([
        ['web', [a, b]],
        ['batch', [c]],
        ['ejb', [d]],
      ]),
      defaultCluster: new Map([
        [Protocol.HTTP, 'web'],
        [Protocol.SIP, 'nowhere'],
      ]),
      workClasses: [{ name: 'batch', uri: '/batch', action: 'permit', cluster: 'batch' }],
    });
    let id = 0;
    // Where a request goes from each scan offset; each is answered, so that none stays outstanding.
    const targets = (fields: Partial<Request>) =>
      new Set(
        [0, 0.3, 0.6, 0.9].map((draw) => {
          context.willDraw(draw);
          const sent = route(odr, context, { id: ++id, ...fields })!;
          const server = sent.triedServers[0]!;
          odr.onMessage(answer(sent, server), context);
          return server;
        }),
      );
    expect(targets({ uri: '/batch' })).toEqual(new Set([c]));
    expect(targets({ uri: '/shop' })).toEqual(new Set([a, b]));
    // No default cluster for EJB, and an unknown one for SIP: every server of the router.
    expect(targets({ protocol: Protocol.EJB })).toEqual(new Set([a, b, c, d]));
    expect(targets({ protocol: Protocol.SIP })).toEqual(new Set([a, b, c, d]));
  });

  it('a permitMM class goes only to servers in maintenance, and is rejected when there are none', () => {
    const { router: odr, context } = router({ workClasses: [{ name: 'admin', uri: '/admin', action: 'permitMM' }] });
    odr.onMessage(requestMessage({ id: 1, uri: '/admin' }), context);
    expect(answers(context)).toEqual([{ to: clientActor, status: Status.REJECTED, cause: 'no-server-in-maintenance', requestId: 1, redirectAddress: '' }]);
    expect(context.recordsOf('routed-away')).toEqual([{ type: 'routed-away', router: routerActor, protocol: Protocol.HTTP, request: 1, status: Status.REJECTED, cause: 'no-server-in-maintenance', workClass: 'admin' }]);
    odr.onMessage(report(c, ServerState.MAINTENANCE, MaintenanceMode.AFFINITY), context);
    context.clear();
    const sent = route(odr, context, { id: 2, uri: '/admin' });
    expect(context.sent.at(-1)?.to).toBe(c);
    expect(sent).toMatchObject({ workClass: 'admin', maintenanceOnly: true });
  });

  it('rejects and redirects what its work classes say, with the cause and the address', () => {
    const { router: odr, context } = router({
      workClasses: [
        { name: 'closed', uri: '/closed', action: 'reject' },
        { name: 'moved', uri: '/old', action: 'redirect', redirectTo: '/new' },
      ],
    });
    odr.onMessage(requestMessage({ id: 1, uri: '/closed' }), context);
    odr.onMessage(requestMessage({ id: 2, uri: '/old' }), context);
    expect(answers(context)).toEqual([
      { to: clientActor, status: Status.REJECTED, cause: 'work-class-reject', requestId: 1, redirectAddress: '' },
      { to: clientActor, status: Status.REDIRECT, cause: 'work-class-redirect', requestId: 2, redirectAddress: '/new' },
    ]);
    expect(context.recordsOf('routed-away').map((record) => [record.workClass, record.cause])).toEqual([
      ['closed', 'work-class-reject'],
      ['moved', 'work-class-redirect'],
    ]);
  });

  it('balances a request without a session even when it carries an affinity server', () => {
    const { router: odr, context } = router();
    context.willDraw(0, 0);
    expect(target(odr, context, { id: 1, kind: RequestKind.OPEN, affinityServer: c })).toBe(a);
    expect(target(odr, context, { id: 2, kind: RequestKind.MESSAGE, protocol: Protocol.JMS, affinityServer: c, sessionId: 0 })).toBe(b);
  });

  it('follows the session cookie to a server it does not know no further: it balances', () => {
    const { router: odr, context } = router();
    context.willDraw(0.4);
    expect(target(odr, context, { id: 1, kind: RequestKind.IN_SESSION, affinityServer: 99 })).toBe(b);
  });
});

describe('router: affinity tables', () => {
  for (const protocol of [Protocol.SIP, Protocol.EJB]) {
    it(`keeps ${Protocol[protocol]} sessions on the server that answered their first request`, () => {
      const { router: odr, context } = router();
      context.willDraw(0.7);
      const opened = route(odr, context, { id: 1, protocol, sessionId: 5 })!;
      expect(context.sent.at(-1)?.to).toBe(c);
      odr.onMessage(answer(opened, c), context);
      context.clear();
      // No cookie: the router's own table knows the session.
      for (let id = 2; id <= 4; id++) {
        context.willDraw(0);
        expect(target(odr, context, { id, protocol, sessionId: 5, kind: RequestKind.IN_SESSION })).toBe(c);
      }
    });
  }

  it('forgets a session after its last request', () => {
    const { router: odr, context } = router();
    context.willDraw(0.7);
    const opened = route(odr, context, { id: 1, protocol: Protocol.SIP, sessionId: 5 })!;
    odr.onMessage(answer(opened, c), context);
    context.willDraw(0);
    const bye = route(odr, context, { id: 2, protocol: Protocol.SIP, sessionId: 5, kind: RequestKind.CLOSE, last: true })!;
    expect(bye.triedServers).toEqual([c]);
    odr.onMessage(answer(bye, c), context);
    context.willDraw(0);
    expect(target(odr, context, { id: 3, protocol: Protocol.SIP, sessionId: 5, kind: RequestKind.IN_SESSION })).toBe(a);
  });

  it('learns nothing from a refusal', () => {
    const { router: odr, context } = router();
    context.willDraw(0.4);
    const refused = route(odr, context, { id: 1, protocol: Protocol.SIP, sessionId: 6 })!;
    expect(refused.triedServers).toEqual([b]);
    odr.onMessage(answer(refused, b, Status.REJECTED, false, 'queue-full'), context);
    context.willDraw(0);
    expect(target(odr, context, { id: 2, protocol: Protocol.SIP, sessionId: 6, kind: RequestKind.IN_SESSION })).toBe(a);
  });

  it('learns nothing from a message: it has no session to keep, whatever its id', () => {
    const { router: odr, context } = router();
    context.willDraw(0.4);
    const message = route(odr, context, { id: 1, protocol: Protocol.SIP, sessionId: 7, kind: RequestKind.MESSAGE })!;
    expect(message.triedServers).toEqual([b]);
    odr.onMessage(answer(message, b), context);
    context.willDraw(0);
    expect(target(odr, context, { id: 2, protocol: Protocol.SIP, sessionId: 7, kind: RequestKind.IN_SESSION })).toBe(a);
  });

  it('an answer to a request it had to drop clears the table entry', () => {
    const { router: odr, context } = router();
    context.willDraw(0.7);
    const opened = route(odr, context, { id: 1, protocol: Protocol.EJB, sessionId: 5 })!;
    odr.onMessage(answer(opened, c), context);
    context.willDraw(0);
    const next = route(odr, context, { id: 2, protocol: Protocol.EJB, sessionId: 5, kind: RequestKind.IN_SESSION })!;
    odr.onMessage(answer(next, c, Status.DROPPED, false, 'session-lost'), context);
    context.willDraw(0);
    expect(target(odr, context, { id: 3, protocol: Protocol.EJB, sessionId: 5, kind: RequestKind.IN_SESSION })).toBe(a);
  });

  it('keeps a table for a sticky HTTP work class only, and the cookie decides for the others', () => {
    const workClasses: WorkClassSpec[] = [{ name: 'cart', uri: '/cart', action: 'permitsticky' }];
    const { router: odr, context } = router({ workClasses });
    context.willDraw(0.7);
    const cart = route(odr, context, { id: 1, uri: '/cart', sessionId: 5 })!;
    odr.onMessage(answer(cart, c), context);
    // The table sends /cart of session 5 to c, whatever its cookie says.
    expect(target(odr, context, { id: 2, uri: '/cart', sessionId: 5, kind: RequestKind.IN_SESSION, affinityServer: a })).toBe(c);
    // Another URI of the same session follows its cookie.
    expect(target(odr, context, { id: 3, uri: '/shop', sessionId: 5, kind: RequestKind.IN_SESSION, affinityServer: a })).toBe(a);

    // A plain HTTP answer teaches the table nothing: /cart of session 8 follows its cookie.
    context.willDraw(0.4);
    const plain = route(odr, context, { id: 4, uri: '/shop', sessionId: 8 })!;
    expect(plain.triedServers).toEqual([b]);
    odr.onMessage(answer(plain, b), context);
    expect(target(odr, context, { id: 5, uri: '/cart', sessionId: 8, kind: RequestKind.IN_SESSION, affinityServer: a })).toBe(a);
  });

  it('loses a session whose server is stopped or starting, unless it is replicated', () => {
    for (const state of [ServerState.STOPPED, ServerState.STARTING]) {
      const { router: odr, context } = router();
      odr.onMessage(report(b, state), context);
      odr.onMessage(requestMessage({ id: 1, kind: RequestKind.IN_SESSION, affinityServer: b }), context);
      expect(answers(context)).toEqual([{ to: clientActor, status: Status.DROPPED, cause: 'server-stopped', requestId: 1, redirectAddress: '' }]);
      context.clear();
      // The running servers are a and c; the scan starts at c.
      context.willDraw(0.6);
      expect(target(odr, context, { id: 2, kind: RequestKind.IN_SESSION, affinityServer: b, replicated: true })).toBe(c);
    }
  });
});

describe('router: retries', () => {
  it('retries a refusal on servers not yet tried, up to its attempts, then passes the refusal on', () => {
    const { router: odr, context } = router({ maxAttempts: 2 });
    context.willDraw(0);
    odr.onMessage(requestMessage({ id: 1 }), context);
    const [first] = forwarded(context);
    expect(first!.to).toBe(a);
    context.willDraw(0);
    odr.onMessage(answer(first!.request, a, Status.REJECTED, true, 'maintenance'), context);
    const [second] = forwarded(context);
    expect(second!.to).toBe(b);
    expect(second!.request.triedServers).toEqual([a, b]);
    expect(second!.request.attempts).toBe(2);
    odr.onMessage(answer(second!.request, b, Status.REJECTED, true, 'maintenance'), context);
    // c was never tried: the two attempts are spent, and the client sees b's refusal.
    expect(forwarded(context)).toEqual([]);
    expect(answers(context)).toEqual([{ to: clientActor, status: Status.REJECTED, cause: 'maintenance', requestId: 1, redirectAddress: '' }]);
  });

  it('retries only a retryable refusal, not a drop', () => {
    const { router: odr, context } = router();
    const sent = route(odr, context, { id: 1 })!;
    const server = sent.triedServers[0]!;
    context.clear();
    odr.onMessage(answer(sent, server, Status.DROPPED, true, 'oops'), context);
    expect(context.sent.map((message) => message.to)).toEqual([clientActor]);
    expect(answers(context)[0]).toMatchObject({ status: Status.DROPPED, cause: 'oops' });
  });

  it('a refused request no longer counts against the server that refused it', () => {
    const servers = [a, b].map((actor) => ({ actor, threads: 10, state: ServerState.RUNNING }));
    const { router: odr, context } = router({ servers, clusters: new Map([['app', [a, b]]]) });
    context.willDraw(0);
    const sent = route(odr, context, { id: 1, sessionId: 1 })!;
    expect(sent.triedServers).toEqual([a]);
    odr.onMessage(answer(sent, a, Status.REJECTED, false, 'queue-full'), context);
    context.willDraw(0.6, 0.6);
    expect(target(odr, context, { id: 2, sessionId: 2 })).toBe(b);
    // a has none outstanding again, b one: a, although the scan starts at b.
    expect(target(odr, context, { id: 3, sessionId: 3 })).toBe(a);
  });

  it('retries the new sessions and messages lost with a failed server elsewhere, and drops the others', () => {
    const { router: odr, context } = router({ maxAttempts: 2 });
    context.willDraw(0, 0, 0.4);
    odr.onMessage(requestMessage({ id: 1, sessionId: 1 }), context);
    odr.onMessage(requestMessage({ id: 2, protocol: Protocol.JMS, kind: RequestKind.MESSAGE, sessionId: 0 }), context);
    odr.onMessage(requestMessage({ id: 3, kind: RequestKind.IN_SESSION, sessionId: 3, affinityServer: a }), context);
    odr.onMessage(requestMessage({ id: 4, sessionId: 4 }), context);
    expect(forwarded(context).map((sent) => [sent.request.id, sent.to])).toEqual([
      [1, a],
      [2, b],
      [3, a],
      [4, c],
    ]);
    context.willDraw(0.4);
    odr.onMessage(report(b, ServerState.FAILED), context);
    // Only the message on b is lost; it goes to c, the least loaded of the others.
    expect(forwarded(context).map((sent) => [sent.request.id, sent.to, sent.request.triedServers])).toEqual([[2, c, [b, c]]]);
    expect(answers(context)).toEqual([]);
    context.willDraw(0.4);
    odr.onMessage(report(a, ServerState.FAILED), context);
    expect(forwarded(context).map((sent) => [sent.request.id, sent.to])).toEqual([[1, c]]);
    expect(answers(context)).toEqual([{ to: clientActor, status: Status.DROPPED, cause: 'server-failed', requestId: 3, redirectAddress: '' }]);
    expect(context.recordsOf('routed-away')).toEqual([expect.objectContaining({ request: 3, status: Status.DROPPED, cause: 'server-failed' })]);
  });

  it('drops a new session lost with a failed server once its attempts are spent', () => {
    const { router: odr, context } = router({ maxAttempts: 1 });
    const sent = route(odr, context, { id: 1 })!;
    context.clear();
    odr.onMessage(report(sent.triedServers[0]!, ServerState.FAILED), context);
    expect(forwarded(context)).toEqual([]);
    expect(answers(context)).toEqual([{ to: clientActor, status: Status.DROPPED, cause: 'server-failed', requestId: 1, redirectAddress: '' }]);
  });

  it('a failed server that comes back has nothing outstanding', () => {
    const servers = [a, b].map((actor) => ({ actor, threads: 10, state: ServerState.RUNNING }));
    const { router: odr, context } = router({ servers, clusters: new Map([['app', [a, b]]]) });
    route(odr, context, { id: 1, sessionId: 1, kind: RequestKind.IN_SESSION, affinityServer: a });
    odr.onMessage(report(a, ServerState.FAILED), context);
    odr.onMessage(report(a, ServerState.RUNNING), context);
    context.willDraw(0.6, 0.6);
    expect(target(odr, context, { id: 2, sessionId: 2 })).toBe(b);
    expect(target(odr, context, { id: 3, sessionId: 3 })).toBe(a);
  });

  it('a server whose node crashed (silent: no failure reported) and comes back starting has nothing outstanding', () => {
    const servers = [a, b].map((actor) => ({ actor, threads: 10, state: ServerState.RUNNING }));
    const { router: odr, context } = router({ servers, clusters: new Map([['app', [a, b]]]) });
    const lost = route(odr, context, { id: 1, sessionId: 1, kind: RequestKind.IN_SESSION, affinityServer: a })!;
    context.clear();
    // Its first word since the crash: it is starting again. The request is lost; its client finds
    // out by its timeout (and has likely sent it again by now), so it is neither answered nor sent again.
    odr.onMessage(report(a, ServerState.STARTING), context);
    expect(context.sent).toEqual([]);
    odr.onMessage(report(a, ServerState.RUNNING), context);
    context.willDraw(0.6, 0.6);
    expect(target(odr, context, { id: 2, sessionId: 2 })).toBe(b);
    expect(target(odr, context, { id: 3, sessionId: 3 })).toBe(a);
    // Had the report overtaken the server's answer to it (a restart order), that answer is passed on.
    context.clear();
    odr.onMessage(answer(lost, a, Status.DROPPED, false, 'server-restarted'), context);
    expect(answers(context)).toEqual([{ to: clientActor, status: Status.DROPPED, cause: 'server-restarted', requestId: 1, redirectAddress: '' }]);
    odr.onMessage(answer(lost, a, Status.DROPPED, false, 'server-restarted'), context);
    expect(answers(context)).toHaveLength(1);
  });

  it('a server heard stopping and then starting again keeps its requests outstanding until their answers come', () => {
    const servers = [a, b].map((actor) => ({ actor, threads: 10, state: ServerState.RUNNING }));
    const { router: odr, context } = router({ servers, clusters: new Map([['app', [a, b]]]) });
    const sent = route(odr, context, { id: 1, sessionId: 1, kind: RequestKind.IN_SESSION, affinityServer: a })!;
    odr.onMessage(report(a, ServerState.STOPPED), context);
    odr.onMessage(report(a, ServerState.STARTING), context);
    context.clear();
    odr.onMessage(answer(sent, a, Status.DROPPED, false, 'server-restarted'), context);
    expect(answers(context)).toEqual([{ to: clientActor, status: Status.DROPPED, cause: 'server-restarted', requestId: 1, redirectAddress: '' }]);
  });

  it('a failure reported twice loses the requests once', () => {
    const { router: odr, context } = router({ maxAttempts: 1 });
    const sent = route(odr, context, { id: 1 })!;
    odr.onMessage(report(sent.triedServers[0]!, ServerState.FAILED), context);
    odr.onMessage(report(sent.triedServers[0]!, ServerState.FAILED), context);
    expect(answers(context)).toHaveLength(1);
  });
});

describe('router: its own life', () => {
  it('a crashed router hears nothing until restarted, and forgets what it was forwarding', () => {
    const servers = [a, b].map((actor) => ({ actor, threads: 10, state: ServerState.RUNNING }));
    const { router: odr, context } = router({ servers, clusters: new Map([['app', [a, b]]]) });
    context.willDraw(0, 0);
    const first = route(odr, context, { id: 1, sessionId: 1 })!;
    route(odr, context, { id: 2, sessionId: 2 });
    context.now = 5;
    odr.onMessage(fault(FaultKind.CRASH), context);
    expect(context.recordsOf('lost')).toEqual([{ type: 'lost', server: routerActor, requests: 2, sessions: 0, cause: 'crash' }]);
    odr.onMessage(fault(FaultKind.CRASH), context);
    expect(context.recordsOf('lost')).toHaveLength(1);
    context.clear();
    odr.onMessage(requestMessage({ id: 3 }), context);
    odr.onMessage(report(a, ServerState.FAILED), context);
    odr.onMessage({ $case: 'timer', value: { tag: 'unknown', ref: 0 } }, context);
    odr.onMessage(fault(FaultKind.SLOW), context);
    odr.onMessage(requestMessage({ id: 4 }), context);
    expect(context.sent).toEqual([]);
    odr.onMessage(fault(FaultKind.RESTART), context);
    odr.onMessage(report(a, ServerState.RUNNING), context);
    // The answer to a request forwarded before the crash is not passed on.
    odr.onMessage(answer(first, a), context);
    expect(context.sent).toEqual([]);
    // Nothing is outstanding any more: the scan order decides.
    context.willDraw(0.6);
    expect(target(odr, context, { id: 5, sessionId: 5 })).toBe(b);
    context.willDraw(0);
    expect(target(odr, context, { id: 6, sessionId: 6 })).toBe(a);
  });

  it('a restart of a router that did not crash changes nothing', () => {
    const { router: odr, context } = router();
    odr.onMessage(fault(FaultKind.RESTART), context);
    expect(context.records).toEqual([]);
    expect(target(odr, context, { id: 1 })).toBeDefined();
  });

  it('in maintenance it still routes; stopped it rejects; out of maintenance it runs again, telling the sprayer each time', () => {
    const { router: odr, context } = router({ stateSubscribers: [sprayerActor], stateReportIntervalUs: 1_000 });
    context.now = 50;
    odr.onMessage(maintenance(true, MaintenanceMode.AFFINITY), context);
    expect(odr.state).toBe(ServerState.MAINTENANCE);
    expect(context.recordsOf('router-state')).toEqual([{ type: 'router-state', router: routerActor, state: ServerState.MAINTENANCE, mode: MaintenanceMode.AFFINITY }]);
    expect(context.take()).toEqual([
      {
        to: sprayerActor,
        message: {
          $case: 'loadReport',
          value: { server: routerActor, atUs: 50, state: ServerState.MAINTENANCE, mode: MaintenanceMode.AFFINITY, inFlight: 0, threads: 0, queued: 0, loadPercent: 0, openSessions: 0, completedInInterval: 0, responseTimeSumUs: 0, errorsInInterval: 0 },
        },
      },
    ]);
    // A state change is told at once; it arms no timer.
    expect(context.timers).toEqual([]);
    expect(target(odr, context, { id: 1 })).toBeDefined();
    context.clear();

    odr.onMessage(maintenance(true, MaintenanceMode.STOP), context);
    expect([odr.state, odr.mode]).toEqual([ServerState.STOPPED, MaintenanceMode.STOP]);
    expect(context.take()).toEqual([{ to: sprayerActor, message: expect.objectContaining({ value: expect.objectContaining({ state: ServerState.STOPPED, inFlight: 1 }) }) }]);
    odr.onMessage(requestMessage({ id: 2 }), context);
    expect(answers(context)).toEqual([{ to: clientActor, status: Status.REJECTED, cause: 'router-stopped', requestId: 2, redirectAddress: '' }]);
    context.clear();

    odr.onMessage(maintenance(false, MaintenanceMode.STOP), context);
    expect([odr.state, odr.mode]).toEqual([ServerState.RUNNING, MaintenanceMode.UNSPECIFIED]);
    expect(context.recordsOf('router-state')).toEqual([{ type: 'router-state', router: routerActor, state: ServerState.RUNNING, mode: MaintenanceMode.UNSPECIFIED }]);
    context.clear();
    expect(target(odr, context, { id: 3 })).toBeDefined();
  });

  it('reports its state periodically when asked to, and re-arms the timer', () => {
    const { router: odr, context } = router({ stateSubscribers: [sprayerActor, 3], stateReportIntervalUs: 1_000 });
    route(odr, context, { id: 1 });
    context.clear();
    context.now = 7_000;
    odr.onMessage({ $case: 'timer', value: { tag: 'router-state', ref: 0 } }, context);
    expect(context.sent.map((sent) => [sent.to, sent.message.$case === 'loadReport' && sent.message.value.inFlight])).toEqual([
      [sprayerActor, 1],
      [3, 1],
    ]);
    expect(context.timers).toEqual([{ atUs: 8_000, message: { $case: 'timer', value: { tag: 'router-state', ref: 0 } } }]);
  });

  it('without an interval or subscribers, a periodic report sends nothing and arms nothing', () => {
    const { router: odr, context } = router();
    odr.reportState(context, true);
    expect(context.sent).toEqual([]);
    expect(context.timers).toEqual([]);
    const { router: quiet, context: quietContext } = router({ stateSubscribers: [sprayerActor] });
    quiet.reportState(quietContext, true);
    expect(quietContext.sent).toHaveLength(1);
    expect(quietContext.timers).toEqual([]);
  });

  it('refuses a message it has no use for', () => {
    const { router: odr, context } = router();
    expect(() => odr.onMessage({ $case: 'serverControl', value: { action: 1, reason: '' } }, context)).toThrow('odr1 cannot handle a serverControl message');
  });
});
