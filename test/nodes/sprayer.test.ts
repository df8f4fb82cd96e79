import { describe, expect, it } from 'vitest';
import { MaintenanceMode, Protocol, RequestKind, ServerState, Status } from '../../nodes/messages.js';
import { mixSessionId, Sprayer } from '../../nodes/sprayer/sprayer.js';
import { FakeContext } from '../helpers/fake-context.js';
import { loadReportMessage } from '../helpers/load-reports.js';
import { clientActor, request, requestMessage } from '../helpers/requests.js';

/** Three ODRs, odr1 to odr3, behind the sprayer. */
const [odr1, odr2, odr3] = [1, 2, 3];
const sprayerActor = 4;

function sprayer(routers: readonly number[] = [odr1, odr2, odr3]) {
  const actor = new Sprayer({ name: 'sprayer', routers });
  const context = new FakeContext(sprayerActor);
  /** The ODR each of these sessions' next request goes to. */
  const odrsOf = (...sessions: number[]) => {
    for (const sessionId of sessions) actor.onMessage(requestMessage({ id: 100 + sessionId, sessionId }), context);
    return context.take().map((sent) => sent.to);
  };
  const routerIs = (router: number, state: ServerState, mode = MaintenanceMode.UNSPECIFIED) =>
    actor.onMessage(loadReportMessage(router, { state, mode }), context);
  return { sprayer: actor, context, odrsOf, routerIs };
}

/** Each ODR's share of the sends. */
function sharesOf(odrs: readonly number[]): Map<number, number> {
  const shares = new Map<number, number>();
  for (const odr of odrs) shares.set(odr, (shares.get(odr) ?? 0) + 1 / odrs.length);
  return shares;
}

