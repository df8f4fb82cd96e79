import { summarize, type Summary } from '../../reports/summary.js';
import { evaluateExpectations } from '../run/expectations.js';
import type { RunResult } from '../run/run.js';

/**
 * One way a run failed: a rule of an invariant checker, an expectation (`expect: LINE`, the
 * scenario's own or `explore.expect`, which the schedule's scenario carries among its own), or a
 * limit that stopped the run (`limit: NAME`).
 */
export interface Failure {
  rule: string;
  /** The actor charged (a server, a controller); empty for an expectation. */
  actor: string;
  detail: string;
  timeUs: number;
}

/**
 * The group a failure belongs to: its rule and the kind of actor it happens on (`node1/app-2`
 * reads `node#/app-#`), so that one wrong behaviour found on several servers is one group, and
 * the same rule broken by a server and by a controller are two.
 */
export function failureKey(failure: Pick<Failure, 'rule' | 'actor'>): string {
  const role = failure.actor.replace(/\d+/g, '#');
  return role === '' ? failure.rule : `${failure.rule} @ ${role}`;
}

/**
 * The oracle: everything `clustersim run` judges a run by. Returns the first failure of each
 * group, in the order they happened (expectations, judged at the end, come last).
 */
export function judge(result: RunResult, summary: Summary = summarize(result)): Failure[] {
  const failures: Failure[] = [];
  const seen = new Set<string>();
  const add = (failure: Failure) => {
    const key = failureKey(failure);
    if (seen.has(key)) return;
    seen.add(key);
    failures.push(failure);
  };
  for (const violation of result.checks.violations) add({ rule: violation.rule, actor: violation.actor, detail: violation.detail, timeUs: violation.timeUs });
  // Rules broken only beyond the violations kept in full.
  for (const [rule, count] of Object.entries(result.checks.violationsByRule)) {
    if (count > 0 && !result.checks.violations.some((violation) => violation.rule === rule)) add({ rule, actor: '', detail: `${count} violations`, timeUs: 0 });
  }
  const endUs = result.stopped?.atUs ?? result.loaded.scenario.duration;
  if (result.stopped !== undefined) add({ rule: `limit: ${result.stopped.limit ?? result.stopped.cause}`, actor: '', detail: result.stopped.reason, timeUs: result.stopped.atUs });
  for (const expectation of evaluateExpectations(result.loaded.scenario.expect, summary)) {
    if (!expectation.passed) add({ rule: `expect: ${expectation.expectation}`, actor: '', detail: expectation.message, timeUs: endUs });
  }
  return failures;
}

/** The protocols that carried sessions in a run: the coverage a schedule's steps met. */
export function protocolsExercised(summary: Summary): string[] {
  return Object.entries(summary.protocols)
    .filter(([, protocol]) => protocol.sessions.started > 0)
    .map(([name]) => name)
    .sort();
}
