import { describe, expect, it } from 'vitest';
import { HealthController } from '../../nodes/health/health-controller.js';
import { MaintenanceMode, Protocol, RequestKind, ServerState, Status, type Request } from '../../nodes/messages.js';
import { PlacementController } from '../../nodes/placement/placement-controller.js';
import { Router } from '../../nodes/router/router.js';
import { Sprayer } from '../../nodes/sprayer/sprayer.js';
import { ArrivalProcess } from '../../sim/workload/arrivals.js';
import { FakeContext } from '../helpers/fake-context.js';
import { request as newRequest } from '../helpers/requests.js';
import { loadReport } from '../helpers/load-reports.js';

const client = 99;

function request(id: number, overrides: Partial<Request> = {}): Request {
  return newRequest({ id, sessionId: id, uri: '/shop', client, ...overrides });
}

function router(servers: number[], workClasses: ConstructorParameters<typeof Router>[0]['workClasses'] = []): Router {
  return new Router({
    name: 'odr1',
    servers: servers.map((actor) => ({ actor, threads: 10, state: ServerState.RUNNING })),
    clusters: new Map([['app', servers]]),
    defaultCluster: new Map([[Protocol.HTTP, 'app']]),
    workClasses,
    maxAttempts: 3,
  });
}

function targetsOf(context: FakeContext): number[] {
  return context.take().flatMap((sent) => (sent.message.$case === 'request' ? [sent.to] : []));
}

describe('On Demand Router', () => {
  it('balances by least outstanding requests per thread; the load in a (possibly stale) report does not weigh in', () => {
    const odr = router([1, 2]);
    const context = new FakeContext(0);
    odr.onMessage({ $case: 'loadReport', value: loadReport(2, { loadPercent: 100 }) }, context);
    for (let id = 1; id <= 22; id++) odr.onMessage({ $case: 'request', value: request(id) }, context);
    const targets = targetsOf(context);
    expect(targets.filter((target) => target === 1).length).toBe(11);
    expect(targets.filter((target) => target === 2).length).toBe(11);
  });

  it('sends no new session to a server it knows is in maintenance', () => {
    const odr = router([1, 2, 3]);
    const context = new FakeContext(0);
    odr.onMessage({ $case: 'loadReport', value: loadReport(2, { state: ServerState.MAINTENANCE, mode: MaintenanceMode.AFFINITY }) }, context);
    for (let id = 1; id <= 30; id++) odr.onMessage({ $case: 'request', value: request(id) }, context);
    expect(targetsOf(context).filter((target) => target === 2)).toEqual([]);
  });

  it('retries a refused request on another server, and rejects with a cause when none is left', () => {
    const odr = router([1, 2]);
    const context = new FakeContext(0);
    odr.onMessage({ $case: 'request', value: request(1) }, context);
    const [first] = targetsOf(context);
    const refusal = { requestId: 1, protocol: Protocol.HTTP, kind: RequestKind.OPEN, sessionId: 1, status: Status.REJECTED, cause: 'maintenance', server: first!, client, sentAtUs: 0, attempts: 1, redirects: 0, workClass: '', retryable: true, redirectAddress: '', othersInFlight: 0 };
    odr.onMessage({ $case: 'response', value: refusal }, context);
    const [second] = targetsOf(context);
    expect(second).not.toBe(first);
    odr.onMessage({ $case: 'response', value: { ...refusal, server: second! } }, context);
    const [answer] = context.take();
    expect(answer!.to).toBe(client);
    expect(answer!.message.$case === 'response' && answer!.message.value).toMatchObject({ status: Status.REJECTED, cause: 'no-eligible-server' });
  });

  it('retries the requests outstanding at a server that is reported failed', () => {
    const odr = router([1, 2]);
    const context = new FakeContext(0);
    odr.onMessage({ $case: 'request', value: request(1) }, context);
    const [first] = targetsOf(context);
    odr.onMessage({ $case: 'loadReport', value: loadReport(first!, { state: ServerState.FAILED }) }, context);
    expect(targetsOf(context)).toEqual([first === 1 ? 2 : 1]);
  });

  it('permitsticky keeps its own affinity table: a request without the cookie still reaches its session server', () => {
    const odr = router([1, 2, 3], [{ name: 'sticky', uri: '/shop*', action: 'permitsticky' }]);
    const context = new FakeContext(0);
    odr.onMessage({ $case: 'request', value: request(1, { sessionId: 7 }) }, context);
    const [server] = targetsOf(context);
    odr.onMessage({ $case: 'response', value: { requestId: 1, protocol: Protocol.HTTP, kind: RequestKind.OPEN, sessionId: 7, status: Status.OK, cause: '', server: server!, client, sentAtUs: 0, attempts: 1, redirects: 0, workClass: 'sticky', retryable: false, redirectAddress: '', othersInFlight: 0 } }, context);
    context.take();
    for (let id = 2; id <= 6; id++) odr.onMessage({ $case: 'request', value: request(id, { sessionId: 7, kind: RequestKind.IN_SESSION }) }, context);
    expect(targetsOf(context)).toEqual([server, server, server, server, server]);
  });

  it('reject and redirect work classes are answered by the router itself', () => {
    const odr = router([1], [
      { name: 'old', uri: '/old/*', action: 'redirect', redirectTo: '/new' },
      { name: 'no', uri: '/no/*', action: 'reject' },
    ]);
    const context = new FakeContext(0);
    odr.onMessage({ $case: 'request', value: request(1, { uri: '/old/x' }) }, context);
    odr.onMessage({ $case: 'request', value: request(2, { uri: '/no/x' }) }, context);
    const answers = context.take().map((sent) => (sent.message.$case === 'response' ? sent.message.value : undefined));
    expect(answers[0]).toMatchObject({ status: Status.REDIRECT, redirectAddress: '/new', workClass: 'old' });
    expect(answers[1]).toMatchObject({ status: Status.REJECTED, cause: 'work-class-reject', workClass: 'no' });
  });

  it('permitMM sends only to servers in maintenance, and rejects when there is none', () => {
    const odr = router([1, 2], [{ name: 'admin', uri: '/admin/*', action: 'permitMM' }]);
    const context = new FakeContext(0);
    odr.onMessage({ $case: 'request', value: request(1, { uri: '/admin/x' }) }, context);
    expect(context.take()[0]!.message).toMatchObject({ $case: 'response', value: { cause: 'no-server-in-maintenance' } });
    odr.onMessage({ $case: 'loadReport', value: loadReport(2, { state: ServerState.MAINTENANCE, mode: MaintenanceMode.AFFINITY }) }, context);
    for (let id = 2; id <= 5; id++) odr.onMessage({ $case: 'request', value: request(id, { uri: '/admin/x' }) }, context);
    expect(targetsOf(context)).toEqual([2, 2, 2, 2]);
  });
});

