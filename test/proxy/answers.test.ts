import { describe, expect, it } from 'vitest';
import { Status, type Response } from '../../nodes/messages.js';
import { failureOf } from '../../nodes/proxy/answers.js';

const answer = (status: Status, cause = ''): Response => ({
  requestId: 1,
  protocol: 1,
  kind: 1,
  sessionId: 1,
  status,
  cause,
  server: 10,
  client: 2,
  sentAtUs: 0,
  attempts: 1,
  redirects: 0,
  workClass: '',
  retryable: false,
  redirectAddress: '',
  othersInFlight: 0,
});

describe('how a backend’s answer failed, as the balancer sees it', () => {
  it.each([
    [Status.OK, '', undefined],
    [Status.REJECTED, 'server-unavailable', 'connection'], // a stopped process refuses the connection
    [Status.DROPPED, 'server-unavailable', 'status'],
    [Status.DROPPED, 'server-stopped', 'reset'], // stopped or crashed while it held the request
    [Status.DROPPED, 'crash', 'reset'],
    [Status.REJECTED, 'crash', 'status'],
    [Status.REJECTED, 'queue-full', 'status'],
    [Status.DROPPED, 'queue-full', 'status'],
    [Status.DROPPED, 'affinity-broken', undefined], // the balancer moved the session: not the backend's fault
    [Status.DROPPED, 'session-lost', undefined],
    [Status.REDIRECT, 'work-class-redirect', undefined],
  ])('%s %s: %s', (status, cause, failure) => {
    expect(failureOf(answer(status, cause))).toBe(failure);
  });
});
