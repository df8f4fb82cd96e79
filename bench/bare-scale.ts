import seedrandom from 'seedrandom';
import { exponential, lognormal } from '../sim/kernel/distributions.js';
import { homeSlot } from '../sim/kernel/int-map.js';
import { EventQueue } from '../sim/kernel/event-queue.js';
import { TimingWheel } from '../sim/kernel/timing-wheel.js';

/**
 * The limit of the scale benchmark: the load of bench/scenarios/scale.yaml (HTTP sessions of 20
 * requests 30 s apart, 1,700 new ones a second, 10,000 servers of 50 threads, 100 ODRs)
 * hand-written as one data-oriented loop. The same hops per request as clustersim (client →
 * ODR → server, service, server → ODR → client, think time), the state every request must
 * touch (its session, the ODR's count of requests outstanding per server, the server's threads
 * and the sessions it holds) in typed arrays by dense slot, and nothing else: no messages,
 * no records, no checkers, no reports, no load reports, no maintenance. It shows what the
 * architecture (actors, message and record objects, checkers) costs at this size.
 */
export interface BareScaleOptions {
  virtualUs: number;
  servers: number;
  routers: number;
  seed: number;
}

const enum Hop {
  arrival,
  wake,
  requestAtRouter,
  requestAtServer,
  serviceDone,
  responseAtRouter,
  responseAtClient,
}

const threads = 50;
const requestsPerSession = 20;
const newSessionsPerSecond = 1700;
const none = -1;
/** Server numbers are packed under session numbers in the held-sessions keys. */
const serverBits = 16384;

