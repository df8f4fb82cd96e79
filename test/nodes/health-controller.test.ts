import { describe, expect, it } from 'vitest';
import { HealthController, type HealthPolicy } from '../../nodes/health/health-controller.js';
import { MaintenanceMode, ServerState, type LoadReport } from '../../nodes/messages.js';
import { FakeContext } from '../helpers/fake-context.js';
import { loadReportMessage } from '../helpers/load-reports.js';

/** Servers node1/app-1 and node1/app-2, and one no policy watches. */
const [app1, app2, unwatched] = [5, 6, 9];
const second = 1_000_000;

/** Mean response above 100 ms for 10 s puts the server into maintenance (affinity). */
function policy(fields: Partial<HealthPolicy> = {}): HealthPolicy {
  return {
    name: 'slow-response',
    servers: [app1],
    responseTimeAboveUs: 100_000,
    errorPercentAbove: 0,
    forUs: 10 * second,
    mode: MaintenanceMode.AFFINITY,
    supervised: false,
    ...fields,
  };
}

function controller(...policies: HealthPolicy[]) {
  const health = new HealthController('health', policies.length === 0 ? [policy()] : policies);
  const context = new FakeContext(30);
  const tell = (server: number, fields: Partial<LoadReport>) => health.onMessage(loadReportMessage(server, fields), context);
  return { health, context, tell };
}

/** A periodic report: `completed` requests answered in `meanUs` on average and `errors` refused or dropped in the interval. */
function interval(atUs: number, completed: number, meanUs: number, errors = 0, state = ServerState.RUNNING): Partial<LoadReport> {
  return { atUs, state, completedInInterval: completed, responseTimeSumUs: completed * meanUs, errorsInInterval: errors };
}
const slow = (atUs: number, state = ServerState.RUNNING) => interval(atUs, 10, 200_000, 0, state);
const healthy = (atUs: number, state = ServerState.RUNNING) => interval(atUs, 10, 20_000, 0, state);
/** A report with no figures: sent on a state change, or an interval with no traffic. */
const idle = (atUs: number, state = ServerState.RUNNING): Partial<LoadReport> => ({ atUs, state });

function maintenance(server: number, enter: boolean, mode = MaintenanceMode.AFFINITY, policyName = 'slow-response') {
  return {
    to: server,
    message: { $case: 'maintenance', value: { targets: [server], enter, mode, reason: `health policy ${policyName}` } },
  };
}

function action(server: number, enter: boolean, valueUs: number, errorPercent = 0, fields: { policy?: string; supervised?: boolean } = {}) {
  return {
    type: 'health-action',
    policy: fields.policy ?? 'slow-response',
    server,
    action: enter ? 'enter' : 'exit',
    supervised: fields.supervised ?? false,
    valueUs,
    errorPercent,
  };
}

/** The condition held on app-1 from 0 s, the controller put it into maintenance at 10 s, and the server told its new state. */
function inMaintenance(...policies: HealthPolicy[]) {
  const fixture = controller(...policies);
  for (let at = 0; at <= 10; at += 5) fixture.tell(app1, slow(at * second));
  expect(fixture.context.take()).toEqual([maintenance(app1, true)]);
  fixture.tell(app1, idle(10 * second, ServerState.MAINTENANCE));
  fixture.context.clear();
  return fixture;
}

describe('health controller: when the condition has held long enough', () => {
  it('puts a slow server into maintenance once the condition has held for the whole period, not a microsecond earlier', () => {
    const { context, tell } = controller();
    tell(app1, slow(20 * second));
    tell(app1, slow(25 * second));
    tell(app1, slow(30 * second - 1));
    expect(context.sent).toEqual([]);
    expect(context.records).toEqual([]);
    tell(app1, slow(30 * second));
    expect(context.sent).toEqual([maintenance(app1, true)]);
    expect(context.records).toEqual([action(app1, true, 200_000)]);
    expect(context.timers).toEqual([]);
  });

  it('counts a condition holding from the very first report at time zero from then', () => {
    const { context, tell } = controller();
    tell(app1, slow(0));
    tell(app1, slow(5 * second));
    expect(context.sent).toEqual([]);
    tell(app1, slow(10 * second));
    expect(context.sent).toEqual([maintenance(app1, true)]);
  });

  it('acts at once when the policy asks for no period', () => {
    const { context, tell } = controller(policy({ forUs: 0 }));
    tell(app1, slow(3 * second));
    expect(context.sent).toEqual([maintenance(app1, true)]);
  });

  it('acts once: while the condition keeps holding it neither sends nor records anything more', () => {
    const { context, tell } = controller();
    for (let at = 0; at <= 10; at++) tell(app1, slow(at * second));
    context.clear();
    for (let at = 11; at <= 30; at++) tell(app1, slow(at * second, ServerState.MAINTENANCE));
    expect(context.sent).toEqual([]);
    expect(context.records).toEqual([]);
  });

  it('a healthy interval in between starts the period again', () => {
    const { context, tell } = controller();
    tell(app1, slow(0));
    tell(app1, healthy(5 * second));
    tell(app1, slow(6 * second));
    tell(app1, slow(15 * second));
    expect(context.sent).toEqual([]);
    tell(app1, slow(16 * second));
    expect(context.sent).toEqual([maintenance(app1, true)]);
  });

  it('a running server with no traffic tells nothing: its report neither interrupts nor starts the period', () => {
    const { context, tell } = controller();
    tell(app1, idle(0));
    tell(app1, idle(12 * second));
    tell(app1, slow(20 * second));
    tell(app1, idle(25 * second));
    expect(context.sent).toEqual([]);
    tell(app1, slow(30 * second));
    expect(context.sent).toEqual([maintenance(app1, true)]);
  });

  it('once in maintenance, running reports with no figures count neither way: they do not take the server out', () => {
    const { context, tell } = inMaintenance();
    tell(app1, idle(20 * second));
    tell(app1, idle(40 * second));
    expect(context.sent).toEqual([]);
    expect(context.records).toEqual([]);
  });
});

