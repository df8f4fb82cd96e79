import { describe, expect, it } from 'vitest';
import { Protocol, Status, type Message, type Request } from '../../nodes/messages.js';
import { constant } from '../../sim/kernel/distributions.js';
import { ArrivalProcess } from '../../sim/workload/arrivals.js';
import { SessionClients } from '../../sim/workload/session-clients.js';
import { FakeContext } from '../helpers/fake-context.js';

const answer = (request: Request): Message => ({
  $case: 'response',
  value: { requestId: request.id, protocol: request.protocol, kind: request.kind, sessionId: request.sessionId, status: Status.OK, cause: '', server: 3, client: 9, sentAtUs: request.sentAtUs, attempts: 1, redirects: 0, workClass: '', retryable: false, redirectAddress: '', othersInFlight: 0 },
});

const requestsSent = (context: FakeContext): Request[] => context.take().flatMap(({ message }) => (message.$case === 'request' ? [message.value] : []));

describe('responses', () => {
  const clients = () =>
    new SessionClients({
      name: 'clients/http',
      protocol: Protocol.HTTP,
      arrivals: new ArrivalProcess(1, []),
      requests: constant(3),
      thinkTime: constant(1_000),
      uri: '/',
      idSlot: 0,
      entryPoints: [1],
      stopArrivalsAtUs: 1,
      requestTimeoutUs: 10_000,
    });

  it('a late answer to a request that timed out and was sent again is ignored; the answer to the retry counts', () => {
    const population = clients();
    const context = new FakeContext(9);
    population.onMessage(SessionClients.start(), context);
    const [first] = requestsSent(context);
    const sweep = context.timers.find((timer) => timer.message.$case === 'timer' && timer.message.value.tag === 'timeout-sweep')!;
    context.now = 10_000;
    population.onMessage(sweep.message, context);
    const [retry] = requestsSent(context);
    expect(retry!.id).not.toBe(first!.id);
    context.clear();

    population.onMessage(answer(first!), context);
    expect(context.recordsOf('request-ended')).toEqual([]);
    population.onMessage(answer(retry!), context);
    expect(context.recordsOf('request-ended').map((record) => record.request)).toEqual([retry!.id]);
  });

  it('a second answer to the same request is ignored', () => {
    const population = clients();
    const context = new FakeContext(9);
    population.onMessage(SessionClients.start(), context);
    const [opening] = requestsSent(context);
    context.clear({ timers: true });
    population.onMessage(answer(opening!), context);
    population.onMessage(answer(opening!), context);
    expect(context.recordsOf('request-ended')).toHaveLength(1);
    expect(context.timers.filter((timer) => timer.message.$case === 'timer' && timer.message.value.tag === 'think')).toHaveLength(1);
  });
});
