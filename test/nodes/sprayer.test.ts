import { describe, expect, it } from 'vitest';
import { MaintenanceMode, Protocol, RequestKind, ServerState, Status } from '../../nodes/messages.js';
import { Sprayer } from '../../nodes/sprayer/sprayer.js';
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

describe('sprayer', () => {
  it('passes each request on, unchanged, to an ODR chosen by its session', () => {
    const { sprayer: front, context } = sprayer();
    const sent = request({ id: 12, sessionId: 4, kind: RequestKind.IN_SESSION, uri: '/cart' });
    front.onMessage({ $case: 'request', value: sent }, context);
    expect(context.sent).toEqual([{ to: odr2, message: { $case: 'request', value: sent } }]);
    expect(context.records).toEqual([]);
    expect(context.timers).toEqual([]);
  });

  it('starts with every ODR running and spreads the sessions over them in turn', () => {
    const { odrsOf } = sprayer();
    expect(odrsOf(0, 1, 2, 3, 4, 5, 7)).toEqual([odr1, odr2, odr3, odr1, odr2, odr3, odr2]);
  });

  it('keeps every request of a session on the same ODR, so its affinity tables stay useful', () => {
    const { odrsOf } = sprayer();
    expect(odrsOf(8, 8, 8)).toEqual([odr3, odr3, odr3]);
  });

  it('stops sending to an ODR once it hears the ODR is in maintenance; only its sessions move, spread over the others', () => {
    const { odrsOf, routerIs } = sprayer();
    routerIs(odr1, ServerState.MAINTENANCE, MaintenanceMode.AFFINITY);
    expect(odrsOf(0, 1, 2, 3, 4, 5)).toEqual([odr2, odr2, odr3, odr3, odr2, odr3]);
  });

  it('leaves out a stopped ODR too, and sends to it again once it is running', () => {
    const { odrsOf, routerIs } = sprayer();
    routerIs(odr2, ServerState.STOPPED, MaintenanceMode.STOP);
    expect(odrsOf(0, 1, 2)).toEqual([odr1, odr3, odr3]);
    routerIs(odr2, ServerState.RUNNING);
    expect(odrsOf(0, 1, 2)).toEqual([odr1, odr2, odr3]);
  });

  it('a report that an ODR is still in the same state changes nothing', () => {
    const { odrsOf, routerIs } = sprayer();
    routerIs(odr1, ServerState.RUNNING);
    expect(odrsOf(0, 1, 2)).toEqual([odr1, odr2, odr3]);
    routerIs(odr3, ServerState.MAINTENANCE, MaintenanceMode.BREAK);
    routerIs(odr3, ServerState.MAINTENANCE, MaintenanceMode.BREAK);
    expect(odrsOf(0, 1, 2)).toEqual([odr1, odr2, odr1]);
  });

  it('a report from an actor that is not one of its ODRs changes nothing', () => {
    const { odrsOf, routerIs } = sprayer();
    routerIs(9, ServerState.MAINTENANCE, MaintenanceMode.AFFINITY);
    expect(odrsOf(0, 1, 2)).toEqual([odr1, odr2, odr3]);
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
    expect(odrsOf(0, 1)).toEqual([odr2, odr2]);
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
