import { Status, type Response } from '../messages.js';
import type { AnswerFailure } from './profile.js';

/** Answers of a backend that say the balancer moved a session, not that the backend is sick. */
const sessionCauses: ReadonlySet<string> = new Set(['affinity-broken', 'session-lost']);

/** Answers of a server process that stopped or crashed while it held the request: its connection closed. */
const resetCauses: ReadonlySet<string> = new Set(['server-stopped', 'crash']);

/** How a backend's answer failed: a stopped or crashed server process refuses the connection, or closes it mid-request. */
export function failureOf(response: Response): AnswerFailure {
  if (response.status === Status.REJECTED && response.cause === 'server-unavailable') return 'connection';
  if (response.status === Status.DROPPED && resetCauses.has(response.cause)) return 'reset';
  if (response.status === Status.REJECTED || (response.status === Status.DROPPED && !sessionCauses.has(response.cause))) return 'status';
  return undefined;
}
