import { describe, expect, it } from 'vitest';
import { MaintenanceMode, Protocol, RequestKind, ServerState, Status, type Message, type Request } from '../../nodes/messages.js';
import { AppServer } from '../../nodes/server/app-server.js';
import { constant } from '../../sim/kernel/distributions.js';
import { FakeContext } from '../helpers/fake-context.js';
import { requestMessage } from '../helpers/requests.js';

const serverActor = 10;
const routerActor = 1;
const serviceUs = 5_000;

function server(threads = 2, queueLimit = 10): { server: AppServer; context: FakeContext } {
  const appServer = new AppServer({
    name: 'node1/app-1',
    threads,
    queueLimit,
    service: new Map([
      [Protocol.HTTP, constant(serviceUs)],
      [Protocol.EJB, constant(serviceUs)],
    ]),
    loadSubscribers: [routerActor, 2],
    loadReportIntervalUs: 1_000_000,
  });
  return { server: appServer, context: new FakeContext(serverActor, 'scripted') };
}

const send = (fields: Partial<Request>) => requestMessage({ router: routerActor, ...fields });

function maintenance(enter: boolean, mode = MaintenanceMode.AFFINITY): Message {
  return { $case: 'maintenance', value: { targets: [serverActor], enter, mode, reason: 'test' } };
}

/** Fires the service timers set so far, in order. */
function finishAll(appServer: AppServer, context: FakeContext): void {
  for (let index = 0; index < context.timers.length; index++) {
    const timer = context.timers[index]!;
    if (timer.message.$case !== 'timer' || timer.message.value.tag !== 'service-done') continue;
    context.now = timer.atUs;
    appServer.onMessage(timer.message, context);
  }
}

function responses(context: FakeContext): { status: Status; cause: string; retryable: boolean; requestId: number; to: number; server: number }[] {
  return context.sent.flatMap((sent) =>
    sent.message.$case === 'response'
      ? [{ status: sent.message.value.status, cause: sent.message.value.cause, retryable: sent.message.value.retryable, requestId: sent.message.value.requestId, to: sent.to, server: sent.message.value.server }]
      : [],
  );
}

/** Opens session 7 on a running server and serves its first request. */
function withOpenSession(mode?: MaintenanceMode): { server: AppServer; context: FakeContext } {
  const made = server();
  made.server.onMessage(send({ id: 1, sessionId: 7 }), made.context);
  finishAll(made.server, made.context);
  if (mode !== undefined) made.server.onMessage(maintenance(true, mode), made.context);
  made.context.clear({ timers: true });
  return made;
}

