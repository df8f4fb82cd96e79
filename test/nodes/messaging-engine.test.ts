import { describe, expect, it } from 'vitest';
import { MessagingEngine } from '../../nodes/messaging/messaging-engine.js';
import { MaintenanceMode, Protocol, RequestKind, ServerState, Status, responseTo, type Message, type Request } from '../../nodes/messages.js';
import type { SimRecord } from '../../sim/metrics/records.js';
import { FakeContext } from '../helpers/fake-context.js';
import { clientActor, request } from '../helpers/requests.js';

const engineActor = 5;
const [a, b, stranger] = [10, 11, 12];
const orders = 'orders';
const invoices = 'invoices';

function messagingEngine(
  consumers: readonly (readonly [number, ServerState])[] = [[a, ServerState.RUNNING]],
  maxDepth = 10,
  destinations: readonly string[] = [orders],
): { engine: MessagingEngine; context: FakeContext } {
  const engine = new MessagingEngine({
    name: 'messaging/me1',
    destinations,
    consumers: consumers.map(([actor, state]) => ({ actor, threads: 10, state })),
    maxDepth,
  });
  return { engine, context: new FakeContext(engineActor, 'scripted') };
}

/** A JMS message a producer puts on `destination`. */
function jms(id: number, destination = orders): Request {
  return request({ id, sessionId: id, protocol: Protocol.JMS, kind: RequestKind.MESSAGE, destination });
}

function put(message: Request): Message {
  return { $case: 'request', value: message };
}

/** The message as the engine passes it to consumer `to`: routed by the engine, on delivery number `attempts`. */
function delivered(to: number, id: number, attempts: number, destination = orders): { to: number; message: Message } {
  return { to, message: { $case: 'request', value: { ...jms(id, destination), router: engineActor, attempts } } };
}

/** A consumer server's answer to a message it was sent. */
function answer(message: Request, server: number, status = Status.OK, cause = ''): Message {
  return { $case: 'response', value: responseTo(message, status, cause, server, status === Status.REJECTED) };
}

function report(server: number, state: ServerState, mode = MaintenanceMode.UNSPECIFIED): Message {
  return { $case: 'loadReport', value: { server, atUs: 0, state, mode, inFlight: 0, threads: 10, queued: 0, loadPercent: 0, openSessions: 0, completedInInterval: 0, responseTimeSumUs: 0, errorsInInterval: 0 } };
}

function inFlight(count: number, destination = orders): SimRecord {
  return { type: 'messages-in-flight', engine: engineActor, destination, inFlight: count };
}

/** The engine took back message `request`, dropped by its consumer for `cause`. */
function messageBack(request: number, cause: string): SimRecord {
  return { type: 'message-back', engine: engineActor, request, cause };
}

/** The consumers the engine passed messages to, in order. */
function consumersOf(context: FakeContext): number[] {
  return context.sent.filter((sent) => sent.message.$case === 'request').map((sent) => sent.to);
}