describe('health controller: the condition', () => {
  it('response time: a mean exactly at the limit does not hold, a microsecond above does', () => {
    const { context, tell } = controller(policy({ forUs: 0 }));
    tell(app1, interval(second, 4, 100_000));
    expect(context.sent).toEqual([]);
    tell(app1, { atUs: 2 * second, completedInInterval: 4, responseTimeSumUs: 4 * 100_000 + 4 });
    expect(context.sent).toEqual([maintenance(app1, true)]);
    expect(context.records).toEqual([action(app1, true, 100_001)]);
  });

  it('response time: the mean is taken over the requests completed, to the nearest microsecond', () => {
    const { context, tell } = controller(policy({ forUs: 0 }));
    tell(app1, { atUs: second, completedInInterval: 3, responseTimeSumUs: 300_001 + 300_000 + 300_000, errorsInInterval: 7 });
    expect(context.records).toEqual([action(app1, true, 300_000, 70)]);
  });

  it('error rate: requests refused for overload or dropped, over all the requests served; exactly at the limit does not hold', () => {
    const { context, tell } = controller(policy({ name: 'errors', responseTimeAboveUs: 0, errorPercentAbove: 20, forUs: 0 }));
    tell(app1, interval(second, 8, 50_000, 2));
    expect(context.sent).toEqual([]);
    tell(app1, interval(2 * second, 1, 50_000, 3));
    expect(context.sent).toEqual([maintenance(app1, true, MaintenanceMode.AFFINITY, 'errors')]);
    expect(context.records).toEqual([action(app1, true, 50_000, 75, { policy: 'errors' })]);
  });

  it('error rate: the percentage is recorded rounded', () => {
    const { context, tell } = controller(policy({ name: 'errors', responseTimeAboveUs: 0, errorPercentAbove: 30, forUs: 0 }));
    tell(app1, interval(second, 2, 10_000, 1));
    expect(context.records).toEqual([action(app1, true, 10_000, 33, { policy: 'errors' })]);
  });

  it('a server that only refuses, completing nothing, has every request in error and a mean response of zero', () => {
    const { context, tell } = controller(policy({ name: 'errors', responseTimeAboveUs: 0, errorPercentAbove: 50, forUs: 0 }));
    tell(app1, interval(second, 0, 0, 4));
    expect(context.sent).toEqual([maintenance(app1, true, MaintenanceMode.AFFINITY, 'errors')]);
    expect(context.records).toEqual([action(app1, true, 0, 100, { policy: 'errors' })]);
  });

  it('a policy on response time alone ignores errors, however many', () => {
    const { context, tell } = controller(policy({ forUs: 0 }));
    tell(app1, interval(second, 1, 20_000, 9));
    tell(app1, interval(2 * second, 0, 0, 10));
    expect(context.sent).toEqual([]);
    expect(context.records).toEqual([]);
  });

  it('a policy on errors alone ignores response time, however slow', () => {
    const { context, tell } = controller(policy({ name: 'errors', responseTimeAboveUs: 0, errorPercentAbove: 10, forUs: 0 }));
    tell(app1, interval(second, 10, 5_000_000));
    tell(app1, interval(2 * second, 10, 5_000_000, 1));
    expect(context.sent).toEqual([]);
    expect(context.records).toEqual([]);
  });

  it('a policy with both conditions acts when either one holds', () => {
    const { context, tell } = controller(policy({ name: 'unhealthy', servers: [app1, app2], errorPercentAbove: 20, forUs: 0 }));
    tell(app1, slow(second));
    tell(app2, interval(second, 5, 20_000, 5));
    expect(context.sent).toEqual([
      maintenance(app1, true, MaintenanceMode.AFFINITY, 'unhealthy'),
      maintenance(app2, true, MaintenanceMode.AFFINITY, 'unhealthy'),
    ]);
    expect(context.records).toEqual([
      action(app1, true, 200_000, 0, { policy: 'unhealthy' }),
      action(app2, true, 20_000, 50, { policy: 'unhealthy' }),
    ]);
  });
});

