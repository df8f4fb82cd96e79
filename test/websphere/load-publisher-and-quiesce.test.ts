import { describe, expect, it } from 'vitest';
import { MaintenanceMode, Protocol, RequestKind, ServerAction, ServerState, Status, type LoadReport, type Message } from '../../nodes/messages.js';
import { LoadPublisher } from '../../nodes/odc/load-publisher.js';
import { AppServer } from '../../nodes/server/app-server.js';
import { constant } from '../../sim/kernel/distributions.js';
import { FakeContext } from '../helpers/fake-context.js';
import { requestMessage } from '../helpers/requests.js';

function report(server: number, state: ServerState, loadPercent = 0, mode = MaintenanceMode.UNSPECIFIED): Message {
  const value: LoadReport = {
    server,
    atUs: 0,
    state,
    mode,
    inFlight: 0,
    threads: 10,
    queued: 0,
    loadPercent,
    openSessions: 0,
    completedInInterval: 0,
    responseTimeSumUs: 0,
    errorsInInterval: 0,
  };
  return { $case: 'loadReport', value };
}

function tables(context: FakeContext): { to: number; reports: LoadReport[] }[] {
  return context.take().flatMap(({ to, message }) => (message.$case === 'loadTable' ? [{ to, reports: message.value.reports }] : []));
}

