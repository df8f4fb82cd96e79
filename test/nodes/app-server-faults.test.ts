import { describe, expect, it } from 'vitest';
import { FaultKind, MaintenanceMode, Protocol, RequestKind, ServerAction, ServerState, Status, type Message, type Request } from '../../nodes/messages.js';
import { AppServer, type AppServerConfig } from '../../nodes/server/app-server.js';
import { constant } from '../../sim/kernel/distributions.js';
import { FakeContext } from '../helpers/fake-context.js';
import { requestMessage } from '../helpers/requests.js';

const serverActor = 10;
const routerActor = 1;
const serviceUs = 5_000;
const quiescePeriodUs = 600_000_000;

function server(fields: Partial<AppServerConfig> = {}): { server: AppServer; context: FakeContext } {
  const appServer = new AppServer({
    name: 'node1/app-1',
    threads: 2,
    queueLimit: 10,
    service: new Map([
      [Protocol.HTTP, constant(serviceUs)],
      [Protocol.EJB, constant(serviceUs)],
      [Protocol.JMS, constant(serviceUs)],
    ]),
    loadSubscribers: [routerActor],
    loadReportIntervalUs: 1_000_000,
    ...fields,
  });
  return { server: appServer, context: new FakeContext(serverActor, 'scripted') };
}

const send = (fields: Partial<Request>) => requestMessage({ router: routerActor, ...fields });
const control = (action: ServerAction): Message => ({ $case: 'serverControl', value: { action, reason: 'test' } });
const fault = (kind: FaultKind, fields: { factor?: number; detail?: string } = {}): Message => ({ $case: 'fault', value: { kind, target: 'node1/app-1', factor: fields.factor ?? 0, detail: fields.detail ?? '' } });
const maintenance = (enter: boolean, mode: MaintenanceMode): Message => ({ $case: 'maintenance', value: { targets: [serverActor], enter, mode, reason: 'test' } });
const timer = (tag: string, ref = 0): Message => ({ $case: 'timer', value: { tag, ref } });

/** Fires the timers with `tag` set so far (service-done by default), in order, and forgets them. */
function fire(appServer: AppServer, context: FakeContext, tag = 'service-done'): void {
  const due = context.timers.filter((set) => set.message.$case === 'timer' && set.message.value.tag === tag);
  context.timers = context.timers.filter((set) => !due.includes(set));
  for (const set of due) {
    context.now = Math.max(context.now, set.atUs);
    appServer.onMessage(set.message, context);
  }
}

function responses(context: FakeContext): { requestId: number; status: Status; cause: string; retryable: boolean }[] {
  return context.sent.flatMap((sent) =>
    sent.message.$case === 'response' ? [{ requestId: sent.message.value.requestId, status: sent.message.value.status, cause: sent.message.value.cause, retryable: sent.message.value.retryable }] : [],
  );
}

function loadReports(context: FakeContext) {
  return context.sent.flatMap((sent) => (sent.message.$case === 'loadReport' ? [sent.message.value] : []));
}

/** Opens `sessionId` of `protocol` and serves its first request. */
function open(appServer: AppServer, context: FakeContext, sessionId: number, protocol = Protocol.HTTP): void {
  appServer.onMessage(send({ id: 100 + sessionId, sessionId, protocol }), context);
  fire(appServer, context);
}

