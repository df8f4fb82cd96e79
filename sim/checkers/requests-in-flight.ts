import { IntTable } from '../kernel/int-table.js';

const initialSlots = 64;

/** A request in flight, as the rare paths that report on it see it. */
export interface InFlightRequest {
  request: number;
  session: number;
  server: number;
  acceptedAtUs: number;
}

/**
 * The requests servers accepted that have not ended, by request id: session, server and time of
 * acceptance in typed-array columns, at a slot the id maps to; and how many each session has.
 * Taking a request in and out allocates nothing (an object per request would, and would outlive
 * a collection or two), and freed slots are handed out again first, so the few rows in use stay
 * warm in the cache.
 */
export class RequestsInFlight {
  private readonly slotOfRequest = new IntTable();
  /** How many requests each session has in flight, for the sessions with any: a table as small as the requests in flight. */
  private readonly countOfSession = new IntTable();
  private sessions = new Float64Array(initialSlots);
  private servers = new Int32Array(initialSlots);
  private acceptedAtUs = new Float64Array(initialSlots);
  /** Slots given back, used as a stack. */
  private freeSlots = new Int32Array(initialSlots);
  private freeCount = 0;
  /** Slots handed out so far: the ones below are in use or free. */
  private slotsUsed = 0;

  get size(): number {
    return this.slotOfRequest.size;
  }

  /** Takes a request in; one taken in again is known by its latest acceptance. */
  accept(request: number, session: number, server: number, acceptedAtUs: number): void {
    let slot = this.slotOfRequest.get(request);
    if (slot === undefined) {
      slot = this.freeCount > 0 ? this.freeSlots[--this.freeCount]! : this.newSlot();
      this.slotOfRequest.set(request, slot);
    } else this.uncount(this.sessions[slot]!);
    this.count(session);
    this.sessions[slot] = session;
    this.servers[slot] = server;
    this.acceptedAtUs[slot] = acceptedAtUs;
  }

  /** Requests of `session` in flight. */
  inFlightOf(session: number): number {
    return this.countOfSession.get(session) ?? 0;
  }

  /** Forgets a request; false if it was not in flight. */
  remove(request: number): boolean {
    const slot = this.slotOfRequest.get(request);
    if (slot === undefined) return false;
    this.slotOfRequest.delete(request);
    this.uncount(this.sessions[slot]!);
    this.freeSlots[this.freeCount++] = slot;
    return true;
  }

  private count(session: number): void {
    if (session !== 0) this.countOfSession.set(session, this.inFlightOf(session) + 1);
  }

  private uncount(session: number): void {
    if (session === 0) return;
    const left = this.inFlightOf(session) - 1;
    if (left > 0) this.countOfSession.set(session, left);
    else this.countOfSession.delete(session);
  }

  /** The requests in flight, in table order (deterministic but arbitrary: sort before acting on them in turn). */
  entries(): InFlightRequest[] {
    return this.slotOfRequest.entryList().map(([request, slot]) => ({ request, session: this.sessions[slot]!, server: this.servers[slot]!, acceptedAtUs: this.acceptedAtUs[slot]! }));
  }

  private newSlot(): number {
    if (this.slotsUsed === this.sessions.length) {
      const capacity = this.sessions.length * 2;
      this.sessions = grown(this.sessions, new Float64Array(capacity));
      this.servers = grown(this.servers, new Int32Array(capacity));
      this.acceptedAtUs = grown(this.acceptedAtUs, new Float64Array(capacity));
      // A new slot is needed only when none is free: the stack is empty.
      this.freeSlots = new Int32Array(capacity);
    }
    return this.slotsUsed++;
  }
}

function grown<Column extends Float64Array | Int32Array>(column: Column, larger: Column): Column {
  larger.set(column);
  return larger;
}