describe('sprayer', () => {
  it('passes each request on, unchanged, to an ODR chosen by its session', () => {
    const { sprayer: front, context } = sprayer();
    const sent = request({ id: 12, sessionId: 4, kind: RequestKind.IN_SESSION, uri: '/cart' });
    front.onMessage({ $case: 'request', value: sent }, context);
    expect(context.sent).toEqual([{ to: [odr1, odr2, odr3][mixSessionId(4) % 3], message: { $case: 'request', value: sent } }]);
    expect(context.records).toEqual([]);
    expect(context.timers).toEqual([]);
  });

  it.each([2, 3, 4, 8])('spreads the sessions of one client population evenly over %i ODRs', (count) => {
    const routers = Array.from({ length: count }, (_, index) => index + 1);
    const { odrsOf } = sprayer(routers);
    // Session ids are n * 16 + the population's slot: one population's ids share their low bits.
    const sessions = Array.from({ length: 16_000 }, (_, n) => n * 16 + 3);
    const shares = sharesOf(odrsOf(...sessions));
    for (const router of routers) expect(Math.abs((shares.get(router) ?? 0) - 1 / count)).toBeLessThan(0.02);
  });

  it('keeps every request of a session on the same ODR, so its affinity tables stay useful', () => {
    const { odrsOf } = sprayer();
    const [first] = odrsOf(8);
    expect(odrsOf(8, 8, 8)).toEqual([first, first, first]);
  });

  it('stops sending to an ODR once it hears the ODR is in maintenance; only its sessions move, spread over the others', () => {
    const { odrsOf, routerIs } = sprayer();
    const sessions = Array.from({ length: 3000 }, (_, n) => n * 16 + 1);
    const before = odrsOf(...sessions);
    routerIs(odr1, ServerState.MAINTENANCE, MaintenanceMode.AFFINITY);
    const after = odrsOf(...sessions);
    const moved = sessions.flatMap((_, index) => (before[index] === odr1 ? [after[index]!] : []));
    sessions.forEach((_, index) => before[index] !== odr1 && expect(after[index]).toBe(before[index]));
    expect(after).not.toContain(odr1);
    const shares = sharesOf(moved);
    expect(shares.get(odr2)).toBeGreaterThan(0.45);
    expect(shares.get(odr3)).toBeGreaterThan(0.45);
  });

  it('leaves out a stopped ODR too, and sends to it again once it is running', () => {
    const { odrsOf, routerIs } = sprayer();
    const sessions = Array.from({ length: 60 }, (_, n) => n);
    const before = odrsOf(...sessions);
    routerIs(odr2, ServerState.STOPPED, MaintenanceMode.STOP);
    expect(odrsOf(...sessions)).not.toContain(odr2);
    routerIs(odr2, ServerState.RUNNING);
    expect(odrsOf(...sessions)).toEqual(before);
  });

  it('a report that an ODR is still in the same state changes nothing', () => {
    const { odrsOf, routerIs } = sprayer();
    const sessions = Array.from({ length: 60 }, (_, n) => n);
    const before = odrsOf(...sessions);
    routerIs(odr1, ServerState.RUNNING);
    expect(odrsOf(...sessions)).toEqual(before);
    routerIs(odr3, ServerState.MAINTENANCE, MaintenanceMode.BREAK);
    const without3 = odrsOf(...sessions);
    routerIs(odr3, ServerState.MAINTENANCE, MaintenanceMode.BREAK);
    expect(odrsOf(...sessions)).toEqual(without3);
  });

  it('a report from an actor that is not one of its ODRs changes nothing', () => {
    const { odrsOf, routerIs } = sprayer();
    const sessions = Array.from({ length: 60 }, (_, n) => n);
    const before = odrsOf(...sessions);
    routerIs(9, ServerState.MAINTENANCE, MaintenanceMode.AFFINITY);
    expect(odrsOf(...sessions)).toEqual(before);
  });

  it('with every ODR out of service it rejects the request back to the client: no router available', () => {
    const { sprayer: front, context, routerIs } = sprayer([odr1, odr2]);
    routerIs(odr1, ServerState.MAINTENANCE, MaintenanceMode.AFFINITY);
    routerIs(odr2, ServerState.STOPPED, MaintenanceMode.STOP);
    front.onMessage(requestMessage({ id: 21, sessionId: 5, sentAtUs: 700, attempts: 1, workClass: 'shop' }), context);
    expect(context.sent).toEqual([
      {
        to: clientActor,
        message: {
          $case: 'response',
          value: {
            requestId: 21,
            protocol: Protocol.HTTP,
            kind: RequestKind.OPEN,
            sessionId: 5,
            status: Status.REJECTED,
            cause: 'no-router-available',
            server: -1,
            client: clientActor,
            sentAtUs: 700,
            attempts: 1,
            redirects: 0,
            workClass: 'shop',
            retryable: false,
            redirectAddress: '',
            othersInFlight: 0,
          },
        },
      },
    ]);
  });

  it('sends again once an ODR is back in service after all were out', () => {
    const { odrsOf, routerIs } = sprayer([odr1, odr2]);
    routerIs(odr1, ServerState.MAINTENANCE, MaintenanceMode.AFFINITY);
    routerIs(odr2, ServerState.MAINTENANCE, MaintenanceMode.AFFINITY);
    expect(odrsOf(0)).toEqual([clientActor]);
    routerIs(odr2, ServerState.RUNNING);
    expect(odrsOf(0, 1, 2, 3)).toEqual([odr2, odr2, odr2, odr2]);
  });

  it('with no ODR behind it, it rejects every request', () => {
    const { context, odrsOf } = sprayer([]);
    expect(odrsOf(0, 1)).toEqual([clientActor, clientActor]);
    expect(context.records).toEqual([]);
  });

  it('cannot handle any message but requests and load reports', () => {
    const { sprayer: front, context } = sprayer();
    expect(() => front.onMessage({ $case: 'timer', value: { tag: 'spray', ref: 0 } }, context)).toThrow(
      'sprayer cannot handle a timer message',
    );
    expect(context.sent).toEqual([]);
  });
});

