import { describe, expect, it } from 'vitest';
import { Protocol, type Message } from '../../nodes/messages.js';
import { AppServer } from '../../nodes/server/app-server.js';
import { constant, exponential } from '../../sim/kernel/distributions.js';
import { SessionClients } from '../../sim/workload/session-clients.js';
import { ArrivalProcess } from '../../sim/workload/arrivals.js';
import { FakeContext } from '../helpers/fake-context.js';
import { requestMessage } from '../helpers/requests.js';

function request(serviceUs: number | undefined): Message {
  return requestMessage({ id: 1, sessionId: 1, client: 50, attempts: 1, router: 1, last: true, triedServers: [3], serviceUs });
}

describe('service demand drawn by the client (common random numbers across routings)', () => {
  const server = () => new AppServer({ name: 's', threads: 1, queueLimit: 1, service: new Map([[Protocol.HTTP, constant(1000)]]), loadSubscribers: [], loadReportIntervalUs: 1_000_000 });

  it('a server spends the demand the request brings, and draws its own only when there is none', () => {
    const withDemand = new FakeContext(3);
    server().onMessage(request(5000), withDemand);
    expect(withDemand.timers.map((timer) => timer.atUs)).toEqual([5000]);
    const withoutDemand = new FakeContext(3);
    server().onMessage(request(undefined), withoutDemand);
    expect(withoutDemand.timers.map((timer) => timer.atUs)).toEqual([1000]);
  });

  it('clients draw the same demands whatever the answers they get', () => {
    const demandsOf = (serverOfAnswer: number) => {
      const clients = new SessionClients({
        name: 'clients/http',
        protocol: Protocol.HTTP,
        arrivals: new ArrivalProcess(10, []),
        requests: constant(3),
        thinkTime: constant(1000),
        service: exponential(20_000),
        uri: '/',
        idSlot: 0,
        entryPoints: [1],
        stopArrivalsAtUs: 10_000_000,
      });
      const context = new FakeContext(9);
      const demands: number[] = [];
      clients.onMessage(SessionClients.start(), context);
      for (let step = 0; step < 3; step++) {
        for (const { message } of context.take()) {
          if (message.$case !== 'request') continue;
          const sent = message.value;
          demands.push(sent.serviceUs!);
          const response = { requestId: sent.id, protocol: sent.protocol, kind: sent.kind, sessionId: sent.sessionId, status: 1, cause: '', server: serverOfAnswer, client: 9, sentAtUs: 0, attempts: 1, redirects: 0, workClass: '', retryable: false, redirectAddress: '', othersInFlight: 0 };
          clients.onMessage({ $case: 'response', value: response }, context);
        }
        const think = context.timers.find((timer) => timer.message.$case === 'timer' && timer.message.value.tag === 'think');
        context.timers = context.timers.filter((timer) => timer !== think);
        if (think === undefined) continue;
        context.now = think.atUs;
        clients.onMessage(think.message, context);
      }
      return demands;
    };
    const viaOneServer = demandsOf(3);
    expect(viaOneServer).toHaveLength(3);
    expect(new Set(viaOneServer).size).toBe(3);
    expect(demandsOf(4)).toEqual(viaOneServer);
  });
});