describe('load publisher (the cell on-demand configuration)', () => {
  it('sends each router one table per interval with the latest report of each server', () => {
    const publisher = new LoadPublisher({ name: 'odc', routers: [1, 2], publishIntervalUs: 1_000_000 });
    const context = new FakeContext(9);
    publisher.onMessage(report(5, ServerState.RUNNING, 10), context);
    publisher.onMessage(report(6, ServerState.RUNNING, 20), context);
    publisher.onMessage(report(5, ServerState.RUNNING, 70), context);
    expect(tables(context)).toEqual([]); // nothing before the interval ends
    publisher.onMessage(LoadPublisher.start(), context);
    const sent = tables(context);
    expect(sent.map((table) => table.to)).toEqual([1, 2]);
    expect(sent[0]!.reports.map((entry) => [entry.server, entry.loadPercent])).toEqual([
      [5, 70],
      [6, 20],
    ]);
    expect(context.timers.at(-1)!.atUs).toBe(1_000_000);
  });

  it('forwards a change of state at once, and never lets an older report overwrite it', () => {
    const publisher = new LoadPublisher({ name: 'odc', routers: [1], publishIntervalUs: 1_000_000 });
    const context = new FakeContext(9);
    publisher.onMessage(report(5, ServerState.STOPPED), context);
    publisher.onMessage(report(5, ServerState.STARTING), context);
    expect(tables(context).map((table) => table.reports.map((entry) => entry.state))).toEqual([[ServerState.STARTING]]);
    publisher.onMessage(report(5, ServerState.RUNNING), context);
    expect(tables(context).map((table) => table.reports.map((entry) => entry.state))).toEqual([[ServerState.RUNNING]]);
    publisher.onMessage(LoadPublisher.start(), context);
    expect(tables(context)).toEqual([]); // the STOPPED report of before must not be published after RUNNING
  });

  it('an interval with no new report sends no table, and the next interval still comes', () => {
    const publisher = new LoadPublisher({ name: 'odc', routers: [1, 2], publishIntervalUs: 1_000_000 });
    const context = new FakeContext(9);
    context.now = 3_000_000;
    publisher.onMessage(LoadPublisher.start(), context);
    expect(context.take()).toEqual([]);
    expect(context.timers).toEqual([{ atUs: 4_000_000, message: LoadPublisher.start() }]);
  });

  it('publishes a report once: the next interval sends nothing unless its server reports again', () => {
    const publisher = new LoadPublisher({ name: 'odc', routers: [1], publishIntervalUs: 1_000_000 });
    const context = new FakeContext(9);
    publisher.onMessage(report(5, ServerState.RUNNING, 10), context);
    publisher.onMessage(LoadPublisher.start(), context);
    expect(tables(context).map((table) => table.reports.map((entry) => entry.loadPercent))).toEqual([[10]]);
    context.now = 1_000_000;
    publisher.onMessage(LoadPublisher.start(), context);
    expect(context.take()).toEqual([]);
    publisher.onMessage(report(5, ServerState.RUNNING, 30), context);
    context.now = 2_000_000;
    publisher.onMessage(LoadPublisher.start(), context);
    expect(tables(context).map((table) => table.reports.map((entry) => entry.loadPercent))).toEqual([[30]]);
    expect(context.timers.map((timer) => timer.atUs)).toEqual([1_000_000, 2_000_000, 3_000_000]);
  });

  it('never forwards the first report of a server at once, whatever its state: it waits for the interval', () => {
    const publisher = new LoadPublisher({ name: 'odc', routers: [1], publishIntervalUs: 1_000_000 });
    const context = new FakeContext(9);
    publisher.onMessage(report(5, ServerState.MAINTENANCE, 0, MaintenanceMode.AFFINITY), context);
    publisher.onMessage(report(6, ServerState.STOPPED, 0, MaintenanceMode.STOP), context);
    expect(context.take()).toEqual([]);
    publisher.onMessage(LoadPublisher.start(), context);
    expect(tables(context).map((table) => table.reports.map((entry) => entry.server))).toEqual([[5, 6]]);
  });

  it('forwards a change of maintenance mode at once, even when the state stays the same', () => {
    const publisher = new LoadPublisher({ name: 'odc', routers: [1, 2], publishIntervalUs: 1_000_000 });
    const context = new FakeContext(9);
    publisher.onMessage(report(5, ServerState.MAINTENANCE, 40, MaintenanceMode.AFFINITY), context);
    publisher.onMessage(LoadPublisher.start(), context);
    context.clear();
    const breakAffinity = report(5, ServerState.MAINTENANCE, 40, MaintenanceMode.BREAK);
    publisher.onMessage(breakAffinity, context);
    expect(context.take()).toEqual([
      { to: 1, message: { $case: 'loadTable', value: { reports: [breakAffinity.value] } } },
      { to: 2, message: { $case: 'loadTable', value: { reports: [breakAffinity.value] } } },
    ]);
    publisher.onMessage(report(5, ServerState.MAINTENANCE, 60, MaintenanceMode.BREAK), context);
    expect(context.take()).toEqual([]); // same state, same mode: load waits for the interval
  });

  it('forwards a change of state to the routers only, as one table of just that report, and not again at the interval unless it reports again', () => {
    const publisher = new LoadPublisher({ name: 'odc', routers: [1, 2], publishIntervalUs: 1_000_000 });
    const context = new FakeContext(9);
    publisher.onMessage(report(5, ServerState.RUNNING, 10), context);
    publisher.onMessage(report(6, ServerState.RUNNING, 20), context);
    publisher.onMessage(LoadPublisher.start(), context);
    context.clear();
    publisher.onMessage(report(6, ServerState.RUNNING, 25), context);
    publisher.onMessage(report(5, ServerState.RUNNING, 50), context);
    const stopping = report(5, ServerState.DRAINING, 50);
    publisher.onMessage(stopping, context);
    expect(context.take()).toEqual([
      { to: 1, message: { $case: 'loadTable', value: { reports: [stopping.value] } } },
      { to: 2, message: { $case: 'loadTable', value: { reports: [stopping.value] } } },
    ]);
    context.now = 1_000_000;
    publisher.onMessage(LoadPublisher.start(), context);
    expect(tables(context).map((table) => [table.to, table.reports.map((entry) => [entry.server, entry.loadPercent])])).toEqual([
      [1, [[6, 25]]],
      [2, [[6, 25]]],
    ]);
    publisher.onMessage(report(5, ServerState.DRAINING, 30), context);
    context.now = 2_000_000;
    publisher.onMessage(LoadPublisher.start(), context);
    expect(tables(context).map((table) => [table.to, table.reports.map((entry) => [entry.server, entry.loadPercent])])).toEqual([
      [1, [[5, 30]]],
      [2, [[5, 30]]],
    ]);
  });

  it('throws on a timer that is not its publish tick and on a message it does not expect', () => {
    const publisher = new LoadPublisher({ name: 'odc', routers: [1], publishIntervalUs: 1_000_000 });
    const context = new FakeContext(9);
    expect(() => publisher.onMessage({ $case: 'timer', value: { tag: 'heartbeat', ref: 0 } }, context)).toThrow('odc cannot handle a timer message');
    expect(() => publisher.onMessage(quiesce(), context)).toThrow('odc cannot handle a serverControl message');
    expect(context.take()).toEqual([]);
    expect(context.timers).toEqual([]);
  });
});

