import { MaintenanceMode, ServerState, unexpected, type LoadReport, type Message, type NodeActor, type NodeContext } from '../messages.js';

export interface HealthPolicy {
  name: string;
  /** Servers the policy watches, by actor index. */
  servers: readonly number[];
  /** The condition: mean response time above this (0: not part of the condition). */
  responseTimeAboveUs: number;
  /** ...or the share of requests refused for overload or dropped, in percent, above this (0: not part). */
  errorPercentAbove: number;
  /** How long the condition must hold before the server is put into maintenance, and be clear before it is taken out. */
  forUs: number;
  mode: MaintenanceMode;
  /** Supervised: the controller only asks an operator (a record), it changes nothing itself. */
  supervised: boolean;
}

interface Watch {
  policy: HealthPolicy;
  server: number;
  /** Since when the condition has held, or has been clear; -1 when not. */
  holdingSinceUs: number;
  clearSinceUs: number;
  /** Reports with requests served, all clear, since `clearSinceUs`. */
  clearReports: number;
  /** The policy put (or asked to put) the server into maintenance. */
  acted: boolean;
}

/** Reports with requests served and the condition clear that a server in maintenance needs before it is taken out. */
export const clearReportsToExit = 3;

/**
 * The health controller: watches the figures in the servers' periodic load reports and, when a
 * policy's condition holds on a server for long enough, puts the server into maintenance (or,
 * supervised, asks for it); when the condition has been clear as long, over at least
 * `clearReportsToExit` reports that served requests, takes it out again. A server in maintenance
 * gets little or no work, and an interval that served nothing says nothing of its health: without
 * that hysteresis a slow server would be taken out by its first idle report, still slow. A server
 * stopped by a stop policy is the exception: the restart is the cure, so its quiet reports clear it.
 */
export class HealthController implements NodeActor {
  readonly name: string;
  private readonly watches = new Map<number, Watch[]>();
  /** The state in each watched server's last report. */
  private readonly lastState = new Map<number, ServerState>();

  constructor(name: string, policies: readonly HealthPolicy[]) {
    this.name = name;
    for (const policy of policies) {
      for (const server of policy.servers) {
        let list = this.watches.get(server);
        if (list === undefined) this.watches.set(server, (list = []));
        list.push({ policy, server, holdingSinceUs: -1, clearSinceUs: -1, clearReports: 0, acted: false });
      }
    }
  }

  onMessage(message: Message, context: NodeContext): void {
    if (message.$case === 'loadReport') return this.observe(message.value, context);
    return unexpected(this.name, message);
  }

  private observe(report: LoadReport, context: NodeContext): void {
    const watches = this.watches.get(report.server);
    if (watches === undefined) return;
    // Running again (an operator took it out of the maintenance a policy put it in, or asked for):
    // nothing of the policy's is left to undo, and it may act again if the server still fails it.
    const previous = this.lastState.get(report.server);
    this.lastState.set(report.server, report.state);
    if (report.state === ServerState.RUNNING && previous !== undefined && previous !== ServerState.RUNNING) for (const watch of watches) watch.acted = false;
    const served = report.completedInInterval + report.errorsInInterval;
    // Reports sent on a state change carry no interval figures, and an idle interval is no evidence either way.
    if (served === 0 && report.state === ServerState.RUNNING) return;
    const meanResponseUs = report.completedInInterval === 0 ? 0 : Math.round(report.responseTimeSumUs / report.completedInInterval);
    const errorPercent = served === 0 ? 0 : (100 * report.errorsInInterval) / served;
    for (const watch of watches) {
      const policy = watch.policy;
      const stoppedByPolicy = watch.acted && policy.mode === MaintenanceMode.STOP;
      if (served === 0 && !stoppedByPolicy) continue;
      const holds =
        (policy.responseTimeAboveUs > 0 && meanResponseUs > policy.responseTimeAboveUs) || (policy.errorPercentAbove > 0 && errorPercent > policy.errorPercentAbove);
      if (holds) {
        watch.clearSinceUs = -1;
        if (watch.holdingSinceUs < 0) watch.holdingSinceUs = report.atUs;
        if (!watch.acted && report.atUs - watch.holdingSinceUs >= policy.forUs) this.act(watch, true, meanResponseUs, errorPercent, context);
      } else {
        watch.holdingSinceUs = -1;
        if (watch.clearSinceUs < 0) [watch.clearSinceUs, watch.clearReports] = [report.atUs, 0];
        watch.clearReports++;
        const enoughEvidence = stoppedByPolicy || watch.clearReports >= clearReportsToExit;
        if (watch.acted && enoughEvidence && report.atUs - watch.clearSinceUs >= policy.forUs) this.act(watch, false, meanResponseUs, errorPercent, context);
      }
    }
  }

  private act(watch: Watch, enter: boolean, meanResponseUs: number, errorPercent: number, context: NodeContext): void {
    const policy = watch.policy;
    watch.acted = enter;
    context.record({
      type: 'health-action',
      policy: policy.name,
      server: watch.server,
      action: enter ? 'enter' : 'exit',
      supervised: policy.supervised,
      valueUs: meanResponseUs,
      errorPercent: Math.round(errorPercent),
    });
    if (policy.supervised) return;
    context.send(watch.server, {
      $case: 'maintenance',
      value: { targets: [watch.server], enter, mode: policy.mode, reason: `health policy ${policy.name}` },
    });
  }
}