describe('sprayer', () => {
  it('stops sending to an ODR once it hears the ODR is in maintenance', () => {
    const sprayer = new Sprayer({ name: 'sprayer', routers: [1, 2] });
    const context = new FakeContext(0);
    for (let id = 1; id <= 10; id++) sprayer.onMessage({ $case: 'request', value: request(id) }, context);
    expect(new Set(targetsOf(context))).toEqual(new Set([1, 2]));
    sprayer.onMessage({ $case: 'loadReport', value: loadReport(1, { state: ServerState.MAINTENANCE, mode: MaintenanceMode.AFFINITY }) }, context);
    for (let id = 11; id <= 20; id++) sprayer.onMessage({ $case: 'request', value: request(id) }, context);
    expect(new Set(targetsOf(context))).toEqual(new Set([2]));
  });
});

describe('health controller', () => {
  const policy = { name: 'slow', servers: [5], responseTimeAboveUs: 100_000, errorPercentAbove: 0, forUs: 10_000_000, mode: MaintenanceMode.AFFINITY };
  const slow = (atUs: number) => loadReport(5, { atUs, completedInInterval: 10, responseTimeSumUs: 10 * 200_000 });
  const fast = (atUs: number) => loadReport(5, { atUs, completedInInterval: 10, responseTimeSumUs: 10 * 20_000, state: ServerState.MAINTENANCE });

  it('acts only after the condition held for the whole period, and takes the server out after as long clear', () => {
    const health = new HealthController('health', [{ ...policy, supervised: false }]);
    const context = new FakeContext(0);
    for (let second = 0; second < 10; second++) health.onMessage({ $case: 'loadReport', value: slow(second * 1_000_000) }, context);
    expect(context.sent).toEqual([]);
    health.onMessage({ $case: 'loadReport', value: slow(10_000_000) }, context);
    expect(context.take().map((sent) => sent.message)).toEqual([{ $case: 'maintenance', value: { targets: [5], enter: true, mode: MaintenanceMode.AFFINITY, reason: 'health policy slow' } }]);
    for (let second = 11; second <= 21; second++) health.onMessage({ $case: 'loadReport', value: fast(second * 1_000_000) }, context);
    expect(context.take().map((sent) => sent.message)).toMatchObject([{ $case: 'maintenance', value: { enter: false } }]);
  });

  it('supervised: it asks (a record) and changes nothing', () => {
    const health = new HealthController('health', [{ ...policy, supervised: true }]);
    const context = new FakeContext(0);
    for (let second = 0; second <= 10; second++) health.onMessage({ $case: 'loadReport', value: slow(second * 1_000_000) }, context);
    expect(context.sent).toEqual([]);
    expect(context.records).toMatchObject([{ type: 'health-action', action: 'enter', supervised: true, server: 5 }]);
  });
});