describe("sprayer's advisor", () => {
  const advisor = { intervalUs: 2_000_000, timeoutUs: 1_000_000, failuresToMarkDown: 2 };

  function advised(isDown: (router: number, atUs: number) => boolean = () => false) {
    const actor = new Sprayer({ name: 'sprayer', routers: [odr1, odr2, odr3], advisor, isDown });
    const context = new FakeContext(sprayerActor);
    const sessions = Array.from({ length: 300 }, (_, n) => n * 16 + 2);
    const odrsOf = () => {
      for (const sessionId of sessions) actor.onMessage(requestMessage({ id: sessionId, sessionId }), context);
      return context.take().map((sent) => sent.to);
    };
    /** One probe round at `atUs`: every ODR but `silent` answers, then the timeout fires. */
    const round = (atUs: number, ...silent: number[]) => {
      context.now = atUs;
      actor.onMessage(Sprayer.start(), context);
      const probes = context.take();
      expect(probes.map((probe) => probe.to)).toEqual([odr1, odr2, odr3]);
      for (const probe of probes) {
        if (probe.message.$case !== 'heartbeat') throw new Error('a probe is a heartbeat');
        if (!silent.includes(probe.to)) actor.onMessage({ $case: 'heartbeat', value: { ...probe.message.value, from: probe.to } }, context);
      }
      const timeout = context.timers.find((timer) => timer.message.$case === 'timer' && timer.message.value.tag === 'advisor-timeout')!;
      expect(timeout.atUs).toBe(atUs + advisor.timeoutUs);
      context.now = timeout.atUs;
      actor.onMessage(timeout.message, context);
      context.timers = [];
    };
    return { actor, context, odrsOf, round };
  }

  it('probes every ODR each interval and re-arms itself', () => {
    const { actor, context } = advised();
    context.now = 2_000_000;
    actor.onMessage(Sprayer.start(), context);
    expect(context.sent.map((sent) => [sent.to, sent.message.$case])).toEqual([
      [odr1, 'heartbeat'],
      [odr2, 'heartbeat'],
      [odr3, 'heartbeat'],
    ]);
    expect(context.timers.map((timer) => timer.atUs)).toEqual([3_000_000, 4_000_000]);
  });

  it('marks an ODR down after the configured failures in a row, moves only its sessions, and records the verdict', () => {
    const { context, odrsOf, round } = advised((router) => router === odr2);
    const before = odrsOf();
    round(2_000_000, odr2);
    expect(odrsOf()).toEqual(before); // one failure is not enough
    expect(context.records).toEqual([]);
    round(4_000_000, odr2);
    const after = odrsOf();
    expect(after).not.toContain(odr2);
    before.forEach((odr, index) => odr !== odr2 && expect(after[index]).toBe(odr));
    expect(context.records).toEqual([{ type: 'suspicion', detector: sprayerActor, member: odr2, suspected: true, correct: true }]);
  });

  it('an answer between two failures starts the count again', () => {
    const { context, round } = advised();
    round(2_000_000, odr1);
    round(4_000_000);
    round(6_000_000, odr1);
    expect(context.records).toEqual([]);
  });

  it('marks the ODR up at its first answer, and its sessions go back to it', () => {
    const { context, odrsOf, round } = advised();
    const before = odrsOf();
    round(2_000_000, odr3);
    round(4_000_000, odr3);
    expect(odrsOf()).not.toContain(odr3);
    round(6_000_000);
    expect(odrsOf()).toEqual(before);
    // Nothing was down in the fault schedule: marking down was a false verdict, marking up a right one.
    expect(context.recordsOf('suspicion').map((record) => [record.suspected, record.correct])).toEqual([
      [true, false],
      [false, true],
    ]);
  });

  it('an ODR marked down but reported running stays out until it answers', () => {
    const { actor, context, odrsOf, round } = advised();
    round(2_000_000, odr1);
    round(4_000_000, odr1);
    actor.onMessage(loadReportMessage(odr1, { state: ServerState.RUNNING }), context);
    expect(odrsOf()).not.toContain(odr1);
  });
});
