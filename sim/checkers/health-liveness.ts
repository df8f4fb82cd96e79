import { ServerState, Status } from '../../gen/clustersim/v1/cluster.js';
import { IntTable } from '../kernel/int-table.js';
import { formatDuration } from '../scenario/units.js';
import type { Checker, CheckContext, CheckerHandlers } from './checker.js';

/** A health policy on response time, as its scenario configures it. */
export interface HealthPolicyFacts {
  name: string;
  servers: readonly number[];
  responseTimeAboveUs: number;
  forUs: number;
}

export interface HealthLivenessOptions {
  policies: readonly HealthPolicyFacts[];
  /** The health controller's actor name (its crash and restart are faults). */
  controller: string;
  /** The servers' load report interval: the windows response times are averaged over. */
  windowUs: number;
}

/**
 * How far above its limit a server's mean response time must be for the condition to hold
 * beyond doubt: measured from the records (acceptance to answer), it differs a little from the
 * server's own figure.
 */
export const clearlyAbove = 1.1;
/** Load report windows allowed beyond a policy's `for` period: the first report, the one that acts, and the network. */
const windowsOfSlack = 5;

interface ServerWindow {
  index: number;
  responseSumUs: number;
  completed: number;
}

interface PolicyWatch {
  policy: HealthPolicyFacts;
  server: number;
  /** Start of the windows in a row in which the condition clearly held, or -1. */
  holdingSinceUs: number;
  /** The policy put the server into maintenance (or asked to) and has not taken it out. */
  acted: boolean;
  reported: boolean;
}

/**
 * health-acts: a health policy acts on a server whose condition clearly holds. When a server's
 * mean response time, window by window of the load report interval, stays above a policy's limit
 * (by a tenth, beyond doubt) for the policy's `for` period and a few windows more, while the
 * server is live and out of maintenance and the health controller is up, the policy must have
 * put it into maintenance (or, supervised, asked to). Response times are measured from the
 * records: from a server taking a request in to its answer reaching the client.
 */
export class HealthLivenessChecker implements Checker {
  readonly rules = ['health-acts'];
  readonly handlers: CheckerHandlers;
  private readonly serverOf = new IntTable();
  private readonly acceptedAtUs = new IntTable();
  private readonly windows = new Map<number, ServerWindow>();
  private readonly watchesOf = new Map<number, PolicyWatch[]>();
  private controllerUp = true;
  /** Each watched server's state in its last state record. */
  private readonly lastState = new Map<number, ServerState>();

  constructor(private readonly options: HealthLivenessOptions) {
    for (const policy of options.policies) {
      if (policy.responseTimeAboveUs <= 0) continue;
      for (const server of policy.servers) {
        const watch: PolicyWatch = { policy, server, holdingSinceUs: -1, acted: false, reported: false };
        const list = this.watchesOf.get(server);
        if (list === undefined) this.watchesOf.set(server, [watch]);
        else list.push(watch);
      }
    }
    // With no policy on response time there is nothing to measure: no handler on every request.
    this.handlers = this.watchesOf.size === 0 ? {} : this.watchingHandlers();
  }

  private watchingHandlers(): CheckerHandlers {
    return {
      accepted: (timeUs, _actor, record) => {
        if (!this.watchesOf.has(record.server)) return;
        this.serverOf.set(record.request, record.server);
        this.acceptedAtUs.set(record.request, timeUs);
      },
      'request-ended': (timeUs, _actor, record, context) => {
        const server = this.serverOf.get(record.request);
        if (server === undefined) return;
        const acceptedAtUs = this.acceptedAtUs.get(record.request)!;
        this.serverOf.delete(record.request);
        this.acceptedAtUs.delete(record.request);
        if (record.status !== Status.OK) return;
        const window = this.windowOf(server, timeUs, context);
        window.responseSumUs += timeUs - acceptedAtUs;
        window.completed++;
      },
      'health-action': (_timeUs, _actor, record) => {
        for (const watch of this.watchesOf.get(record.server) ?? []) if (watch.policy.name === record.policy) watch.acted = record.action === 'enter';
      },
      'server-state': (_timeUs, _actor, record) => {
        const watches = this.watchesOf.get(record.server);
        if (watches === undefined) return;
        const previous = this.lastState.get(record.server);
        this.lastState.set(record.server, record.state);
        // Running again (an operator ended the maintenance a policy asked for): the policy owes a new action if it is still slow.
        if (record.state === ServerState.RUNNING && previous !== undefined && previous !== ServerState.RUNNING) for (const watch of watches) watch.acted = false;
      },
      fault: (_timeUs, _actor, record) => {
        if (record.target !== this.options.controller || (record.kind !== 'crash' && record.kind !== 'restart')) return;
        this.controllerUp = record.kind === 'restart';
        // A controller that restarts judges afresh.
        for (const watches of this.watchesOf.values()) for (const watch of watches) watch.holdingSinceUs = -1;
      },
    };
  }

  /** The server's window at `timeUs`, judging the windows it leaves behind. */
  private windowOf(server: number, timeUs: number, context: CheckContext): ServerWindow {
    const index = Math.floor(timeUs / this.options.windowUs);
    let window = this.windows.get(server);
    if (window === undefined) this.windows.set(server, (window = { index, responseSumUs: 0, completed: 0 }));
    else if (window.index !== index) {
      this.judge(server, window, index, context);
      window.index = index;
      window.responseSumUs = 0;
      window.completed = 0;
    }
    return window;
  }

  /** Judges a closed window; windows skipped with nothing answered break a streak. */
  private judge(server: number, window: ServerWindow, nextIndex: number, context: CheckContext): void {
    const windowUs = this.options.windowUs;
    const startUs = window.index * windowUs;
    const endUs = startUs + windowUs;
    const meanUs = window.completed === 0 ? 0 : window.responseSumUs / window.completed;
    const out = !this.controllerUp || context.truth.underMaintenance(server) || !context.truth.isLive(server);
    for (const watch of this.watchesOf.get(server)!) {
      const holds = !out && meanUs > watch.policy.responseTimeAboveUs * clearlyAbove;
      if (!holds) {
        watch.holdingSinceUs = -1;
        watch.reported = false;
        continue;
      }
      if (watch.holdingSinceUs < 0) watch.holdingSinceUs = startUs;
      const dueUs = watch.holdingSinceUs + watch.policy.forUs + windowsOfSlack * windowUs;
      if (watch.acted || watch.reported || endUs < dueUs) continue;
      watch.reported = true;
      context.report({
        timeUs: endUs,
        rule: 'health-acts',
        actor: this.options.controller,
        detail: `policy ${watch.policy.name} left ${context.actorName(server)} alone: its mean response time has been above ${formatDuration(watch.policy.responseTimeAboveUs)} since ${formatDuration(watch.holdingSinceUs)} (${formatDuration(Math.round(meanUs))} last), the policy's period is ${formatDuration(watch.policy.forUs)}`,
      });
    }
    if (nextIndex > window.index + 1) for (const watch of this.watchesOf.get(server)!) watch.holdingSinceUs = -1;
  }

  finish(endUs: number, context: CheckContext): void {
    for (const [server, window] of [...this.windows].sort((a, b) => a[0] - b[0])) {
      if ((window.index + 1) * this.options.windowUs <= endUs) this.judge(server, window, window.index + 1, context);
    }
  }
}