export function bareScale(options: BareScaleOptions): { events: number; requests: number; sessionsStarted: number; openAtEnd: number; meanLatencyUs: number } {
  const { servers, routers } = options;
  const random = seedrandom.alea(`bare-scale/${options.seed}`);
  const arrivalGap = exponential(1_000_000 / newSessionsPerSecond);
  const thinkTime = exponential(30_000_000);
  const service = lognormal(10_000, 100_000);
  const latency = lognormal(300, 2_000);
  const hop = () => Math.max(1, latency.sample(random));

  // Events: the hop as the origin, the session's slot as the target, the request's server as the payload.
  const events = new EventQueue<number>(4096);
  let sequence = 0;
  const schedule = (atUs: number, kind: Hop, session: number, server: number) => events.push(atUs, kind, sequence++, session, server);
  const thinking = new TimingWheel<number>();
  let thinkOrder = 0;
  /** Wake-up events scheduled and not yet handled, latest first. */
  const wakeTimersUs: number[] = [];
  const earliestWakeUs = () => (wakeTimersUs.length === 0 ? Infinity : wakeTimersUs[wakeTimersUs.length - 1]!);

  // Sessions by slot: the server that holds each, its ODR, its requests left, when its request left.
  let capacity = 1 << 16;
  let sessionServer = new Int32Array(capacity);
  let sessionRouter = new Int32Array(capacity);
  let sessionLeft = new Int32Array(capacity);
  let sessionSentUs = new Float64Array(capacity);
  let ids = new Int32Array(capacity);
  const freeSlots: number[] = [];
  let slotCount = 0;
  const newSlot = (): number => {
    if (freeSlots.length > 0) return freeSlots.pop()!;
    if (slotCount === capacity) {
      capacity *= 2;
      const grow = <T extends Int32Array | Float64Array>(from: T, to: T): T => (to.set(from), to);
      sessionServer = grow(sessionServer, new Int32Array(capacity));
      sessionRouter = grow(sessionRouter, new Int32Array(capacity));
      sessionLeft = grow(sessionLeft, new Int32Array(capacity));
      sessionSentUs = grow(sessionSentUs, new Float64Array(capacity));
      ids = grow(ids, new Int32Array(capacity));
    }
    return slotCount++;
  };

  // Each ODR's requests outstanding per server; each server's busy threads and FIFO of waiting requests.
  const outstanding = new Int32Array(routers * servers);
  const busy = new Int32Array(servers);
  const queueHead = new Int32Array(servers).fill(none);
  const queueTail = new Int32Array(servers).fill(none);
  const queueNext: number[] = [];

  // The sessions servers hold: one open-addressing table keyed by (session, server).
  let heldKeys = new Float64Array(1 << 21).fill(none);
  let heldMask = heldKeys.length - 1;
  let heldShift = 32 - Math.log2(heldKeys.length);
  let heldCount = 0;
  const heldFind = (key: number): number => {
    let slot = homeSlot(key, heldShift);
    while (heldKeys[slot] !== key && heldKeys[slot] !== none) slot = (slot + 1) & heldMask;
    return slot;
  };
  const holdSession = (key: number): void => {
    const slot = heldFind(key);
    if (heldKeys[slot] === key) return;
    heldKeys[slot] = key;
    if (++heldCount * 2 > heldKeys.length) {
      const old = heldKeys;
      heldKeys = new Float64Array(old.length * 2).fill(none);
      heldMask = heldKeys.length - 1;
      heldShift--;
      for (const held of old) if (held !== none) heldKeys[heldFind(held)] = held;
    }
  };
  const releaseSession = (key: number): void => {
    let hole = heldFind(key);
    if (heldKeys[hole] !== key) return;
    for (let next = (hole + 1) & heldMask; heldKeys[next] !== none; next = (next + 1) & heldMask) {
      if (((next - homeSlot(heldKeys[next]!, heldShift)) & heldMask) >= ((next - hole) & heldMask)) {
        heldKeys[hole] = heldKeys[next]!;
        hole = next;
      }
    }
    heldKeys[hole] = none;
    heldCount--;
  };

  let processed = 0;
  let requests = 0;
  let sessionsStarted = 0;
  let open = 0;
  let sessionNumber = 0;
  let latencySumUs = 0;

  const send = (session: number, nowUs: number): void => {
    sessionSentUs[session] = nowUs;
    schedule(nowUs + hop(), Hop.requestAtRouter, session, sessionServer[session]!);
  };
  const armWake = (): void => {
    const nextUs = thinking.peekTimeUs();
    if (nextUs >= earliestWakeUs()) return;
    wakeTimersUs.push(nextUs);
    schedule(nextUs, Hop.wake, none, none);
  };
  const startService = (session: number, server: number, nowUs: number): void => {
    busy[server]!++;
    schedule(nowUs + service.sample(random), Hop.serviceDone, session, server);
  };

  schedule(0, Hop.arrival, none, none);
  while (events.size > 0 && events.peekTimeUs() < options.virtualUs) {
    const slot = events.pop();
    const nowUs = events.slotTimeUs(slot);
    const kind = events.slotOrigin(slot) as Hop;
    const session = events.slotTarget(slot);
    const server = events.takePayload(slot);
    processed++;
    switch (kind) {
      case Hop.arrival: {
        schedule(nowUs + arrivalGap.sample(random), Hop.arrival, none, none);
        const fresh = newSlot();
        ids[fresh] = ++sessionNumber;
        sessionServer[fresh] = none;
        sessionRouter[fresh] = Math.floor(random() * routers);
        sessionLeft[fresh] = requestsPerSession;
        sessionsStarted++;
        open++;
        send(fresh, nowUs);
        break;
      }
      case Hop.wake:
        if (earliestWakeUs() === nowUs) wakeTimersUs.pop();
        while (thinking.peekTimeUs() <= nowUs) send(thinking.pop(), nowUs);
        armWake();
        break;
      case Hop.requestAtRouter: {
        // Affinity when the session has a server; else the least loaded of four drawn.
        const views = sessionRouter[session]! * servers;
        let target = server;
        if (target === none) {
          let best = Infinity;
          for (let draw = 0; draw < 4; draw++) {
            const candidate = Math.floor(random() * servers);
            if (outstanding[views + candidate]! < best) {
              best = outstanding[views + candidate]!;
              target = candidate;
            }
          }
        }
        outstanding[views + target]!++;
        schedule(nowUs + hop(), Hop.requestAtServer, session, target);
        break;
      }
      case Hop.requestAtServer: {
        const key = ids[session]! * serverBits + server;
        if (sessionServer[session] === none) holdSession(key);
        else if (heldKeys[heldFind(key)] !== key) throw new Error('session lost');
        if (busy[server]! < threads) startService(session, server, nowUs);
        else {
          queueNext[session] = none;
          if (queueTail[server] === none) queueHead[server] = session;
          else queueNext[queueTail[server]!] = session;
          queueTail[server] = session;
        }
        break;
      }
      case Hop.serviceDone: {
        busy[server]!--;
        if (sessionLeft[session] === 1) releaseSession(ids[session]! * serverBits + server);
        schedule(nowUs + hop(), Hop.responseAtRouter, session, server);
        const waiting = queueHead[server]!;
        if (waiting !== none) {
          queueHead[server] = queueNext[waiting]!;
          if (queueHead[server] === none) queueTail[server] = none;
          startService(waiting, server, nowUs);
        }
        break;
      }
      case Hop.responseAtRouter:
        outstanding[sessionRouter[session]! * servers + server]!--;
        schedule(nowUs + hop(), Hop.responseAtClient, session, server);
        break;
      case Hop.responseAtClient:
        requests++;
        latencySumUs += nowUs - sessionSentUs[session]!;
        sessionServer[session] = server;
        if (--sessionLeft[session]! === 0) {
          open--;
          freeSlots.push(session);
        } else {
          thinking.push(nowUs + thinkTime.sample(random), thinkOrder++, session);
          armWake();
        }
        break;
    }
  }
  return { events: processed, requests, sessionsStarted, openAtEnd: open, meanLatencyUs: latencySumUs / requests };
}