describe('health controller: taking the server out again', () => {
  it('no completions is no evidence of health: a server in maintenance with no traffic is not taken out, however long', () => {
    const { context, tell } = inMaintenance();
    for (let at = 15; at <= 300; at += 5) tell(app1, idle(at * second, ServerState.MAINTENANCE));
    expect(context.sent).toEqual([]);
    expect(context.records).toEqual([]);
  });

  it('a slow server in maintenance is not taken out by idle reports between its slow ones', () => {
    const { context, tell } = inMaintenance();
    for (let at = 12; at <= 120; at += 6) {
      tell(app1, idle(at * second, ServerState.MAINTENANCE));
      tell(app1, idle((at + 2) * second, ServerState.MAINTENANCE));
      tell(app1, slow((at + 4) * second, ServerState.MAINTENANCE));
    }
    expect(context.sent).toEqual([]);
  });

  it(`takes a server out only after ${3} healthy reports with completions, even once clear for the period`, () => {
    const { context, tell } = inMaintenance();
    tell(app1, healthy(12 * second, ServerState.MAINTENANCE));
    tell(app1, idle(20 * second, ServerState.MAINTENANCE));
    tell(app1, healthy(30 * second, ServerState.MAINTENANCE));
    tell(app1, idle(40 * second, ServerState.MAINTENANCE));
    expect(context.sent).toEqual([]);
    tell(app1, healthy(41 * second, ServerState.MAINTENANCE));
    expect(context.sent).toEqual([maintenance(app1, false)]);
  });

  it('a server in maintenance serving its affinity traffic fast again is taken out once clear for the period', () => {
    const { context, tell } = inMaintenance();
    tell(app1, slow(12 * second, ServerState.MAINTENANCE));
    tell(app1, healthy(14 * second, ServerState.MAINTENANCE));
    tell(app1, healthy(24 * second - 1, ServerState.MAINTENANCE));
    expect(context.sent).toEqual([]);
    tell(app1, healthy(24 * second, ServerState.MAINTENANCE));
    expect(context.sent).toEqual([maintenance(app1, false)]);
    expect(context.records).toEqual([action(app1, false, 20_000)]);
  });

  it('a slow interval during the clear period starts it again', () => {
    const { context, tell } = inMaintenance();
    tell(app1, slow(12 * second, ServerState.MAINTENANCE));
    tell(app1, healthy(14 * second, ServerState.MAINTENANCE));
    tell(app1, slow(16 * second, ServerState.MAINTENANCE));
    tell(app1, healthy(17 * second, ServerState.MAINTENANCE));
    tell(app1, healthy(26 * second, ServerState.MAINTENANCE));
    expect(context.sent).toEqual([]);
    tell(app1, healthy(27 * second, ServerState.MAINTENANCE));
    expect(context.sent).toEqual([maintenance(app1, false)]);
  });

  it('takes the server out once, and puts it back when the condition holds again for the period', () => {
    const { context, tell } = inMaintenance();
    tell(app1, healthy(20 * second, ServerState.MAINTENANCE));
    tell(app1, healthy(25 * second, ServerState.MAINTENANCE));
    tell(app1, healthy(30 * second, ServerState.MAINTENANCE));
    expect(context.take()).toEqual([maintenance(app1, false)]);
    tell(app1, healthy(35 * second));
    tell(app1, healthy(50 * second));
    tell(app1, slow(60 * second));
    tell(app1, slow(69 * second));
    expect(context.sent).toEqual([]);
    tell(app1, slow(70 * second));
    expect(context.sent).toEqual([maintenance(app1, true)]);
    expect(context.records.map((record) => record.type === 'health-action' && record.action)).toEqual(['exit', 'enter']);
  });

  it('a server an operator took out of the maintenance it put it in is watched afresh: put back while still slow, never taken out of the operator\'s next maintenance', () => {
    const { context, tell } = inMaintenance();
    // The operator's exit: the server runs again, still slow since 0 s.
    tell(app1, idle(15 * second));
    tell(app1, slow(20 * second));
    expect(context.take()).toEqual([maintenance(app1, true)]);
    expect(context.records).toEqual([action(app1, true, 200_000)]);

    const operator = inMaintenance();
    operator.tell(app1, idle(15 * second));
    operator.tell(app1, healthy(20 * second));
    // The operator's own maintenance: healthy for long, it stays the operator's to end.
    for (let at = 25; at <= 60; at += 5) operator.tell(app1, healthy(at * second, ServerState.MAINTENANCE));
    expect(operator.context.sent).toEqual([]);
    expect(operator.context.records).toEqual([]);
  });

  it('never takes out a server it did not put into maintenance', () => {
    const { context, tell } = controller();
    tell(app1, slow(0));
    tell(app1, healthy(5 * second, ServerState.MAINTENANCE));
    tell(app1, idle(20 * second, ServerState.MAINTENANCE));
    tell(app1, idle(40 * second, ServerState.STOPPED));
    expect(context.sent).toEqual([]);
    expect(context.records).toEqual([]);
  });

  it('a stop policy stops the server, and asks for its restart once its stopped reports have been clear for the period', () => {
    const restart = policy({
      name: 'restart-on-errors',
      responseTimeAboveUs: 0,
      errorPercentAbove: 50,
      forUs: 5 * second,
      mode: MaintenanceMode.STOP,
    });
    const { context, tell } = controller(restart);
    tell(app1, interval(0, 2, 10_000, 8));
    tell(app1, interval(5 * second, 1, 10_000, 9));
    expect(context.take()).toEqual([maintenance(app1, true, MaintenanceMode.STOP, 'restart-on-errors')]);
    tell(app1, idle(6 * second, ServerState.STOPPED));
    tell(app1, idle(11 * second, ServerState.STOPPED));
    expect(context.take()).toEqual([maintenance(app1, false, MaintenanceMode.STOP, 'restart-on-errors')]);
    expect(context.records).toEqual([
      action(app1, true, 10_000, 90, { policy: 'restart-on-errors' }),
      action(app1, false, 0, 0, { policy: 'restart-on-errors' }),
    ]);
  });
});

