import { Status, responseTo, type BackendAdminAction, type Message, type Request } from '../../nodes/messages.js';
import { LoadBalancer } from '../../nodes/proxy/load-balancer.js';
import type { BalancerProfile } from '../../nodes/proxy/profile.js';
import { FakeContext } from '../helpers/fake-context.js';
import { request } from '../helpers/requests.js';

export const [server1, server2, server3] = [2, 3, 4] as const;

/** A balancer (actor 1) over servers 2, 3 and 4 with sticky sessions, and the context that drives it. */
export function balancer(profile: BalancerProfile, servers: readonly number[] = [server1, server2, server3]): { lb: LoadBalancer; context: FakeContext } {
  const lb = new LoadBalancer({ name: 'lb', backends: servers.map((actor) => ({ actor, name: `s${actor}` })), profile, persistence: true });
  return { lb, context: new FakeContext(1) };
}

/** Sends a request through the balancer; returns the backend it went to and the request as forwarded (undefined: answered by the balancer). */
export function send(lb: LoadBalancer, context: FakeContext, fields: Partial<Request>): { to: number; forwarded: Request } | undefined {
  lb.onMessage({ $case: 'request', value: request(fields) }, context);
  const sent = context.take().find((each) => each.message.$case === 'request');
  if (sent === undefined) return undefined;
  return { to: sent.to, forwarded: (sent.message as Extract<Message, { $case: 'request' }>).value };
}

/** The backend answers `status` to a forwarded request; returns what the balancer sent on. */
export function reply(lb: LoadBalancer, context: FakeContext, sent: { to: number; forwarded: Request }, status = Status.OK, cause = '', retryable = false): { to: number; message: Message }[] {
  lb.onMessage({ $case: 'response', value: responseTo(sent.forwarded, status, cause, sent.to, retryable) }, context);
  return context.take();
}

/** Sends `fields` through the balancer and answers OK from the backend it chose; returns that backend. */
export function serve(lb: LoadBalancer, context: FakeContext, fields: Partial<Request>): number {
  const sent = send(lb, context, fields)!;
  reply(lb, context, sent);
  return sent.to;
}

export function admin(lb: LoadBalancer, context: FakeContext, backend: number, action: BackendAdminAction): void {
  lb.onMessage({ $case: 'loadBalancer', value: { backend, action, reason: 'test' } }, context);
}