describe('application server: sessions it does not hold', () => {
  it('drops a request of a session it should hold but does not: lost', () => {
    const { server: appServer, context } = server();
    appServer.onMessage(send({ id: 1, sessionId: 8, kind: RequestKind.IN_SESSION, affinityServer: serverActor }), context);
    expect(responses(context)).toEqual([{ requestId: 1, status: Status.DROPPED, cause: 'session-lost', retryable: false }]);
  });

  it('drops a request of a session held elsewhere unless it is replicated', () => {
    const { server: appServer, context } = server();
    appServer.onMessage(send({ id: 1, sessionId: 8, kind: RequestKind.IN_SESSION, affinityServer: 11 }), context);
    expect(responses(context)).toEqual([{ requestId: 1, status: Status.DROPPED, cause: 'affinity-broken', retryable: false }]);
    expect(appServer.sessions.size).toBe(0);
  });

  it('takes a replicated session over from the server that held it', () => {
    const { server: appServer, context } = server();
    appServer.onMessage(send({ id: 1, sessionId: 8, kind: RequestKind.IN_SESSION, affinityServer: 11, replicated: true }), context);
    expect(context.recordsOf('session-failover')).toEqual([{ type: 'session-failover', protocol: Protocol.HTTP, session: 8, from: 11, to: serverActor }]);
    expect(appServer.sessions.entryList()).toEqual([[8, Protocol.HTTP]]);
    fire(appServer, context);
    expect(responses(context)).toEqual([{ requestId: 1, status: Status.OK, cause: '', retryable: false }]);
  });

  it('serves a JMS message without opening a session', () => {
    const { server: appServer, context } = server();
    appServer.onMessage(send({ id: 1, protocol: Protocol.JMS, kind: RequestKind.MESSAGE, sessionId: 0 }), context);
    fire(appServer, context);
    expect(responses(context)).toEqual([{ requestId: 1, status: Status.OK, cause: '', retryable: false }]);
    expect(appServer.sessions.size).toBe(0);
    expect(context.recordsOf('server-sessions')).toEqual([]);
  });
});

describe('application server: service times and the queue', () => {
  it('serves for the time the request brings, or the protocol time, or none without one', () => {
    const { server: appServer, context } = server({ threads: 5 });
    context.now = 1_000;
    appServer.onMessage(send({ id: 1, sessionId: 1, serviceUs: 700 }), context);
    appServer.onMessage(send({ id: 2, sessionId: 2 }), context);
    appServer.onMessage(send({ id: 3, sessionId: 3, protocol: Protocol.SIP }), context);
    expect(context.timers.map((set) => set.atUs)).toEqual([1_700, 1_000 + serviceUs, 1_000]);
  });

  it('a slow server takes the factor longer; a factor of 0 restores its speed', () => {
    const { server: appServer, context } = server({ threads: 5 });
    appServer.onMessage(fault(FaultKind.SLOW, { factor: 2.5 }), context);
    appServer.onMessage(send({ id: 1, sessionId: 1 }), context);
    appServer.onMessage(send({ id: 2, sessionId: 2, serviceUs: 301 }), context);
    appServer.onMessage(fault(FaultKind.SLOW, { factor: 0 }), context);
    appServer.onMessage(send({ id: 3, sessionId: 3 }), context);
    expect(context.timers.map((set) => set.atUs)).toEqual([12_500, 753, serviceUs]);
  });

  it('refuses a request only when every thread is busy and the queue is full, and counts it as an error', () => {
    const { server: appServer, context } = server({ threads: 1, queueLimit: 1 });
    appServer.onMessage(send({ id: 1, sessionId: 1 }), context);
    appServer.onMessage(send({ id: 2, sessionId: 2 }), context);
    expect(responses(context)).toEqual([]);
    appServer.onMessage(send({ id: 3, sessionId: 3 }), context);
    expect(responses(context)).toEqual([{ requestId: 3, status: Status.REJECTED, cause: 'queue-full', retryable: true }]);
    expect(context.recordsOf('refused')).toEqual([expect.objectContaining({ request: 3, cause: 'queue-full', state: ServerState.RUNNING })]);
    context.clear();
    appServer.onMessage(timer('load-report'), context);
    expect(loadReports(context)).toEqual([expect.objectContaining({ inFlight: 2, queued: 1, loadPercent: 100, openSessions: 2, errorsInInterval: 1, completedInInterval: 0 })]);
  });

  it('without a queue, takes requests while it has a free thread and refuses the next', () => {
    const { server: appServer, context } = server({ threads: 2, queueLimit: 0 });
    appServer.onMessage(send({ id: 1, sessionId: 1 }), context);
    appServer.onMessage(send({ id: 2, sessionId: 2 }), context);
    appServer.onMessage(send({ id: 3, sessionId: 3 }), context);
    expect(context.recordsOf('accepted').map((record) => record.request)).toEqual([1, 2]);
    expect(responses(context)).toEqual([{ requestId: 3, status: Status.REJECTED, cause: 'queue-full', retryable: true }]);
  });

  it('reports what it completed and how long it took in the interval, then starts a new one', () => {
    const { server: appServer, context } = server({ threads: 1 });
    appServer.onMessage(send({ id: 1, sessionId: 1 }), context);
    appServer.onMessage(send({ id: 2, sessionId: 2 }), context);
    fire(appServer, context);
    fire(appServer, context);
    appServer.onMessage(send({ id: 3, sessionId: 9, kind: RequestKind.IN_SESSION }), context);
    context.clear();
    appServer.onMessage(timer('load-report'), context);
    expect(loadReports(context)).toEqual([expect.objectContaining({ completedInInterval: 2, responseTimeSumUs: serviceUs + 2 * serviceUs, errorsInInterval: 1, inFlight: 0 })]);
    context.clear();
    appServer.onMessage(timer('load-report'), context);
    expect(loadReports(context)).toEqual([expect.objectContaining({ completedInInterval: 0, responseTimeSumUs: 0, errorsInInterval: 0 })]);
  });

  it('serves a long queue first come first served', () => {
    const { server: appServer, context } = server({ threads: 1, queueLimit: 5_000 });
    const count = 2_100;
    for (let id = 1; id <= count; id++) appServer.onMessage(send({ id, sessionId: id, kind: RequestKind.OPEN }), context);
    for (let round = 0; round < count; round++) fire(appServer, context);
    expect(responses(context).map((answer) => answer.requestId)).toEqual(Array.from({ length: count }, (_, index) => index + 1));
    expect(appServer.queued).toBe(0);
  });
});