describe('application server', () => {
  it('accepts a new session, serves it for the service time and answers its router', () => {
    const { server: appServer, context } = server();
    context.now = 100;
    appServer.onMessage(send({ id: 1, sessionId: 7 }), context);
    expect(context.recordsOf('accepted')).toEqual([
      expect.objectContaining({ server: serverActor, request: 1, session: 7, state: ServerState.RUNNING, mode: MaintenanceMode.UNSPECIFIED, affinityServer: -1, maintenanceOnly: false }),
    ]);
    expect(context.recordsOf('server-sessions')).toEqual([{ type: 'server-sessions', server: serverActor, protocol: Protocol.HTTP, open: 1, total: 1 }]);
    expect(context.recordsOf('queue-wait')).toEqual([{ type: 'queue-wait', server: serverActor, waitUs: 0 }]);
    expect(context.timers.map((timer) => timer.atUs)).toEqual([100 + serviceUs]);
    finishAll(appServer, context);
    expect(responses(context)).toEqual([{ status: Status.OK, cause: '', retryable: false, requestId: 1, to: routerActor, server: serverActor }]);
    expect(appServer.sessions.size).toBe(1);
  });

  it("each answer tells its router how many requests in service and queued other routers sent (what routers balance on)", () => {
    const { server: appServer, context } = server(1, 10);
    const otherRouter = 3;
    appServer.onMessage(send({ id: 1, sessionId: 1 }), context);
    appServer.onMessage(send({ id: 2, sessionId: 2 }), context);
    for (const id of [3, 4, 5]) appServer.onMessage(requestMessage({ router: otherRouter, id, sessionId: id }), context);
    finishAll(appServer, context);
    const told = context.sent.flatMap((sent) => (sent.message.$case === 'response' ? [[sent.to, sent.message.value.requestId, sent.message.value.othersInFlight]] : []));
    // Request 1 answered: 2 is this router's, 3-5 the other's; once 3 is answered, only the asker's own remain.
    expect(told).toEqual([
      [routerActor, 1, 3],
      [routerActor, 2, 3],
      [otherRouter, 3, 0],
      [otherRouter, 4, 0],
      [otherRouter, 5, 0],
    ]);
  });

  it('forgets a session once its last request is served', () => {
    const { server: appServer, context } = withOpenSession();
    appServer.onMessage(send({ id: 2, sessionId: 7, kind: RequestKind.CLOSE, last: true, affinityServer: serverActor }), context);
    finishAll(appServer, context);
    expect(appServer.sessions.size).toBe(0);
    expect(context.recordsOf('server-sessions').at(-1)).toMatchObject({ open: 0, total: 0 });
    expect(responses(context).map((answer) => answer.status)).toEqual([Status.OK]);
  });

  it('drops a request of a session it does not hold', () => {
    const { server: appServer, context } = server();
    appServer.onMessage(send({ id: 2, sessionId: 8, kind: RequestKind.IN_SESSION }), context);
    expect(responses(context)).toEqual([expect.objectContaining({ status: Status.DROPPED, cause: 'session-lost', retryable: false })]);
    expect(context.recordsOf('accepted')).toEqual([]);
  });

  it('in keep-affinity maintenance refuses new sessions (retryable) but serves existing ones', () => {
    const { server: appServer, context } = withOpenSession(MaintenanceMode.AFFINITY);
    appServer.onMessage(send({ id: 3, sessionId: 9 }), context);
    expect(responses(context)).toEqual([expect.objectContaining({ status: Status.REJECTED, cause: 'maintenance', retryable: true, requestId: 3 })]);
    expect(context.recordsOf('refused')).toEqual([expect.objectContaining({ request: 3, cause: 'maintenance', state: ServerState.MAINTENANCE, mode: MaintenanceMode.AFFINITY })]);
    context.clear({ timers: true });
    appServer.onMessage(send({ id: 4, sessionId: 7, kind: RequestKind.IN_SESSION, affinityServer: serverActor }), context);
    expect(context.recordsOf('accepted')).toEqual([expect.objectContaining({ request: 4, state: ServerState.MAINTENANCE, mode: MaintenanceMode.AFFINITY })]);
    finishAll(appServer, context);
    expect(responses(context).map((answer) => answer.status)).toEqual([Status.OK]);
  });

  it('in break-affinity maintenance refuses existing sessions too', () => {
    const { server: appServer, context } = withOpenSession(MaintenanceMode.BREAK);
    appServer.onMessage(send({ id: 4, sessionId: 7, kind: RequestKind.IN_SESSION, affinityServer: serverActor }), context);
    expect(responses(context)).toEqual([expect.objectContaining({ status: Status.REJECTED, cause: 'affinity-broken', retryable: true })]);
  });

  it('a maintenance-only work class opens sessions only while in maintenance', () => {
    const { server: appServer, context } = server();
    appServer.onMessage(send({ id: 1, maintenanceOnly: true, workClass: 'admin' }), context);
    expect(responses(context)).toEqual([expect.objectContaining({ status: Status.REJECTED, cause: 'not-in-maintenance', retryable: true })]);
    appServer.onMessage(maintenance(true), context);
    context.clear({ timers: true });
    appServer.onMessage(send({ id: 2, sessionId: 8, maintenanceOnly: true, workClass: 'admin' }), context);
    expect(context.recordsOf('accepted')).toEqual([expect.objectContaining({ request: 2, workClass: 'admin', maintenanceOnly: true })]);
  });

  it('enters and leaves maintenance: records its state and tells its subscribers at once', () => {
    const { server: appServer, context } = server();
    context.now = 42;
    appServer.onMessage(maintenance(true, MaintenanceMode.BREAK), context);
    expect(appServer.state).toBe(ServerState.MAINTENANCE);
    expect(context.recordsOf('server-state')).toEqual([{ type: 'server-state', server: serverActor, state: ServerState.MAINTENANCE, mode: MaintenanceMode.BREAK }]);
    expect(context.sent.map((sent) => sent.to)).toEqual([routerActor, 2]);
    expect(context.sent[0]!.message).toMatchObject({ $case: 'loadReport', value: { server: serverActor, atUs: 42, state: ServerState.MAINTENANCE, mode: MaintenanceMode.BREAK } });
    expect(context.timers).toEqual([]);
    context.clear({ timers: true });
    appServer.onMessage(maintenance(false), context);
    expect(context.recordsOf('server-state')).toEqual([{ type: 'server-state', server: serverActor, state: ServerState.RUNNING, mode: MaintenanceMode.UNSPECIFIED }]);
    appServer.onMessage(send({ id: 5, sessionId: 11 }), context);
    expect(context.recordsOf('accepted')).toHaveLength(1);
  });

  it('stopping loses the work in flight and the sessions, and refuses what comes after', () => {
    const { server: appServer, context } = server(1, 5);
    appServer.onMessage(send({ id: 1, sessionId: 1 }), context);
    appServer.onMessage(send({ id: 2, sessionId: 2 }), context);
    context.clear({ timers: true });
    appServer.onMessage(maintenance(true, MaintenanceMode.STOP), context);
    expect(appServer.state).toBe(ServerState.STOPPED);
    expect(responses(context)).toEqual([
      expect.objectContaining({ requestId: 1, status: Status.DROPPED, cause: 'server-stopped' }),
      expect.objectContaining({ requestId: 2, status: Status.DROPPED, cause: 'server-stopped' }),
    ]);
    expect(appServer.sessions.size).toBe(0);
    expect(context.recordsOf('server-sessions').at(-1)).toMatchObject({ open: 0, total: 0 });
    expect(appServer.queued).toBe(0);
    context.clear({ timers: true });
    appServer.onMessage(send({ id: 3, sessionId: 3 }), context);
    expect(responses(context)).toEqual([expect.objectContaining({ status: Status.REJECTED, cause: 'server-unavailable' })]);
  });

  it('a service timer left over from before a stop finishes nothing, not even the request served on its thread since', () => {
    const { server: appServer, context } = server(1, 5);
    appServer.onMessage(send({ id: 1, sessionId: 1 }), context);
    const staleTimer = context.timers.find((timer) => timer.message.$case === 'timer' && timer.message.value.tag === 'service-done')!;
    appServer.onMessage(maintenance(true, MaintenanceMode.STOP), context);
    appServer.onMessage(maintenance(false), context);
    expect(appServer.state).toBe(ServerState.RUNNING);
    context.clear({ timers: true });
    appServer.onMessage(send({ id: 2, sessionId: 2 }), context);
    context.now = staleTimer.atUs;
    appServer.onMessage(staleTimer.message, context);
    expect(responses(context)).toEqual([]);
    finishAll(appServer, context);
    expect(responses(context)).toEqual([expect.objectContaining({ requestId: 2, status: Status.OK })]);
  });

  it('queues beyond its threads, first come first served, and refuses beyond the queue', () => {
    const { server: appServer, context } = server(1, 1);
    appServer.onMessage(send({ id: 1, sessionId: 1 }), context);
    context.now = 1_000;
    appServer.onMessage(send({ id: 2, sessionId: 2 }), context);
    appServer.onMessage(send({ id: 3, sessionId: 3 }), context);
    expect(appServer.queued).toBe(1);
    expect(responses(context)).toEqual([expect.objectContaining({ requestId: 3, status: Status.REJECTED, cause: 'queue-full', retryable: true })]);
    finishAll(appServer, context);
    expect(responses(context).filter((answer) => answer.status === Status.OK).map((answer) => answer.requestId)).toEqual([1, 2]);
    expect(context.recordsOf('queue-wait').map((record) => record.waitUs)).toEqual([0, serviceUs - 1_000]);
    expect(appServer.queued).toBe(0);
  });

  it('keeps each queued request beside its own arrival time as the queue moves on', () => {
    const { server: appServer, context } = server(1, 3);
    appServer.onMessage(send({ id: 1, sessionId: 1 }), context);
    for (const [id, atUs] of [[2, 1_000], [3, 2_500], [4, 4_000]] as const) {
      context.now = atUs;
      appServer.onMessage(send({ id, sessionId: id }), context);
    }
    finishAll(appServer, context);
    expect(responses(context).map((answer) => answer.requestId)).toEqual([1, 2, 3, 4]);
    // Each starts when the one before ends, one service time apart.
    expect(context.recordsOf('queue-wait').map((record) => record.waitUs)).toEqual([0, serviceUs - 1_000, 2 * serviceUs - 2_500, 3 * serviceUs - 4_000]);
  });

  it('keeps the arrival times in step with the queue when it sheds the requests served', () => {
    const queued = 2_500; // past the 1,024 served requests after which the queue is compacted
    const { server: appServer, context } = server(1, queued);
    for (let id = 1; id <= queued + 1; id++) {
      context.now = id * 10;
      appServer.onMessage(send({ id, sessionId: id }), context);
    }
    finishAll(appServer, context);
    // The first starts at 10 µs and each next one a service time later; each arrived 10 µs after the one before.
    const waits = context.recordsOf('queue-wait').map((record) => record.waitUs);
    expect(waits).toEqual(Array.from({ length: queued + 1 }, (_, index) => 10 + index * serviceUs - (index + 1) * 10));
  });

  it('reports its load periodically, and re-arms the report timer', () => {
    const { server: appServer, context } = server(4);
    appServer.onMessage(send({ id: 1, sessionId: 1 }), context);
    context.clear({ timers: true });
    context.now = 2_000_000;
    appServer.onMessage({ $case: 'timer', value: { tag: 'load-report', ref: 0 } }, context);
    expect(context.sent[0]!.message).toMatchObject({ $case: 'loadReport', value: { inFlight: 1, threads: 4, queued: 0, loadPercent: 25, openSessions: 1, state: ServerState.RUNNING } });
    expect(context.timers).toEqual([{ atUs: 3_000_000, message: { $case: 'timer', value: { tag: 'load-report', ref: 0 } } }]);
  });

  it('counts sessions per protocol', () => {
    const { server: appServer, context } = server();
    appServer.onMessage(send({ id: 1, sessionId: 1 }), context);
    appServer.onMessage(send({ id: 2, sessionId: 2, protocol: Protocol.EJB }), context);
    appServer.onMessage(send({ id: 3, sessionId: 3 }), context);
    expect(context.recordsOf('server-sessions').map(({ protocol, open, total }) => [protocol, open, total])).toEqual([
      [Protocol.HTTP, 1, 1],
      [Protocol.EJB, 1, 2],
      [Protocol.HTTP, 2, 3],
    ]);
  });
});
