import { performance } from 'node:perf_hooks';
import { summarize } from '../../reports/summary.js';
import { loadPolicyModule } from '../run/policy-module.js';
import { runScenario } from '../run/run.js';
import { parseScenario, ScenarioError } from '../scenario/load.js';
import { failureKey, judge, protocolsExercised, type Failure } from './oracle.js';
import { scheduleScenarioText, type ScheduleStep } from './schedule.js';
import { shrink } from './shrink.js';
import { simplerSteps } from './simplify.js';
import type { ScheduleSpace } from './space.js';

/** What every job of an exploration shares: plain data, so that it crosses to a worker thread. */
export interface ExploreBase {
  /** The scenario file's text and name. */
  text: string;
  file: string;
  space: ScheduleSpace;
}

/** The verdict of one schedule. */
export interface ScheduleVerdict {
  failures: Failure[];
  protocols: string[];
  eventsProcessed: number;
}

/** Runs a schedule: the scenario with its timeline replaced, judged as `clustersim run` judges it. */
export function runSchedule(base: ExploreBase, steps: readonly ScheduleStep[], seed: number): ScheduleVerdict {
  const text = scheduleScenarioText(base.text, steps, { seed, extraExpect: base.space.expect });
  const loaded = parseScenario(text, `${base.file} (explored schedule)`);
  let result;
  try {
    result = runScenario(loaded);
  } catch (error) {
    // The simulator itself broke under this schedule: a finding like any other, shrunk the same way.
    if (error instanceof ScenarioError) throw error;
    const detail = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
    return { failures: [{ rule: 'internal-error', actor: '', detail, timeUs: 0 }], protocols: [], eventsProcessed: 0 };
  }
  const summary = summarize(result);
  return { failures: judge(result, summary), protocols: protocolsExercised(summary), eventsProcessed: result.eventsProcessed };
}

export interface RunTask {
  kind: 'run';
  base: ExploreBase;
  index: number;
  seed: number;
  steps: ScheduleStep[];
}

export interface RunDone extends ScheduleVerdict {
  kind: 'run';
  index: number;
  wallMs: number;
}

export interface ShrinkTask {
  kind: 'shrink';
  base: ExploreBase;
  seed: number;
  steps: ScheduleStep[];
  /** The failure group to keep failing (see failureKey). */
  key: string;
  maxTries: number;
}

export interface ShrinkDone {
  kind: 'shrink';
  steps: ScheduleStep[];
  /** The group's failure as the shrunk schedule shows it. */
  failure: Failure;
  tries: number;
  exhausted: boolean;
  wallMs: number;
}

export function runTask(task: RunTask): RunDone {
  const startedAt = performance.now();
  let verdict: ScheduleVerdict;
  try {
    verdict = runSchedule(task.base, task.steps, task.seed);
  } catch (error) {
    // A drawn schedule the scenario's checks refuse is the explorer's mistake: reported, and the exploration goes on.
    if (!(error instanceof ScenarioError)) throw error;
    verdict = { failures: [{ rule: 'invalid-schedule', actor: '', detail: error.message.split('\n')[0] ?? '', timeUs: 0 }], protocols: [], eventsProcessed: 0 };
  }
  return { kind: 'run', index: task.index, ...verdict, wallMs: performance.now() - startedAt };
}

/** Shrinks a failing schedule to one that still fails in the same group. */
export function shrinkTask(task: ShrinkTask): ShrinkDone {
  const startedAt = performance.now();
  const failureOf = (steps: readonly ScheduleStep[]) => {
    try {
      return runSchedule(task.base, steps, task.seed).failures.find((failure) => failureKey(failure) === task.key);
    } catch (error) {
      // A cut that leaves a heal with nothing to heal is not a schedule: it does not fail (unless refusal is the failure).
      if (error instanceof ScenarioError) return task.key === 'invalid-schedule' ? { rule: task.key, actor: '', detail: error.message.split('\n')[0] ?? '', timeUs: 0 } : undefined;
      throw error;
    }
  };
  const shrunk = shrink(task.steps, {
    fails: (steps) => failureOf(steps) !== undefined,
    simplify: (step) => simplerSteps(step, task.base.space),
    maxTries: task.maxTries,
  });
  const failure = failureOf(shrunk.steps);
  if (failure === undefined) throw new Error(`explore: the shrunk schedule no longer fails ${task.key}: the run is not deterministic`);
  return { kind: 'shrink', steps: shrunk.steps, failure, tries: shrunk.tries, exhausted: shrunk.exhausted, wallMs: performance.now() - startedAt };
}

export type ExploreTask = RunTask | ShrinkTask;
export type ExploreDone = RunDone | ShrinkDone;

/** Scenario texts whose routing policy module this thread has loaded. */
const preparedBases = new Set<string>();

/** The entry of the worker threads: the scenario's routing policy module is loaded once per thread. */
export async function exploreJob(task: ExploreTask): Promise<ExploreDone> {
  if (!preparedBases.has(task.base.text)) {
    await loadPolicyModule(parseScenario(task.base.text, task.base.file));
    preparedBases.add(task.base.text);
  }
  return task.kind === 'run' ? runTask(task) : shrinkTask(task);
}