describe('application server: maintenance modes', () => {
  it('break mode gives up the HTTP sessions and SIP dialogs, and keeps the EJB conversations', () => {
    const { server: appServer, context } = server({ threads: 5 });
    open(appServer, context, 1, Protocol.HTTP);
    open(appServer, context, 2, Protocol.SIP);
    open(appServer, context, 3, Protocol.EJB);
    context.clear();
    appServer.onMessage(maintenance(true, MaintenanceMode.BREAK), context);
    expect(appServer.sessions.entryList()).toEqual([[3, Protocol.EJB]]);
    expect(context.recordsOf('server-sessions').map(({ protocol, open: count }) => [protocol, count])).toEqual([
      [Protocol.HTTP, 0],
      [Protocol.SIP, 0],
    ]);
    appServer.onMessage(send({ id: 9, sessionId: 3, protocol: Protocol.EJB, kind: RequestKind.IN_SESSION, affinityServer: serverActor }), context);
    expect(context.recordsOf('accepted')).toEqual([expect.objectContaining({ request: 9, state: ServerState.MAINTENANCE, mode: MaintenanceMode.BREAK })]);
  });

  it('keep-affinity mode keeps every session', () => {
    const { server: appServer, context } = server({ threads: 5 });
    open(appServer, context, 1, Protocol.HTTP);
    open(appServer, context, 2, Protocol.SIP);
    appServer.onMessage(maintenance(true, MaintenanceMode.AFFINITY), context);
    expect(appServer.sessions.size).toBe(2);
  });

  it('still takes JMS messages in maintenance', () => {
    const { server: appServer, context } = server();
    appServer.onMessage(maintenance(true, MaintenanceMode.BREAK), context);
    context.clear();
    appServer.onMessage(send({ id: 1, protocol: Protocol.JMS, kind: RequestKind.MESSAGE, sessionId: 0 }), context);
    expect(context.recordsOf('accepted')).toHaveLength(1);
  });

  it('a session that break mode gave up while its last request was served is not counted twice', () => {
    const { server: appServer, context } = server();
    open(appServer, context, 1);
    appServer.onMessage(send({ id: 2, sessionId: 1, kind: RequestKind.CLOSE, last: true, affinityServer: serverActor }), context);
    appServer.onMessage(maintenance(true, MaintenanceMode.BREAK), context);
    context.clear();
    fire(appServer, context);
    expect(responses(context)).toEqual([{ requestId: 2, status: Status.OK, cause: '', retryable: false }]);
    expect(context.recordsOf('server-sessions')).toEqual([]);
  });

  it('stop mode stops the server; leaving it starts the server again, in break mode no more', () => {
    const { server: appServer, context } = server();
    open(appServer, context, 1);
    appServer.onMessage(maintenance(true, MaintenanceMode.STOP), context);
    expect([appServer.state, appServer.mode, appServer.sessions.size]).toEqual([ServerState.STOPPED, MaintenanceMode.STOP, 0]);
    appServer.onMessage(maintenance(false, MaintenanceMode.STOP), context);
    expect([appServer.state, appServer.mode]).toEqual([ServerState.RUNNING, MaintenanceMode.UNSPECIFIED]);
  });

  it('a server in stop mode started by an order comes back in break mode', () => {
    const { server: appServer, context } = server();
    appServer.onMessage(maintenance(true, MaintenanceMode.STOP), context);
    appServer.onMessage(control(ServerAction.START), context);
    expect([appServer.state, appServer.mode]).toEqual([ServerState.MAINTENANCE, MaintenanceMode.BREAK]);
  });

  it('leaving maintenance does not start a server that was stopped by an order, nor one that failed', () => {
    const stopped = server();
    stopped.server.onMessage(maintenance(true, MaintenanceMode.AFFINITY), stopped.context);
    stopped.server.onMessage(control(ServerAction.STOP), stopped.context);
    stopped.server.onMessage(maintenance(false, MaintenanceMode.AFFINITY), stopped.context);
    expect([stopped.server.state, stopped.server.mode]).toEqual([ServerState.STOPPED, MaintenanceMode.UNSPECIFIED]);

    const failed = server();
    failed.server.onMessage(maintenance(true, MaintenanceMode.STOP), failed.context);
    failed.server.onMessage(fault(FaultKind.CRASH, { detail: 'process' }), failed.context);
    failed.server.onMessage(maintenance(false, MaintenanceMode.STOP), failed.context);
    expect(failed.server.state).toBe(ServerState.FAILED);
  });

  it('leaving stop mode starts only a server that stop mode stopped: one stopped before (an instance slot not in use) stays stopped', () => {
    const slot = server({ startsRunning: false });
    slot.server.onMessage(maintenance(true, MaintenanceMode.STOP), slot.context);
    slot.server.onMessage(maintenance(false, MaintenanceMode.STOP), slot.context);
    expect([slot.server.state, slot.server.mode]).toEqual([ServerState.STOPPED, MaintenanceMode.UNSPECIFIED]);

    const ordered = server();
    ordered.server.onMessage(control(ServerAction.STOP), ordered.context);
    ordered.server.onMessage(maintenance(true, MaintenanceMode.STOP), ordered.context);
    ordered.server.onMessage(maintenance(false, MaintenanceMode.STOP), ordered.context);
    expect(ordered.server.state).toBe(ServerState.STOPPED);

    // Stopped by stop mode, entered again: still stop mode's doing, so the exit starts it.
    const twice = server();
    twice.server.onMessage(maintenance(true, MaintenanceMode.STOP), twice.context);
    twice.server.onMessage(maintenance(true, MaintenanceMode.STOP), twice.context);
    twice.server.onMessage(maintenance(false, MaintenanceMode.STOP), twice.context);
    expect(twice.server.state).toBe(ServerState.RUNNING);
  });

  it('stop mode leaves a failed server failed, so that it can still be restarted', () => {
    const { server: appServer, context } = server();
    appServer.onMessage(fault(FaultKind.CRASH, { detail: 'process' }), context);
    appServer.onMessage(maintenance(true, MaintenanceMode.STOP), context);
    expect(appServer.state).toBe(ServerState.FAILED);
    appServer.onMessage(fault(FaultKind.RESTART), context);
    expect([appServer.state, appServer.mode]).toEqual([ServerState.MAINTENANCE, MaintenanceMode.BREAK]);
  });
});

