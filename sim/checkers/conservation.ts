import { Status } from '../../gen/clustersim/v1/cluster.js';
import { IntTable } from '../kernel/int-table.js';
import type { Checker, CheckContext, CheckerHandlers } from './checker.js';
import { RequestsInFlight } from './requests-in-flight.js';

/** Time a response may still be on its way when the run ends: a request lost earlier than that disappeared. */
export const answerGraceUs = 10_000_000;

/**
 * The grace for a run whose clients give up on a request after `requestTimeoutUs` and retry it
 * once: a request lost in a crash ends, at the latest, two timeouts after it was sent.
 */
export function answerGraceFor(requestTimeoutUs: number | undefined): number {
  return Math.max(answerGraceUs, requestTimeoutUs === undefined ? 0 : 2 * requestTimeoutUs + answerGraceUs);
}

/**
 * Conservation: every session starts once and ends once with one outcome, every request a
 * server accepted is answered, nothing completes that no server took in. What is still open
 * when the run ends is counted, not lost; a request still unanswered long after the server
 * that held it went down has disappeared.
 */
export class ConservationChecker implements Checker {
  readonly rules = ['conservation'];

  constructor(private readonly graceUs = answerGraceUs) {}

  /**
   * The open sessions (the value is unused). Touched when a session starts and ends only: what a
   * session has in flight is counted in `inFlight`, whose tables stay as small (and warm) as the
   * requests in flight.
   */
  private readonly openSessions = new IntTable();
  private readonly inFlight = new RequestsInFlight();

  readonly handlers: CheckerHandlers = {
    'session-started': (timeUs, actor, record, context) => {
      if (this.openSessions.has(record.session)) {
        context.report({ timeUs, rule: 'conservation', actor: context.actorName(actor), detail: 'session started twice', session: record.session });
      } else this.openSessions.set(record.session, 0);
    },
    'session-ended': (timeUs, actor, record, context) => this.endSession(timeUs, actor, record.session, record.outcome, context),
    accepted: (timeUs, _actor, record) => this.inFlight.accept(record.request, record.session, record.server, timeUs),
    // The consumer's drop answered it: the engine holds the message again, to deliver it again.
    'message-back': (_timeUs, _actor, record) => void this.inFlight.remove(record.request),
    'request-ended': (timeUs, actor, record, context) => {
      if (this.inFlight.remove(record.request) || record.status !== Status.OK) return;
      context.report({
        timeUs,
        rule: 'conservation',
        actor: context.actorName(actor),
        detail: 'request completed OK but no server had accepted it (or it ended twice)',
        request: record.request,
      });
    },
  };

  private endSession(timeUs: number, actor: number, session: number, outcome: string, context: CheckContext): void {
    if (!this.openSessions.has(session)) {
      context.report({ timeUs, rule: 'conservation', actor: context.actorName(actor), detail: `session ended (${outcome}) but was not open: ended twice or never started`, session });
      return;
    }
    this.openSessions.delete(session);
    if (this.inFlight.inFlightOf(session) === 0) return;
    const unanswered = this.inFlight.entries().filter((inFlight) => inFlight.session === session);
    for (const { request, server, acceptedAtUs } of unanswered.sort((a, b) => a.request - b.request)) {
      this.inFlight.remove(request);
      context.report({
        timeUs,
        rule: 'conservation',
        actor: context.actorName(server),
        detail: `session ended (${outcome}) while its request accepted at ${acceptedAtUs}us was never answered`,
        session,
        request,
      });
    }
  }

  finish(endUs: number, context: CheckContext): void {
    context.note('sessions-open-at-end', this.openSessions.size);
    context.note('requests-in-flight-at-end', this.inFlight.size);
    // Lost: its server went down after taking it in, long enough before the end for an answer to have come.
    const lost = this.inFlight.entries().flatMap((inFlight) => {
      const downUs = context.truth.firstDownBetween(inFlight.server, inFlight.acceptedAtUs, endUs - this.graceUs);
      return downUs < 0 ? [] : [{ ...inFlight, downUs }];
    });
    for (const inFlight of lost.sort((a, b) => a.acceptedAtUs - b.acceptedAtUs || a.request - b.request)) {
      context.report({
        timeUs: endUs,
        rule: 'conservation',
        actor: context.actorName(inFlight.server),
        detail: `request accepted at ${inFlight.acceptedAtUs}us was never answered: lost when the server went down at ${inFlight.downUs}us`,
        ...(inFlight.session === 0 ? {} : { session: inFlight.session }),
        request: inFlight.request,
      });
    }
  }
}
