import { describe, expect, it } from 'vitest';
import { MaintenanceMode, Protocol, RequestKind, ServerState } from '../../nodes/messages.js';
import { affinityBreaks, maintenanceRefusal } from '../../nodes/server/maintenance-rules.js';
import { request } from '../helpers/requests.js';

const server = 10;
const { RUNNING, MAINTENANCE, STOPPED, FAILED, STARTING, DRAINING } = ServerState;
const { UNSPECIFIED, AFFINITY, BREAK } = MaintenanceMode;
const { HTTP, SIP, EJB, JMS } = Protocol;
const { OPEN, IN_SESSION, CLOSE, MESSAGE } = RequestKind;

describe('maintenance rules, as a table', () => {
  it.each([
    // state, mode, protocol, kind, affinity here, maintenance-only, refusal
    [RUNNING, UNSPECIFIED, HTTP, OPEN, false, false, undefined],
    [RUNNING, UNSPECIFIED, HTTP, OPEN, false, true, 'not-in-maintenance'],
    [STOPPED, UNSPECIFIED, HTTP, IN_SESSION, true, false, 'server-unavailable'],
    [FAILED, UNSPECIFIED, EJB, IN_SESSION, true, false, 'server-unavailable'],
    [STARTING, UNSPECIFIED, JMS, MESSAGE, false, false, 'server-unavailable'],
    [DRAINING, UNSPECIFIED, HTTP, OPEN, false, true, 'draining'],
    [DRAINING, UNSPECIFIED, HTTP, IN_SESSION, true, false, undefined],
    [DRAINING, UNSPECIFIED, HTTP, IN_SESSION, false, false, 'draining'],
    [DRAINING, UNSPECIFIED, JMS, MESSAGE, false, false, 'draining'],
    // Draining takes no new session and no message, even from a client that names this server.
    [DRAINING, UNSPECIFIED, HTTP, OPEN, true, false, 'draining'],
    [DRAINING, UNSPECIFIED, JMS, MESSAGE, true, false, 'draining'],
    [MAINTENANCE, AFFINITY, HTTP, OPEN, false, false, 'maintenance'],
    // A new session is new even when the client still carries a cookie for this server.
    [MAINTENANCE, AFFINITY, HTTP, OPEN, true, false, 'maintenance'],
    [MAINTENANCE, AFFINITY, SIP, OPEN, true, false, 'maintenance'],
    [MAINTENANCE, AFFINITY, EJB, OPEN, false, false, 'maintenance'],
    [MAINTENANCE, AFFINITY, HTTP, IN_SESSION, true, false, undefined],
    [MAINTENANCE, AFFINITY, SIP, CLOSE, true, false, undefined],
    [MAINTENANCE, AFFINITY, HTTP, IN_SESSION, false, false, 'maintenance'],
    [MAINTENANCE, BREAK, HTTP, IN_SESSION, true, false, 'affinity-broken'],
    [MAINTENANCE, BREAK, SIP, IN_SESSION, true, false, 'affinity-broken'],
    [MAINTENANCE, BREAK, EJB, IN_SESSION, true, false, undefined],
    [MAINTENANCE, BREAK, JMS, MESSAGE, false, false, undefined],
    [MAINTENANCE, BREAK, HTTP, OPEN, false, true, undefined],
    [MAINTENANCE, AFFINITY, HTTP, IN_SESSION, false, true, undefined],
  ] as const)('%i/%i %i kind %i (affinity here: %s, maintenance-only: %s) → %s', (state, mode, protocol, kind, affinityHere, maintenanceOnly, refusal) => {
    const asked = request({ protocol, kind, maintenanceOnly, affinityServer: affinityHere ? server : kind === OPEN ? undefined : 99 });
    expect(maintenanceRefusal(state, mode, asked, server)).toBe(refusal);
  });

  it('affinity breaks for HTTP sessions and SIP dialogs, never for EJB or JMS', () => {
    expect([HTTP, SIP, EJB, JMS].map(affinityBreaks)).toEqual([true, true, false, false]);
  });
});