describe('application server: life cycle', () => {
  it('a stop order loses the work in flight and the sessions', () => {
    const { server: appServer, context } = server({ threads: 1 });
    appServer.onMessage(send({ id: 1, sessionId: 1 }), context);
    appServer.onMessage(send({ id: 2, sessionId: 2 }), context);
    appServer.onMessage(control(ServerAction.STOP), context);
    expect(responses(context)).toEqual([
      { requestId: 1, status: Status.DROPPED, cause: 'server-stopped', retryable: false },
      { requestId: 2, status: Status.DROPPED, cause: 'server-stopped', retryable: false },
    ]);
    expect([appServer.state, appServer.sessions.size, appServer.queued]).toEqual([ServerState.STOPPED, 0, 0]);
    context.clear();
    // The service timer of the lost request still fires: nothing happens.
    fire(appServer, context);
    expect(context.sent).toEqual([]);
    expect(context.records).toEqual([]);
  });

  it('a stop forgets the sessions of each protocol, in protocol order, and only of protocols with sessions', () => {
    const { server: appServer, context } = server({ threads: 5 });
    open(appServer, context, 1, Protocol.EJB);
    open(appServer, context, 2, Protocol.SIP);
    open(appServer, context, 3, Protocol.HTTP);
    appServer.onMessage(send({ id: 4, sessionId: 2, protocol: Protocol.SIP, kind: RequestKind.CLOSE, last: true, affinityServer: serverActor }), context);
    fire(appServer, context);
    context.clear();
    appServer.onMessage(control(ServerAction.STOP), context);
    expect(context.recordsOf('server-sessions').map(({ protocol, open: count, total }) => [protocol, count, total])).toEqual([
      [Protocol.HTTP, 0, 0],
      [Protocol.EJB, 0, 0],
    ]);
  });

  it('a restart order loses the work in flight as restarted, and runs again at once', () => {
    const { server: appServer, context } = server();
    appServer.onMessage(send({ id: 1, sessionId: 1 }), context);
    appServer.onMessage(control(ServerAction.RESTART), context);
    expect(responses(context)).toEqual([{ requestId: 1, status: Status.DROPPED, cause: 'server-restarted', retryable: false }]);
    expect(appServer.state).toBe(ServerState.RUNNING);
    expect(context.recordsOf('server-state').map((record) => record.state)).toEqual([ServerState.STOPPED, ServerState.RUNNING]);
  });

  it('starts after its start-up time; a start order while starting or running changes nothing', () => {
    const { server: appServer, context } = server({ startsRunning: false, startupUs: 30_000 });
    expect(appServer.state).toBe(ServerState.STOPPED);
    context.now = 1_000;
    appServer.onMessage(control(ServerAction.START), context);
    expect(appServer.state).toBe(ServerState.STARTING);
    appServer.onMessage(control(ServerAction.START), context);
    expect(context.timers).toEqual([{ atUs: 31_000, message: timer('started', 0) }]);
    appServer.onMessage(send({ id: 1 }), context);
    expect(responses(context)).toEqual([{ requestId: 1, status: Status.REJECTED, cause: 'server-unavailable', retryable: true }]);
    fire(appServer, context, 'started');
    expect(appServer.state).toBe(ServerState.RUNNING);
    context.clear({ timers: true });
    appServer.onMessage(control(ServerAction.START), context);
    expect(context.records).toEqual([]);
    expect(context.sent).toEqual([]);
  });

  it('a server stopped while starting ignores the end of that start-up', () => {
    const { server: appServer, context } = server({ startsRunning: false, startupUs: 30_000 });
    appServer.onMessage(control(ServerAction.START), context);
    appServer.onMessage(control(ServerAction.STOP), context);
    fire(appServer, context, 'started');
    expect(appServer.state).toBe(ServerState.STOPPED);
  });

  it('refuses an order it does not know, a timer it did not set and a message it has no use for', () => {
    const { server: appServer, context } = server();
    expect(() => appServer.onMessage(control(ServerAction.UNSPECIFIED), context)).toThrow('node1/app-1: unknown server action 0');
    expect(() => appServer.onMessage(timer('other'), context)).toThrow();
    expect(() => appServer.onMessage({ $case: 'loadTable', value: { reports: [] } }, context)).toThrow('node1/app-1 cannot handle a loadTable message');
  });
});

