import { MaintenanceMode, Protocol, RequestKind, ServerState, type Request } from '../messages.js';

/**
 * The rules of maintenance mode, in one place: whether a server in `state` and `mode` may take
 * `request`. The server applies them to itself (authoritative); routers and the messaging
 * engine apply them to their possibly stale view, so that they rarely send a request that will
 * be refused. Returns the cause of a refusal, or undefined when the server may take it.
 *
 * - No new HTTP or SIP traffic (nor new EJB clients) reaches a server in maintenance.
 * - Keep-affinity mode: requests of sessions held there (HTTP sessions, SIP dialogs) still do.
 * - Break and stop modes: HTTP and SIP affinity is broken; the session fails over elsewhere.
 * - EJB affinity is never broken; JMS is still routed to servers in maintenance.
 * - permitMM / permitstickyMM traffic (maintenanceOnly) reaches only servers in maintenance.
 */
export function maintenanceRefusal(state: ServerState, mode: MaintenanceMode, request: Request, server: number): string | undefined {
  if (state === ServerState.DRAINING) return request.kind === RequestKind.OPEN || request.kind === RequestKind.MESSAGE || request.affinityServer !== server ? 'draining' : undefined;
  if (state !== ServerState.RUNNING && state !== ServerState.MAINTENANCE) return 'server-unavailable';
  const inMaintenance = state === ServerState.MAINTENANCE;
  if (request.maintenanceOnly) return inMaintenance ? undefined : 'not-in-maintenance';
  if (!inMaintenance) return undefined;
  if (request.protocol === Protocol.JMS) return undefined;
  if (request.kind === RequestKind.OPEN || request.affinityServer !== server) return 'maintenance';
  if (request.protocol === Protocol.EJB) return undefined;
  return mode === MaintenanceMode.AFFINITY ? undefined : 'affinity-broken';
}

/** HTTP sessions and SIP dialogs are lost from a server whose affinity is broken; EJB conversations stay. */
export function affinityBreaks(protocol: Protocol): boolean {
  return protocol === Protocol.HTTP || protocol === Protocol.SIP;
}