function request(id: number, kind: RequestKind, sessionId: number, last = false): Message {
  return requestMessage({ id, kind, sessionId, client: 50, affinityServer: kind === RequestKind.OPEN ? undefined : 3, attempts: 1, router: 1, last, triedServers: [3] });
}

function quiesce(): Message {
  return { $case: 'serverControl', value: { action: ServerAction.QUIESCE, reason: 'placement' } };
}

/** Fires every timer due by `untilUs`, in time order. */
function runTimers(server: AppServer, context: FakeContext, untilUs: number): void {
  for (;;) {
    context.timers.sort((a, b) => a.atUs - b.atUs);
    const next = context.timers[0];
    if (next === undefined || next.atUs > untilUs) return;
    context.timers.shift();
    context.now = next.atUs;
    server.onMessage(next.message, context);
  }
}

function responses(context: FakeContext): { id: number; status: Status; cause: string }[] {
  return context.take().flatMap(({ message }) => (message.$case === 'response' ? [{ id: message.value.requestId, status: message.value.status, cause: message.value.cause }] : []));
}

describe('graceful stop of a dynamic cluster instance (quiesce)', () => {
  const newServer = () =>
    new AppServer({ name: 'node1/shop-1', threads: 2, queueLimit: 10, service: new Map([[Protocol.HTTP, constant(1000)]]), loadSubscribers: [], loadReportIntervalUs: 1_000_000 });

  it('takes no new session, serves the open ones to their end, then stops without dropping any', () => {
    const server = newServer();
    const context = new FakeContext(3);
    server.onMessage(request(1, RequestKind.OPEN, 100), context);
    runTimers(server, context, 10_000);
    server.onMessage(quiesce(), context);
    expect(server.state).toBe(ServerState.DRAINING);
    server.onMessage(request(2, RequestKind.OPEN, 200), context);
    server.onMessage(request(3, RequestKind.CLOSE, 100, true), context);
    runTimers(server, context, 20_000);
    expect(responses(context)).toEqual([
      { id: 1, status: Status.OK, cause: '' },
      { id: 2, status: Status.REJECTED, cause: 'draining' },
      { id: 3, status: Status.OK, cause: '' },
    ]);
    expect(server.state).toBe(ServerState.STOPPED);
  });

  it('stops at the end of the quiesce period, dropping what is left, unless started again', () => {
    const server = newServer();
    const context = new FakeContext(3);
    server.onMessage(request(1, RequestKind.OPEN, 100), context);
    runTimers(server, context, 10_000);
    server.onMessage(quiesce(), context);
    runTimers(server, context, 700_000_000);
    expect(server.state).toBe(ServerState.STOPPED);
    expect(context.records.some((record) => record.type === 'server-sessions' && record.total === 0)).toBe(true);

    const again = newServer();
    const other = new FakeContext(3);
    again.onMessage(request(1, RequestKind.OPEN, 100), other);
    runTimers(again, other, 10_000);
    again.onMessage(quiesce(), other);
    again.onMessage({ $case: 'serverControl', value: { action: ServerAction.START, reason: 'placement' } }, other);
    runTimers(again, other, 700_000_000);
    expect(again.state).toBe(ServerState.RUNNING);
  });
});
