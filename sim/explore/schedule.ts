import { isMap, parseDocument } from 'yaml';
import type { ExploreStepKind } from '../scenario/schema.js';
import type { BackendActionName } from '../scenario/schema-load-balancer.js';

/** Where a maintenance step points: the key of the scenario's maintenance step. */
export type MaintenanceTarget = 'server' | 'node' | 'odr';

/**
 * One step of a drawn schedule, in the explorer's terms: its kind, time and target, and what
 * the kind needs besides. Rendered into a scenario timeline step by `timelineStep`.
 */
export interface ScheduleStep {
  kind: ExploreStepKind;
  /** Virtual time, whole milliseconds in microseconds. */
  atUs: number;
  /** A server, node, ODR, member, `controller`, a load balancer's backend; empty for a heal or a rollout. */
  target: string;
  /** Maintenance steps: what `target` names. */
  on?: MaintenanceTarget;
  mode?: 'affinity' | 'break' | 'stop';
  /** slow: the service time multiplier. */
  factor?: number;
  /** partition: the other side (the target alone is one side). */
  others?: string[];
  /** clustercats-threshold: the peak threshold set. */
  peakThreshold?: number;
  /** clustercats-service: stopped (with a drain-down period) or running. */
  service?: 'stopped' | 'running';
  drainUs?: number;
  /** lb-action: the profile's action on the backend `target`. */
  action?: BackendActionName;
}

/** A duration in the largest unit that writes it exactly, so a reproducer reads as a person would write it. */
export function formatExactDuration(us: number): string {
  if (us % 60_000_000 === 0 && us > 0) return `${us / 60_000_000}m`;
  if (us % 1_000_000 === 0) return `${us / 1_000_000}s`;
  if (us % 1_000 === 0) return `${us / 1_000}ms`;
  return `${us}us`;
}

/** The scenario timeline step (YAML data) of a schedule step. */
export function timelineStep(step: ScheduleStep): Record<string, unknown> {
  const at = formatExactDuration(step.atUs);
  switch (step.kind) {
    case 'maintenance-server':
    case 'maintenance-node':
    case 'maintenance-odr':
      return { at, maintenance: { [step.on ?? 'server']: step.target, mode: step.mode ?? 'affinity' } };
    case 'maintenance-exit':
      return { at, maintenance: { [step.on ?? 'server']: step.target, exit: true } };
    case 'control-start':
      return { at, control: { server: step.target, action: 'start' } };
    case 'control-stop':
      return { at, control: { server: step.target, action: 'stop' } };
    case 'control-restart':
      return { at, control: { server: step.target, action: 'restart' } };
    case 'crash-server':
    case 'crash-node':
    case 'crash-odr':
    case 'crash-member':
    case 'crash-controller':
      return { at, crash: step.target };
    case 'restart':
      return { at, restart: step.target };
    case 'slow':
      return { at, slow: { target: step.target, factor: step.factor ?? 4 } };
    case 'partition':
      return { at, partition: { name: 'explored', groups: [[step.target], step.others ?? []] } };
    case 'heal':
      return { at, heal: {} };
    case 'clustercats-threshold':
      return { at, clustercats: { member: step.target, peakThreshold: step.peakThreshold ?? 0 } };
    case 'clustercats-service':
      return step.service === 'running'
        ? { at, clustercats: { member: step.target, service: 'running' } }
        : { at, clustercats: { member: step.target, service: 'stopped', drainDownPeriod: formatExactDuration(step.drainUs ?? 30_000_000) } };
    case 'kubernetes-rollout':
      return { at, kubernetes: { rollout: {} } };
    case 'kubernetes-drain':
      return { at, kubernetes: { drain: step.target } };
    case 'kubernetes-crash-node':
      return { at, kubernetes: { crashNode: step.target } };
    case 'lb-action':
      return { at, loadBalancer: { backend: step.target, action: step.action ?? 'drain' } };
  }
}

/** One line for a step, for the console and the report: `12.5s crash node2`. */
export function describeStep(step: ScheduleStep): string {
  const { at: _at, ...action } = timelineStep(step);
  const [key, value] = Object.entries(action)[0]!;
  const detail = typeof value === 'string' ? value : Object.entries(value as Record<string, unknown>).map(([name, item]) => `${name}: ${typeof item === 'string' ? item : JSON.stringify(item)}`).join(', ');
  return `${formatExactDuration(step.atUs)} ${key} ${detail}`.trim();
}

/** Steps in time order (stable: steps at one instant keep their drawn order). */
export function inTimeOrder(steps: readonly ScheduleStep[]): ScheduleStep[] {
  return steps.map((step, index) => ({ step, index })).sort((a, b) => a.step.atUs - b.step.atUs || a.index - b.index).map(({ step }) => step);
}

export interface ScheduleScenarioOptions {
  seed: number;
  /** `explore.expect` lines, added to the scenario's own `expect:` so that `clustersim run` judges them too. */
  extraExpect: readonly string[];
  description?: string;
}

/**
 * The scenario text of a schedule: the original file with its timeline replaced by the
 * schedule's steps, its seed set to the run's, the explorer's properties added to its
 * expectations and the `explore:` section left out. It is a standalone scenario: `clustersim
 * run` on it gives the explorer's verdict.
 */
export function scheduleScenarioText(baseText: string, steps: readonly ScheduleStep[], options: ScheduleScenarioOptions): string {
  const document = parseDocument(baseText);
  document.set('seed', options.seed);
  if (options.description !== undefined) document.set('description', options.description);
  // One step a line, as the shipped scenarios write them: `- { at: 12s, crash: node2 }`.
  const timeline = document.createNode(inTimeOrder(steps).map(timelineStep));
  for (const item of timeline.items) if (isMap(item)) item.flow = true;
  document.set('timeline', timeline);
  if (options.extraExpect.length > 0) {
    const own = (document.toJS() as { expect?: string[] }).expect ?? [];
    document.set('expect', document.createNode([...own, ...options.extraExpect.filter((line) => !own.includes(line))]));
  }
  document.delete('explore');
  return document.toString({ lineWidth: 0 });
}