describe('application server: quiesce', () => {
  it('stops at once when it holds no session', () => {
    const { server: appServer, context } = server();
    appServer.onMessage(control(ServerAction.QUIESCE), context);
    expect(appServer.state).toBe(ServerState.STOPPED);
    expect(context.timers).toEqual([]);
  });

  it('drains: no new sessions, the open ones go on, and it stops once the last one ends', () => {
    const { server: appServer, context } = server();
    open(appServer, context, 1);
    open(appServer, context, 2);
    context.clear({ timers: true });
    context.now = 10_000;
    appServer.onMessage(control(ServerAction.QUIESCE), context);
    expect(appServer.state).toBe(ServerState.DRAINING);
    expect(context.timers).toEqual([{ atUs: 10_000 + quiescePeriodUs, message: timer('quiesce-expired', 0) }]);
    expect(loadReports(context)).toEqual([expect.objectContaining({ state: ServerState.DRAINING })]);
    context.clear({ timers: true });

    appServer.onMessage(send({ id: 3, sessionId: 3 }), context);
    appServer.onMessage(send({ id: 4, sessionId: 9, kind: RequestKind.IN_SESSION, affinityServer: 11, replicated: true }), context);
    appServer.onMessage(send({ id: 5, protocol: Protocol.JMS, kind: RequestKind.MESSAGE, sessionId: 0 }), context);
    expect(responses(context)).toEqual([
      { requestId: 3, status: Status.REJECTED, cause: 'draining', retryable: true },
      { requestId: 4, status: Status.REJECTED, cause: 'draining', retryable: true },
      { requestId: 5, status: Status.REJECTED, cause: 'draining', retryable: true },
    ]);
    context.clear();

    appServer.onMessage(send({ id: 6, sessionId: 1, kind: RequestKind.CLOSE, last: true, affinityServer: serverActor }), context);
    appServer.onMessage(send({ id: 7, sessionId: 2, kind: RequestKind.IN_SESSION, affinityServer: serverActor }), context);
    fire(appServer, context);
    expect(appServer.state).toBe(ServerState.DRAINING);
    appServer.onMessage(send({ id: 8, sessionId: 2, kind: RequestKind.CLOSE, last: true, affinityServer: serverActor }), context);
    fire(appServer, context);
    expect(responses(context).map((answer) => [answer.requestId, answer.status])).toEqual([
      [6, Status.OK],
      [7, Status.OK],
      [8, Status.OK],
    ]);
    expect(appServer.state).toBe(ServerState.STOPPED);
    expect(context.recordsOf('server-state').at(-1)).toMatchObject({ state: ServerState.STOPPED });
  });

  it('does not stop while the last session still has a request in service', () => {
    const { server: appServer, context } = server();
    open(appServer, context, 1);
    appServer.onMessage(send({ id: 2, sessionId: 1, kind: RequestKind.CLOSE, last: true, affinityServer: serverActor }), context);
    appServer.onMessage(send({ id: 3, protocol: Protocol.JMS, kind: RequestKind.MESSAGE, sessionId: 0 }), context);
    appServer.onMessage(control(ServerAction.QUIESCE), context);
    const [close, message] = context.timers.filter((set) => set.message.$case === 'timer' && set.message.value.tag === 'service-done');
    appServer.onMessage(close!.message, context);
    expect(appServer.state).toBe(ServerState.DRAINING);
    appServer.onMessage(message!.message, context);
    expect(appServer.state).toBe(ServerState.STOPPED);
    expect(responses(context).map((answer) => [answer.requestId, answer.status])).toEqual([
      [101, Status.OK],
      [2, Status.OK],
      [3, Status.OK],
    ]);
  });

  it('without sessions, waits for the messages in service before it stops', () => {
    const { server: appServer, context } = server();
    appServer.onMessage(send({ id: 1, protocol: Protocol.JMS, kind: RequestKind.MESSAGE, sessionId: 0 }), context);
    appServer.onMessage(control(ServerAction.QUIESCE), context);
    expect(appServer.state).toBe(ServerState.DRAINING);
    fire(appServer, context);
    expect(responses(context)).toEqual([{ requestId: 1, status: Status.OK, cause: '', retryable: false }]);
    expect(appServer.state).toBe(ServerState.STOPPED);
  });

  it('stops anyway when the quiesce period runs out, dropping what is left', () => {
    const { server: appServer, context } = server();
    open(appServer, context, 1);
    appServer.onMessage(control(ServerAction.QUIESCE), context);
    appServer.onMessage(send({ id: 2, sessionId: 1, kind: RequestKind.IN_SESSION, affinityServer: serverActor }), context);
    context.clear();
    fire(appServer, context, 'quiesce-expired');
    expect(appServer.state).toBe(ServerState.STOPPED);
    expect(responses(context)).toEqual([{ requestId: 2, status: Status.DROPPED, cause: 'quiesce-expired', retryable: false }]);
    expect(appServer.sessions.size).toBe(0);
  });

  it('a quiesce order to a server that is not running changes nothing', () => {
    const { server: appServer, context } = server({ startsRunning: false });
    appServer.onMessage(control(ServerAction.QUIESCE), context);
    expect(context.records).toEqual([]);
    expect(context.timers).toEqual([]);
  });

  it('started again while draining, it keeps running, and the quiesce period no longer stops it', () => {
    const { server: appServer, context } = server({ startupUs: 30_000 });
    open(appServer, context, 1);
    appServer.onMessage(control(ServerAction.QUIESCE), context);
    context.clear();
    appServer.onMessage(control(ServerAction.START), context);
    // No start-up: it never stopped.
    expect(appServer.state).toBe(ServerState.RUNNING);
    expect(context.recordsOf('server-state')).toEqual([{ type: 'server-state', server: serverActor, state: ServerState.RUNNING, mode: MaintenanceMode.UNSPECIFIED }]);
    expect(context.timers.filter((set) => set.message.$case === 'timer' && set.message.value.tag === 'started')).toEqual([]);
    fire(appServer, context, 'quiesce-expired');
    expect(appServer.state).toBe(ServerState.RUNNING);
    expect(appServer.sessions.size).toBe(1);
    appServer.onMessage(send({ id: 2, sessionId: 2 }), context);
    expect(context.recordsOf('accepted').at(-1)).toMatchObject({ request: 2 });
  });

  it('an old quiesce period does not cut short a later one', () => {
    const { server: appServer, context } = server();
    open(appServer, context, 1);
    appServer.onMessage(control(ServerAction.QUIESCE), context);
    const first = context.timers.filter((set) => set.message.$case === 'timer' && set.message.value.tag === 'quiesce-expired');
    context.timers = context.timers.filter((set) => !first.includes(set));
    appServer.onMessage(control(ServerAction.START), context);
    appServer.onMessage(control(ServerAction.STOP), context);
    appServer.onMessage(control(ServerAction.START), context);
    open(appServer, context, 2);
    appServer.onMessage(control(ServerAction.QUIESCE), context);
    expect(appServer.state).toBe(ServerState.DRAINING);
    appServer.onMessage(first[0]!.message, context);
    expect(appServer.state).toBe(ServerState.DRAINING);
    fire(appServer, context, 'quiesce-expired');
    expect(appServer.state).toBe(ServerState.STOPPED);
  });
});

