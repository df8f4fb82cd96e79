import { describe, expect, it } from 'vitest';
import { ServerState, Status } from '../../gen/clustersim/v1/cluster.js';
import { answerGraceUs, ConservationChecker } from '../../sim/checkers/conservation.js';
import { accepted, check, client, requestEnded, rulesBroken, s1, sessionEnded, sessionStarted, state, type Entry } from './stream.js';

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
    const acceptedAfterRestart: Entry[] = [
      [1_000, 0, state(s1, ServerState.FAILED)],
      [2_000, 0, state(s1, ServerState.RUNNING)],
      [3_000, s1, accepted(s1, { request: 11, session: 1 })],
    ];
    expect(run(acceptedAfterRestart, 100 * answerGraceUs).violationCount).toBe(0);
  });
});

