import { describe, expect, it } from 'vitest';
import { ServerState, Status } from '../../gen/clustersim/v1/cluster.js';
import { answerGraceFor, answerGraceUs, ConservationChecker } from '../../sim/checkers/conservation.js';
import { accepted, check, client, requestEnded, router, rulesBroken, s1, s2, sessionEnded, sessionStarted, state, type Entry } from './stream.js';

const run = (entries: Entry[], endUs?: number) => check(new ConservationChecker(), entries, endUs);

describe('conservation', () => {
  it('holds for sessions that start once, are served and end once', () => {
    const result = run([
      [10, client, sessionStarted(1)],
      [20, s1, accepted(s1, { request: 11, session: 1 })],
      [30, client, requestEnded(11)],
      [40, client, sessionEnded(1)],
      [50, client, sessionStarted(2)],
      [60, client, requestEnded(21, Status.REJECTED, 'no-eligible-server')],
      [60, client, sessionEnded(2, 'rejected', 'no-eligible-server')],
    ]);
    expect(result.violationCount).toBe(0);
    expect(result.notes).toEqual({ 'requests-in-flight-at-end': 0, 'sessions-open-at-end': 0 });
  });

  it('counts what is still open at the end without calling it lost', () => {
    const result = run([
      [10, client, sessionStarted(1)],
      [20, s1, accepted(s1, { request: 11, session: 1 })],
    ]);
    expect(result.violationCount).toBe(0);
    expect(result.notes).toEqual({ 'requests-in-flight-at-end': 1, 'sessions-open-at-end': 1 });
  });

  it('reports a session that ends twice', () => {
    const result = run([
      [10, client, sessionStarted(1)],
      [40, client, sessionEnded(1)],
      [50, client, sessionEnded(1, 'dropped', 'crash')],
    ]);
    expect(result.violations).toEqual([
      { timeUs: 50, rule: 'conservation', actor: 'clients/http', detail: 'session ended (dropped) but was not open: ended twice or never started', session: 1 },
    ]);
  });

  it('reports a session that ends without having started, and one that starts twice', () => {
    expect(rulesBroken(run([[40, client, sessionEnded(7)]]))).toEqual(['conservation']);
    expect(rulesBroken(run([[10, client, sessionStarted(7)], [20, client, sessionStarted(7)]]))).toEqual(['conservation']);
  });

  it('reports a request completed without any server accepting it', () => {
    const result = run([[30, client, requestEnded(11)]]);
    expect(result.violations[0]).toMatchObject({ rule: 'conservation', request: 11, timeUs: 30 });
  });

  it('reports a request that completes twice', () => {
    const result = run([
      [20, s1, accepted(s1, { request: 11, session: 1 })],
      [30, client, requestEnded(11)],
      [31, client, requestEnded(11)],
    ]);
    expect(result.violationCount).toBe(1);
  });

  it('reports a session that ends while a request it sent is still unanswered', () => {
    const result = run([
      [10, client, sessionStarted(1)],
      [20, s1, accepted(s1, { request: 11, session: 1 })],
      [40, client, sessionEnded(1)],
    ]);
    expect(result.violations).toEqual([
      expect.objectContaining({ rule: 'conservation', actor: 'node1/shop-1', session: 1, request: 11, timeUs: 40 }),
    ]);
  });

  it('reports a request that was never answered after its server went down, but not one still on its way', () => {
    const lost: Entry[] = [
      [10, client, sessionStarted(1)],
      [20, s1, accepted(s1, { request: 11, session: 1 })],
      [1_000, 0, state(s1, ServerState.FAILED)],
    ];
    expect(run(lost, 1_000 + answerGraceUs).violations).toEqual([expect.objectContaining({ rule: 'conservation', request: 11, actor: 'node1/shop-1' })]);
    expect(run(lost, 1_000 + answerGraceUs - 1).violationCount).toBe(0);
    // Clients that wait 30 s for an answer, and retry once, may still be waiting 60 s after the crash.
    const patient = (endUs: number) => check(new ConservationChecker(answerGraceFor(30_000_000)), lost, endUs);
    expect(answerGraceFor(30_000_000)).toBe(70_000_000);
    expect(answerGraceFor(undefined)).toBe(answerGraceUs);
    expect(patient(1_000 + 70_000_000 - 1).violationCount).toBe(0);
    expect(patient(1_000 + 70_000_000).violationCount).toBe(1);
    const acceptedAfterRestart: Entry[] = [
      [1_000, 0, state(s1, ServerState.FAILED)],
      [2_000, 0, state(s1, ServerState.RUNNING)],
      [3_000, s1, accepted(s1, { request: 11, session: 1 })],
    ];
    expect(run(acceptedAfterRestart, 100 * answerGraceUs).violationCount).toBe(0);
  });

  it('a session started twice is charged to the actor that started it again', () => {
    expect(run([[10, client, sessionStarted(7)], [20, router, sessionStarted(7)]]).violations).toEqual([
      { timeUs: 20, rule: 'conservation', actor: 'odr1', detail: 'session started twice', session: 7 },
    ]);
  });

  it('a session may start again once it has ended', () => {
    expect(run([[10, client, sessionStarted(7)], [20, client, sessionEnded(7)], [30, client, sessionStarted(7)], [40, client, sessionEnded(7)]]).violationCount).toBe(0);
  });

  it('a request completed OK that no server took in is charged to the actor that completed it', () => {
    expect(run([[30, router, requestEnded(11)]]).violations).toEqual([
      { timeUs: 30, rule: 'conservation', actor: 'odr1', detail: 'request completed OK but no server had accepted it (or it ended twice)', request: 11 },
    ]);
  });

  it('a request answered with an error after a server took it in is answered', () => {
    const result = run([[20, s1, accepted(s1, { request: 11, session: 1 })], [30, client, requestEnded(11, Status.REJECTED, 'server-unavailable')]]);
    expect(result.violationCount).toBe(0);
    expect(result.notes['requests-in-flight-at-end']).toBe(0);
  });

  it('a session ending reports each of its own unanswered requests, in request order, and only those', () => {
    const result = run([
      [10, client, sessionStarted(1)],
      [11, client, sessionStarted(2)],
      [20, s2, accepted(s2, { request: 100, session: 1 })],
      [21, s1, accepted(s1, { request: 200, session: 1 })],
      [22, s1, accepted(s1, { request: 150, session: 2 })],
      [40, client, sessionEnded(1, 'dropped', 'crash')],
    ]);
    expect(result.violations).toEqual([
      { timeUs: 40, rule: 'conservation', actor: 'node1/shop-2', detail: 'session ended (dropped) while its request accepted at 20us was never answered', session: 1, request: 100 },
      { timeUs: 40, rule: 'conservation', actor: 'node1/shop-1', detail: 'session ended (dropped) while its request accepted at 21us was never answered', session: 1, request: 200 },
    ]);
    expect(result.notes).toEqual({ 'requests-in-flight-at-end': 1, 'sessions-open-at-end': 1 });
  });

  it('a request taken in again by another server is known by its latest acceptance', () => {
    const result = run([
      [10, client, sessionStarted(1)],
      [20, s1, accepted(s1, { request: 11, session: 1 })],
      [30, s2, accepted(s2, { request: 11, session: 1 })],
      [40, client, sessionEnded(1)],
    ]);
    expect(result.violations).toEqual([expect.objectContaining({ actor: 'node1/shop-2', request: 11, detail: 'session ended (completed) while its request accepted at 30us was never answered' })]);
  });

  it('a request lost with its server names when it was accepted and when the server went down', () => {
    const endUs = 1_000 + answerGraceUs;
    const result = run(
      [
        [10, client, sessionStarted(1)],
        [20, s1, accepted(s1, { request: 11, session: 1 })],
        [30, s1, accepted(s1, { request: 40, session: 0 })],
        [1_000, 0, state(s1, ServerState.STOPPED)],
      ],
      endUs,
    );
    expect(result.violations).toStrictEqual([
      { timeUs: endUs, rule: 'conservation', actor: 'node1/shop-1', detail: 'request accepted at 20us was never answered: lost when the server went down at 1000us', session: 1, request: 11 },
      { timeUs: endUs, rule: 'conservation', actor: 'node1/shop-1', detail: 'request accepted at 30us was never answered: lost when the server went down at 1000us', request: 40 },
    ]);
  });

  it('a JMS message its stopped consumer dropped is back with the messaging engine: waiting on its destination at the end, it is not lost', () => {
    const endUs = 1_000 + answerGraceUs;
    const entries: Entry[] = [
      [10, client, sessionStarted(7)],
      [20, s1, accepted(s1, { request: 7, session: 7 })],
      [1_000, 0, state(s1, ServerState.STOPPED)],
    ];
    expect(run([...entries, [1_001, router, { type: 'message-back', engine: router, request: 7, cause: 'server-stopped' }]], endUs).violations).toEqual([]);
    expect(rulesBroken(run(entries, endUs))).toEqual(['conservation']);
  });

  it('requests lost with their servers are reported by time of acceptance, then request', () => {
    const result = run(
      [
        [10, s2, accepted(s2, { request: 30, session: 3 })],
        [20, s1, accepted(s1, { request: 200, session: 2 })],
        [20, s2, accepted(s2, { request: 100, session: 1 })],
        [1_000, 0, state(s1, ServerState.FAILED)],
        [1_000, 0, state(s2, ServerState.FAILED)],
      ],
      1_000 + answerGraceUs,
    );
    expect(result.violations.map((violation) => violation.request)).toEqual([30, 100, 200]);
  });

  it('a request accepted at the very moment its server went down is lost with it', () => {
    const result = run([[1_000, s1, accepted(s1, { request: 11, session: 1 })], [1_000, 0, state(s1, ServerState.FAILED)]], 1_000 + answerGraceUs);
    expect(result.violations).toEqual([expect.objectContaining({ rule: 'conservation', request: 11, session: 1 })]);
  });

  it('a request answered before its server went down is not lost', () => {
    const result = run([[20, s1, accepted(s1, { request: 11, session: 1 })], [30, client, requestEnded(11)], [1_000, 0, state(s1, ServerState.FAILED)]], 1_000 + answerGraceUs);
    expect(result.violationCount).toBe(0);
  });

  it('a request lost when its server went down stays lost though the server went down again just before the end', () => {
    const endUs = 100 * answerGraceUs;
    const result = run([
      [20, s1, accepted(s1, { request: 11, session: 1 })],
      [1_000, 0, state(s1, ServerState.FAILED)],
      [2_000, 0, state(s1, ServerState.RUNNING)],
      [endUs - 1_000, 0, state(s1, ServerState.FAILED)],
    ], endUs);
    expect(result.violations).toEqual([expect.objectContaining({ rule: 'conservation', actor: 'node1/shop-1', request: 11 })]);
  });
});