describe('messaging engine', () => {
  it('passes a message put on a destination to a consumer server, as its router, on its first delivery', () => {
    const { engine, context } = messagingEngine();
    engine.onMessage(put(jms(1)), context);
    expect(context.sent).toEqual([delivered(a, 1, 1)]);
    expect(context.records).toEqual([inFlight(1)]);
    expect(context.timers).toEqual([]);
  });

  it('acknowledges the producer with the consumer’s answer once the message is consumed', () => {
    const { engine, context } = messagingEngine();
    const message = jms(1);
    engine.onMessage(put(message), context);
    context.clear();
    const consumed = answer(message, a);
    engine.onMessage(consumed, context);
    expect(context.sent).toEqual([{ to: clientActor, message: consumed }]);
    expect(context.records).toEqual([inFlight(0)]);
    expect(context.timers).toEqual([]);
  });

  it('counts the messages in flight on each destination, from put until consumed', () => {
    const { engine, context } = messagingEngine([[a, ServerState.RUNNING]], 10, [orders, invoices]);
    const first = jms(1);
    const second = jms(2, invoices);
    const third = jms(3);
    for (const message of [first, second, third]) engine.onMessage(put(message), context);
    engine.onMessage(answer(third, a), context);
    engine.onMessage(answer(second, a), context);
    engine.onMessage(answer(first, a), context);
    expect(context.records).toEqual([inFlight(1), inFlight(1, invoices), inFlight(2), inFlight(1), inFlight(0, invoices), inFlight(0)]);
    expect(context.sent.filter((sent) => sent.to === clientActor).map((sent) => sent.message.$case === 'response' && sent.message.value.requestId)).toEqual([3, 2, 1]);
  });

  it('still delivers JMS messages to a consumer server in maintenance, whatever the maintenance mode', () => {
    const { engine, context } = messagingEngine([[a, ServerState.MAINTENANCE]]);
    engine.onMessage(put(jms(1)), context);
    expect(context.take()).toEqual([delivered(a, 1, 1)]);
    for (const [id, mode] of [[2, MaintenanceMode.AFFINITY], [3, MaintenanceMode.BREAK]] as const) {
      engine.onMessage(report(a, ServerState.MAINTENANCE, mode), context);
      engine.onMessage(put(jms(id)), context);
      expect(context.take()).toEqual([delivered(a, id, 1)]);
    }
  });

  it('spreads messages over running consumers and consumers in maintenance alike', () => {
    const { engine, context } = messagingEngine([
      [a, ServerState.RUNNING],
      [b, ServerState.MAINTENANCE],
    ]);
    context.willDraw(0, 0);
    engine.onMessage(put(jms(1)), context);
    engine.onMessage(put(jms(2)), context);
    expect(context.sent).toEqual([delivered(a, 1, 1), delivered(b, 2, 1)]);
  });

  it('sends the next message to the consumer with the fewest messages outstanding, counting answered ones out', () => {
    const { engine, context } = messagingEngine([
      [a, ServerState.RUNNING],
      [b, ServerState.RUNNING],
    ]);
    const first = jms(1);
    context.willDraw(0, 0);
    engine.onMessage(put(first), context);
    engine.onMessage(put(jms(2)), context);
    expect(consumersOf(context)).toEqual([a, b]);
    engine.onMessage(answer(first, a), context);
    context.clear();
    context.willDraw(0.5, 0.5);
    engine.onMessage(put(jms(3)), context);
    engine.onMessage(put(jms(4)), context);
    expect(consumersOf(context)).toEqual([a, b]);
  });

  it('counts a message refused by a consumer out of that consumer’s outstanding ones before delivering it again', () => {
    const { engine, context } = messagingEngine([
      [a, ServerState.RUNNING],
      [b, ServerState.RUNNING],
    ]);
    const first = jms(1);
    context.willDraw(0, 0);
    engine.onMessage(put(first), context);
    engine.onMessage(put(jms(2)), context);
    context.clear();
    context.willDraw(0.5);
    engine.onMessage(answer(first, a, Status.REJECTED, 'queue-full'), context);
    expect(context.sent).toEqual([delivered(a, 1, 2)]);
  });

  it('refuses a message for a destination it does not host, without taking it in', () => {
    const { engine, context } = messagingEngine();
    const message = jms(1, 'payroll');
    engine.onMessage(put(message), context);
    expect(context.sent).toEqual([{ to: clientActor, message: { $case: 'response', value: responseTo(jms(1, 'payroll'), Status.REJECTED, 'unknown-destination', -1) } }]);
    expect(context.records).toEqual([]);
  });

  it('refuses one message more than a destination may hold, and takes messages again once one is consumed', () => {
    const { engine, context } = messagingEngine([[a, ServerState.RUNNING]], 2, [orders, invoices]);
    const first = jms(1);
    engine.onMessage(put(first), context);
    engine.onMessage(put(jms(2)), context);
    context.clear();
    engine.onMessage(put(jms(3)), context);
    expect(context.sent).toEqual([{ to: clientActor, message: { $case: 'response', value: responseTo(jms(3), Status.REJECTED, 'destination-full', -1) } }]);
    expect(context.records).toEqual([]);
    context.clear();
    engine.onMessage(put(jms(4, invoices)), context);
    expect(context.sent).toEqual([delivered(a, 4, 1, invoices)]);
    engine.onMessage(answer(first, a), context);
    context.clear();
    engine.onMessage(put(jms(5)), context);
    expect(context.sent).toEqual([delivered(a, 5, 1)]);
    expect(context.records).toEqual([inFlight(2)]);
  });

  it('counts messages waiting for a consumer against the depth of their destination', () => {
    const { engine, context } = messagingEngine([[a, ServerState.STOPPED]], 1);
    engine.onMessage(put(jms(1)), context);
    engine.onMessage(put(jms(2)), context);
    expect(context.sent).toEqual([{ to: clientActor, message: { $case: 'response', value: responseTo(jms(2), Status.REJECTED, 'destination-full', -1) } }]);
    expect(context.records).toEqual([inFlight(1)]);
  });

  it('never delivers to a consumer server that is starting, draining, stopped or failed', () => {
    const { engine, context } = messagingEngine([
      [a, ServerState.STARTING],
      [b, ServerState.STOPPED],
    ]);
    engine.onMessage(put(jms(1)), context);
    engine.onMessage(report(a, ServerState.DRAINING), context);
    engine.onMessage(report(b, ServerState.FAILED), context);
    engine.onMessage(put(jms(2)), context);
    expect(context.sent).toEqual([]);
    expect(context.records).toEqual([inFlight(1), inFlight(2)]);
  });

  it('keeps messages on their destinations while no consumer can take them, and delivers them in order once one can', () => {
    const { engine, context } = messagingEngine([[a, ServerState.STOPPED]], 10, [orders, invoices]);
    engine.onMessage(put(jms(1)), context);
    engine.onMessage(put(jms(2, invoices)), context);
    engine.onMessage(put(jms(3)), context);
    engine.onMessage(report(a, ServerState.STARTING), context);
    expect(context.sent).toEqual([]);
    engine.onMessage(report(a, ServerState.RUNNING), context);
    expect(context.sent).toEqual([delivered(a, 1, 1), delivered(a, 3, 1), delivered(a, 2, 1, invoices)]);
    expect(context.records).toEqual([inFlight(1), inFlight(1, invoices), inFlight(2)]);
  });

  it('delivers a message that waited for a consumer once, however many load reports follow', () => {
    const { engine, context } = messagingEngine([[a, ServerState.STOPPED]]);
    engine.onMessage(put(jms(1)), context);
    engine.onMessage(put(jms(2)), context);
    engine.onMessage(report(a, ServerState.RUNNING), context);
    expect(context.take()).toEqual([delivered(a, 1, 1), delivered(a, 2, 1)]);
    engine.onMessage(report(a, ServerState.STOPPED), context);
    engine.onMessage(put(jms(3)), context);
    engine.onMessage(report(a, ServerState.RUNNING), context);
    engine.onMessage(report(a, ServerState.RUNNING), context);
    expect(context.take()).toEqual([delivered(a, 3, 1)]);
  });

  it('puts a message lost with a stopped consumer back on its destination and delivers it to another consumer', () => {
    const { engine, context } = messagingEngine([
      [a, ServerState.RUNNING],
      [b, ServerState.RUNNING],
    ]);
    const message = jms(1);
    context.willDraw(0);
    engine.onMessage(put(message), context);
    expect(context.take()).toEqual([delivered(a, 1, 1)]);
    engine.onMessage(report(a, ServerState.STOPPED), context);
    engine.onMessage(answer(message, a, Status.DROPPED, 'server-stopped'), context);
    expect(context.take()).toEqual([delivered(b, 1, 2)]);
    expect(context.records).toEqual([inFlight(1), messageBack(1, 'server-stopped')]);
  });

  it('forgets a message lost with a consumer whose node crashed (silent) once that consumer is heard starting again', () => {
    const { engine, context } = messagingEngine([
      [a, ServerState.RUNNING],
      [b, ServerState.RUNNING],
    ]);
    context.willDraw(0);
    engine.onMessage(put(jms(1)), context);
    expect(context.take()).toEqual([delivered(a, 1, 1)]);
    context.clear();
    // No answer and no failure report: the node said nothing until the server started again. The
    // producer finds out by its timeout and puts the message again; it no longer counts here.
    engine.onMessage(report(a, ServerState.STARTING), context);
    expect(context.sent).toEqual([]);
    expect(context.records).toEqual([inFlight(0)]);
    engine.onMessage(report(a, ServerState.RUNNING), context);
    // a has nothing outstanding any more: the next message may go to it.
    context.willDraw(0);
    engine.onMessage(put(jms(2)), context);
    expect(consumersOf(context)).toEqual([a]);
  });

  it('passes on an answer that comes after all for a forgotten message, and delivers it again if refused', () => {
    const { engine, context } = messagingEngine([
      [a, ServerState.RUNNING],
      [b, ServerState.STOPPED],
    ]);
    const [consumed, refused] = [jms(1), jms(2)];
    engine.onMessage(put(consumed), context);
    engine.onMessage(put(refused), context);
    expect(consumersOf(context)).toEqual([a, a]);
    engine.onMessage(report(a, ServerState.STARTING), context);
    engine.onMessage(report(b, ServerState.RUNNING), context);
    context.clear();
    engine.onMessage(answer(consumed, a), context);
    expect(context.sent).toEqual([{ to: clientActor, message: answer(consumed, a) }]);
    expect(context.records).toEqual([]);
    context.clear();
    engine.onMessage(answer(refused, a, Status.DROPPED, 'server-restarted'), context);
    expect(context.sent).toEqual([delivered(b, 2, 2)]);
    expect(context.records).toEqual([messageBack(2, 'server-restarted'), inFlight(1)]);
    engine.onMessage(answer(consumed, a), context);
    expect(context.sent).toHaveLength(1);
  });

  it('keeps a message lost with the only consumer on its destination until a consumer runs again', () => {
    const { engine, context } = messagingEngine();
    const message = jms(1);
    engine.onMessage(put(message), context);
    context.clear();
    engine.onMessage(report(a, ServerState.STOPPED), context);
    engine.onMessage(answer(message, a, Status.DROPPED, 'server-stopped'), context);
    expect(context.sent).toEqual([]);
    engine.onMessage(report(a, ServerState.RUNNING), context);
    expect(context.sent).toEqual([delivered(a, 1, 2)]);
    expect(context.records).toEqual([messageBack(1, 'server-stopped')]);
  });

  it('delivers a refused message again at once, and after a third refusal waits for the next load report', () => {
    const { engine, context } = messagingEngine();
    const message = jms(1);
    engine.onMessage(put(message), context);
    context.clear();
    for (const attempts of [2, 3]) {
      engine.onMessage(answer(message, a, Status.REJECTED, 'queue-full'), context);
      expect(context.take()).toEqual([delivered(a, 1, attempts)]);
    }
    engine.onMessage(answer(message, a, Status.REJECTED, 'queue-full'), context);
    expect(context.sent).toEqual([]);
    engine.onMessage(report(a, ServerState.RUNNING), context);
    expect(context.take()).toEqual([delivered(a, 1, 4)]);
    for (const attempts of [5, 6]) {
      engine.onMessage(answer(message, a, Status.REJECTED, 'queue-full'), context);
      expect(context.take()).toEqual([delivered(a, 1, attempts)]);
    }
    engine.onMessage(answer(message, a, Status.REJECTED, 'queue-full'), context);
    expect(context.sent).toEqual([]);
    expect(context.records).toEqual([]);
    engine.onMessage(report(a, ServerState.RUNNING), context);
    expect(context.take()).toEqual([delivered(a, 1, 7)]);
  });

  it('a consumer that finishes a message takes the next one waiting at once, not at the next load report', () => {
    const { engine, context } = messagingEngine();
    const [waiting, served] = [jms(1), jms(2)];
    engine.onMessage(put(waiting), context);
    engine.onMessage(put(served), context);
    context.clear();
    // Its queue is full: the message is refused three times and waits on its destination.
    for (let refusal = 0; refusal < 3; refusal++) engine.onMessage(answer(waiting, a, Status.REJECTED, 'queue-full'), context);
    context.clear();
    // A thread frees: the waiting message goes, so that a backlog drains at the consumers' pace.
    engine.onMessage(answer(served, a), context);
    expect(context.sent).toEqual([{ to: clientActor, message: answer(served, a) }, delivered(a, 1, 4)]);
  });

  it('never tells the producer that a consumer refused its message', () => {
    const { engine, context } = messagingEngine();
    const message = jms(1);
    engine.onMessage(put(message), context);
    for (let refusal = 0; refusal < 3; refusal++) engine.onMessage(answer(message, a, Status.REJECTED, 'queue-full'), context);
    engine.onMessage(report(a, ServerState.RUNNING), context);
    engine.onMessage(answer(message, a), context);
    expect(context.sent.filter((sent) => sent.to === clientActor)).toEqual([{ to: clientActor, message: answer(message, a) }]);
  });

  it('releases no waiting message on a load report from a server that is not one of its consumers', () => {
    const { engine, context } = messagingEngine();
    const message = jms(1);
    engine.onMessage(put(message), context);
    for (let refusal = 0; refusal < 3; refusal++) engine.onMessage(answer(message, a, Status.REJECTED, 'queue-full'), context);
    context.clear();
    engine.onMessage(report(stranger, ServerState.RUNNING), context);
    engine.onMessage(report(-1, ServerState.RUNNING), context);
    expect(context.sent).toEqual([]);
    engine.onMessage(report(a, ServerState.RUNNING), context);
    expect(context.sent).toEqual([delivered(a, 1, 4)]);
  });

  it('ignores an answer to a message it is not waiting for, and a second answer to the same message', () => {
    const { engine, context } = messagingEngine();
    const message = jms(1);
    engine.onMessage(answer(jms(9), a), context);
    expect(context.sent).toEqual([]);
    expect(context.records).toEqual([]);
    engine.onMessage(put(message), context);
    engine.onMessage(answer(message, a), context);
    context.clear();
    engine.onMessage(answer(message, a), context);
    engine.onMessage(answer(message, a, Status.DROPPED, 'server-stopped'), context);
    expect(context.sent).toEqual([]);
    expect(context.records).toEqual([]);
  });

  it('draws its choice of consumer from the balance stream, for new and waiting messages alike', () => {
    class StreamLog extends FakeContext {
      readonly drawnFrom: string[] = [];
      override rng(name: string): () => number {
        this.drawnFrom.push(name);
        return super.rng(name);
      }
    }
    const engine = new MessagingEngine({ name: 'messaging/me1', destinations: [orders], consumers: [{ actor: a, threads: 10, state: ServerState.RUNNING }], maxDepth: 10 });
    const context = new StreamLog(engineActor);
    engine.onMessage(put(jms(1)), context);
    expect(context.drawnFrom).toEqual(['balance']);
    context.drawnFrom.length = 0;
    engine.onMessage(report(a, ServerState.STOPPED), context);
    engine.onMessage(put(jms(2)), context);
    engine.onMessage(report(a, ServerState.RUNNING), context);
    expect(context.drawnFrom.length).toBeGreaterThan(0);
    expect(new Set(context.drawnFrom)).toEqual(new Set(['balance']));
    expect(consumersOf(context)).toEqual([a, a]);
  });

  it('fails loudly on a message it does not expect', () => {
    const { engine, context } = messagingEngine();
    expect(() => engine.onMessage({ $case: 'timer', value: { tag: 'redeliver', ref: 1 } }, context)).toThrow('messaging/me1 cannot handle a timer message');
  });
});