describe('health controller: policies and servers', () => {
  it('supervised, it only asks an operator: it records the enter and later the exit and sends no command', () => {
    const { context, tell } = controller(policy({ supervised: true }));
    for (let at = 0; at <= 10; at += 5) tell(app1, slow(at * second));
    expect(context.records).toEqual([action(app1, true, 200_000, 0, { supervised: true })]);
    for (let at = 11; at <= 20; at++) tell(app1, slow(at * second));
    tell(app1, healthy(21 * second));
    tell(app1, healthy(26 * second));
    tell(app1, healthy(31 * second));
    expect(context.records).toEqual([
      action(app1, true, 200_000, 0, { supervised: true }),
      action(app1, false, 20_000, 0, { supervised: true }),
    ]);
    expect(context.sent).toEqual([]);
  });

  it('ignores the reports of a server no policy watches', () => {
    const { context, tell } = controller(policy({ forUs: 0 }));
    tell(unwatched, slow(second));
    tell(unwatched, idle(2 * second, ServerState.MAINTENANCE));
    expect(context.sent).toEqual([]);
    expect(context.records).toEqual([]);
  });

  it('watches each of its servers on its own', () => {
    const { context, tell } = controller(policy({ servers: [app1, app2] }));
    tell(app1, slow(0));
    tell(app2, healthy(0));
    tell(app2, slow(5 * second));
    tell(app1, slow(10 * second));
    tell(app2, slow(10 * second));
    expect(context.take()).toEqual([maintenance(app1, true)]);
    tell(app1, slow(15 * second, ServerState.MAINTENANCE));
    tell(app2, slow(15 * second));
    expect(context.take()).toEqual([maintenance(app2, true)]);
    expect(context.records).toEqual([action(app1, true, 200_000), action(app2, true, 200_000)]);
  });

  it('two policies on the same server each act on their own condition, in their own mode', () => {
    const errors = policy({ name: 'errors', responseTimeAboveUs: 0, errorPercentAbove: 20, forUs: 0, mode: MaintenanceMode.BREAK });
    const { context, tell } = controller(policy({ forUs: 0 }), errors);
    tell(app1, slow(second));
    expect(context.take()).toEqual([maintenance(app1, true)]);
    tell(app1, interval(2 * second, 5, 200_000, 5, ServerState.MAINTENANCE));
    expect(context.take()).toEqual([maintenance(app1, true, MaintenanceMode.BREAK, 'errors')]);
    expect(context.records).toEqual([action(app1, true, 200_000), action(app1, true, 200_000, 50, { policy: 'errors' })]);
  });

  it('cannot handle any message but a load report', () => {
    const { health, context } = controller();
    expect(() => health.onMessage({ $case: 'timer', value: { tag: 'health', ref: 0 } }, context)).toThrow(
      'health cannot handle a timer message',
    );
  });
});