describe('placement controller', () => {
  function controller(maxInstances: number, minInstances = 3) {
    return new PlacementController({
      name: 'placement',
      decisionIntervalUs: 1_000_000,
      clusters: [
        {
          name: 'shop',
          servers: [
            { actor: 1, node: 'node1', startsRunning: true },
            { actor: 2, node: 'node1', startsRunning: true },
            { actor: 3, node: 'node2', startsRunning: true },
            { actor: 4, node: 'node2', startsRunning: false },
          ],
          minInstances,
          maxInstances,
          maxPerNode: 2,
          scaleUpLoadPercent: 0,
          scaleDownLoadPercent: 0,
        },
      ],
    });
  }
  const decide = (placement: PlacementController, context: FakeContext) => placement.onMessage(PlacementController.start(), context);

  it('a server in maintenance does not count toward min: a stopped one is started', () => {
    const placement = controller(4);
    const context = new FakeContext(0);
    placement.onMessage({ $case: 'loadReport', value: loadReport(1, { state: ServerState.MAINTENANCE, mode: MaintenanceMode.AFFINITY }) }, context);
    decide(placement, context);
    expect(context.take().filter((sent) => sent.message.$case === 'serverControl').map((sent) => sent.to)).toEqual([4]);
    expect(context.records).toMatchObject([{ type: 'placement-action', action: 'start', countedInstances: 2, countedOnNode: 1, verticalLimit: 2 }]);
  });

  it('vertical stacking: the per-node maximum minus the servers in maintenance there decides', () => {
    const placement = controller(4);
    const context = new FakeContext(0);
    // node2 holds a server in maintenance (3) and a stopped one (4): its limit is 2 - 1 = 1, with 0 counted.
    placement.onMessage({ $case: 'loadReport', value: loadReport(3, { state: ServerState.MAINTENANCE, mode: MaintenanceMode.AFFINITY }) }, context);
    decide(placement, context);
    expect(context.records).toMatchObject([{ action: 'start', server: 4, countedOnNode: 0, verticalLimit: 1 }]);
    // With server 1 in maintenance too, node1 has one counted against a limit of 1: nothing more there.
    const context2 = new FakeContext(0);
    const placement2 = controller(4);
    placement2.onMessage({ $case: 'loadReport', value: loadReport(3, { state: ServerState.MAINTENANCE, mode: MaintenanceMode.AFFINITY }) }, context2);
    placement2.onMessage({ $case: 'loadReport', value: loadReport(4, { state: ServerState.STOPPED, mode: MaintenanceMode.AFFINITY }) }, context2);
    decide(placement2, context2);
    expect(context2.records).toEqual([]); // the only stopped server is in maintenance: not controlled
  });

  it('stops one instance above max, never one in maintenance', () => {
    const placement = controller(2, 1);
    const context = new FakeContext(0);
    placement.onMessage({ $case: 'loadReport', value: loadReport(1, { state: ServerState.MAINTENANCE, mode: MaintenanceMode.AFFINITY, openSessions: 0 }) }, context);
    placement.onMessage({ $case: 'loadReport', value: loadReport(2, { openSessions: 5 }) }, context);
    placement.onMessage({ $case: 'loadReport', value: loadReport(3, { openSessions: 9 }) }, context);
    decide(placement, context);
    expect(context.records).toEqual([]); // 2 counted, not above max
    placement.onMessage({ $case: 'loadReport', value: loadReport(4, { openSessions: 1 }) }, context);
    decide(placement, context);
    expect(context.records).toMatchObject([{ action: 'stop', server: 4, countedInstances: 3, max: 2 }]);
  });
});

describe('arrival processes', () => {
  it('follow steps, linear profiles and bursts', () => {
    const steps = new ArrivalProcess({ shape: 'steps', points: [{ atUs: 0, perSecond: 10 }, { atUs: 60e6, perSecond: 40 }] }, [{ atUs: 100e6, durationUs: 5e6, perSecond: 100 }]);
    expect(steps.rateAt(30e6)).toBe(10);
    expect(steps.rateAt(70e6)).toBe(40);
    expect(steps.rateAt(102e6)).toBe(140);
    const linear = new ArrivalProcess({ shape: 'linear', points: [{ atUs: 0, perSecond: 0 }, { atUs: 100e6, perSecond: 10 }] });
    expect(linear.rateAt(50e6)).toBe(5);
    let count = 0;
    let random = 1;
    const stream = () => ((random = (random * 16807) % 2147483647) - 1) / 2147483646;
    for (let atUs = linear.nextAfter(0, stream); atUs < 100e6; atUs = linear.nextAfter(atUs, stream)) count++;
    expect(Math.abs(count - 500)).toBeLessThan(4 * Math.sqrt(500));
  });
});
