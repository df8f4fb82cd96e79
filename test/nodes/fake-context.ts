import { Protocol, RequestKind, type Message, type NodeContext, type Request } from '../../nodes/messages.js';
import type { SimRecord } from '../../sim/metrics/records.js';

/** A context that keeps what an actor did, so a test can drive it message by message. */
export class FakeContext implements NodeContext {
  now = 0;
  sent: { to: number; message: Message }[] = [];
  timers: { atUs: number; message: Message }[] = [];
  records: SimRecord[] = [];

  constructor(readonly self: number) {}

  rng(): () => number {
    return () => 0.5;
  }

  send(to: number, message: Message): void {
    this.sent.push({ to, message });
  }

  setTimer(atUs: number, message: Message): void {
    this.timers.push({ atUs, message });
  }

  record(record: SimRecord): void {
    this.records.push(record);
  }

  /** Forgets what was done so far. */
  clear(): void {
    this.sent = [];
    this.timers = [];
    this.records = [];
  }

  recordsOf<Type extends SimRecord['type']>(type: Type): Extract<SimRecord, { type: Type }>[] {
    return this.records.filter((record): record is Extract<SimRecord, { type: Type }> => record.type === type);
  }
}

export const clientActor = 90;

export function request(fields: Partial<Request> = {}): Request {
  return {
    id: 1,
    protocol: Protocol.HTTP,
    kind: RequestKind.OPEN,
    sessionId: 7,
    uri: '/',
    method: 'GET',
    client: clientActor,
    sentAtUs: 0,
    affinityServer: undefined,
    attempts: 0,
    redirects: 0,
    router: -1,
    workClass: '',
    maintenanceOnly: false,
    destination: '',
    address: '',
    last: false,
    replicated: false,
    triedServers: [],
    ...fields,
  };
}

export function requestMessage(fields: Partial<Request> = {}): Message {
  return { $case: 'request', value: request(fields) };
}
