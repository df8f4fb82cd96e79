import { Protocol, RequestKind, type Message, type Request } from '../../nodes/messages.js';

/** The client actor of the requests tests build. */
export const clientActor = 90;

/** A new HTTP session's first request, with `fields` changed. */
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