describe('application server: crashes', () => {
  it('a process crash loses the work and the sessions, answers them as lost, and refuses what comes after', () => {
    const { server: appServer, context } = server({ threads: 1 });
    open(appServer, context, 1);
    appServer.onMessage(send({ id: 2, sessionId: 2 }), context);
    appServer.onMessage(send({ id: 3, sessionId: 3 }), context);
    context.clear();
    appServer.onMessage(fault(FaultKind.CRASH, { detail: 'process' }), context);
    expect(context.recordsOf('lost')).toEqual([{ type: 'lost', server: serverActor, requests: 2, sessions: 3, cause: 'crash' }]);
    expect(responses(context)).toEqual([
      { requestId: 2, status: Status.DROPPED, cause: 'crash', retryable: false },
      { requestId: 3, status: Status.DROPPED, cause: 'crash', retryable: false },
    ]);
    expect(appServer.state).toBe(ServerState.FAILED);
    expect(loadReports(context)).toEqual([expect.objectContaining({ state: ServerState.FAILED })]);
    context.clear();
    appServer.onMessage(send({ id: 4, sessionId: 4 }), context);
    expect(responses(context)).toEqual([{ requestId: 4, status: Status.REJECTED, cause: 'server-unavailable', retryable: true }]);
    appServer.onMessage(fault(FaultKind.CRASH, { detail: 'process' }), context);
    expect(context.recordsOf('lost')).toEqual([]);
  });

  it('a node crash silences the server: no answer, no report, until it restarts', () => {
    const { server: appServer, context } = server();
    appServer.onMessage(send({ id: 1, sessionId: 1 }), context);
    context.clear();
    appServer.onMessage(fault(FaultKind.CRASH, { detail: 'node' }), context);
    expect(context.sent).toEqual([]);
    expect(appServer.state).toBe(ServerState.FAILED);
    appServer.onMessage(send({ id: 2, sessionId: 2 }), context);
    appServer.onMessage(maintenance(true, MaintenanceMode.AFFINITY), context);
    expect(context.sent).toEqual([]);
    expect(context.recordsOf('accepted')).toEqual([]);
    expect(context.recordsOf('refused')).toEqual([]);
    expect(appServer.mode).toBe(MaintenanceMode.UNSPECIFIED);
    // Its timers still run: the periodic report is re-armed, but not sent.
    context.clear({ timers: true });
    context.now = 3_000_000;
    appServer.onMessage(timer('load-report'), context);
    expect(context.sent).toEqual([]);
    expect(context.timers).toEqual([{ atUs: 4_000_000, message: timer('load-report') }]);

    appServer.onMessage(fault(FaultKind.RESTART), context);
    expect(appServer.state).toBe(ServerState.RUNNING);
    expect(loadReports(context)).toEqual([expect.objectContaining({ state: ServerState.RUNNING })]);
    context.clear();
    appServer.onMessage(send({ id: 3, sessionId: 3 }), context);
    fire(appServer, context);
    expect(responses(context)).toEqual([{ requestId: 3, status: Status.OK, cause: '', retryable: false }]);
  });

  it('a restart fault or another fault kind leaves a server that did not crash alone', () => {
    const { server: appServer, context } = server();
    appServer.onMessage(fault(FaultKind.RESTART), context);
    appServer.onMessage(fault(FaultKind.PARTITION), context);
    expect(context.records).toEqual([]);
    expect(appServer.state).toBe(ServerState.RUNNING);
  });

  it('restarts after its start-up time', () => {
    const { server: appServer, context } = server({ startupUs: 20_000 });
    appServer.onMessage(fault(FaultKind.CRASH, { detail: 'node' }), context);
    appServer.onMessage(fault(FaultKind.RESTART), context);
    expect(appServer.state).toBe(ServerState.STARTING);
    fire(appServer, context, 'started');
    expect(appServer.state).toBe(ServerState.RUNNING);
  });
});
