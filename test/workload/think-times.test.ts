import { describe, expect, it } from 'vitest';
import { Protocol, Status, type Message, type Request } from '../../nodes/messages.js';
import type { Distribution } from '../../sim/kernel/distributions.js';
import { constant } from '../../sim/kernel/distributions.js';
import { ArrivalProcess } from '../../sim/workload/arrivals.js';
import { SessionClients } from '../../sim/workload/session-clients.js';
import { FakeContext } from '../helpers/fake-context.js';

/** Think times handed out in the order given. */
function scripted(values: number[]): Distribution {
  const left = [...values];
  return { sample: () => left.shift()!, mean: 0, describe: () => 'scripted' };
}

const okTo = (request: Request, status = Status.OK, requestId = request.id): Message => ({
  $case: 'response',
  value: { requestId, protocol: request.protocol, kind: request.kind, sessionId: request.sessionId, status, cause: status === Status.OK ? '' : 'drain-expired', server: 3, client: 9, sentAtUs: request.sentAtUs, attempts: 1, redirects: 0, workClass: '', retryable: false, redirectAddress: '', othersInFlight: 0 },
});

const thinkTimers = (context: FakeContext) => context.timers.filter((timer) => timer.message.$case === 'timer' && timer.message.value.tag === 'think');

describe('think times', () => {
  const clientsWith = (thinkTimes: number[]) =>
    new SessionClients({
      name: 'clients/http',
      protocol: Protocol.HTTP,
      arrivals: new ArrivalProcess(1, []),
      requests: constant(3),
      thinkTime: scripted(thinkTimes),
      uri: '/',
      idSlot: 0,
      entryPoints: [1],
      stopArrivalsAtUs: 1,
    });

  it('each session sends its next request when its own think time is over, with a kernel timer only for the earliest', () => {
    const clients = clientsWith([5_000, 1_000, 3_000]);
    const context = new FakeContext(9);
    const opened: Request[] = [];
    for (let session = 0; session < 3; session++) {
      clients.onMessage(SessionClients.start(), context);
      opened.push(...context.take().map(({ message }) => (message as Extract<Message, { $case: 'request' }>).value));
    }
    context.timers = [];
    for (const request of opened) clients.onMessage(okTo(request), context);
    // Thinking until 5 ms, 1 ms and 3 ms: a kernel timer is set only when the earliest end moves
    // earlier, not one per session.
    expect(thinkTimers(context).map((timer) => timer.atUs)).toEqual([5_000, 1_000]);

    const sent: { atUs: number; session: number }[] = [];
    while (thinkTimers(context).length > 0) {
      const next = thinkTimers(context).sort((a, b) => a.atUs - b.atUs)[0]!;
      context.timers = context.timers.filter((timer) => timer !== next);
      context.now = next.atUs;
      clients.onMessage(next.message, context);
      for (const { message } of context.take()) if (message.$case === 'request') sent.push({ atUs: context.now, session: message.value.sessionId });
    }
    expect(sent).toEqual([
      { atUs: 1_000, session: opened[1]!.sessionId },
      { atUs: 3_000, session: opened[2]!.sessionId },
      { atUs: 5_000, session: opened[0]!.sessionId },
    ]);
  });

  it('a session the server ended while it was thinking sends nothing more', () => {
    const clients = clientsWith([2_000]);
    const context = new FakeContext(9);
    clients.onMessage(SessionClients.start(), context);
    const [opening] = context.take();
    const request = (opening!.message as Extract<Message, { $case: 'request' }>).value;
    context.timers = [];
    clients.onMessage(okTo(request), context);
    clients.onMessage(okTo(request, Status.DROPPED, 0), context);
    expect(clients.openSessions).toBe(0);
    const [wake] = thinkTimers(context);
    context.now = wake!.atUs;
    clients.onMessage(wake!.message, context);
    expect(context.take()).toEqual([]);
  });
});
