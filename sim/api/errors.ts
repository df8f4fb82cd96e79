import type { Summary } from '../../reports/summary.js';
import type { ExceededLimit } from '../run/limits.js';
import type { RunStop } from '../run/run.js';

/**
 * A run that ended before its scenario's duration: a limit of its `limits:` section, its routing
 * policy failing, or its signal aborting. The summary covers the run so far (marked incomplete).
 */
export class RunStoppedError extends Error {
  constructor(
    readonly stop: RunStop,
    readonly summary: Summary,
  ) {
    super(`${summary.scenario.name} stopped at virtual time ${stop.atUs} us (${stop.cause}): ${stop.reason}`);
  }
}

/** A run that exceeded a bound of its scenario's `limits:` section (events, open sessions, memory of the checkers). */
export class LimitError extends RunStoppedError {
  constructor(
    stop: RunStop,
    summary: Summary,
    /** The bound exceeded, e.g. `maxEvents`. */
    readonly limit: ExceededLimit['limit'],
  ) {
    super(stop, summary);
  }
}
