import { summarize } from '../../reports/summary.js';
import { evaluateExpectations, type ExpectationResult } from '../run/expectations.js';
import { loadPolicyModule } from '../run/policy-module.js';
import { runScenario } from '../run/run.js';
import { parseScenario } from '../scenario/load.js';

/** One run of an experiment: a scenario text (already validated by the planner) and a seed. */
export interface RunJob {
  text: string;
  file: string;
  seed: number;
}

/** What an experiment keeps of a run: plain data, so that it crosses a worker thread unchanged. */
export interface RunOutcome {
  seed: number;
  /** summary.json of the run without the per-server section (large, and not compared). */
  summary: Record<string, unknown>;
  expectations: ExpectationResult[];
  passed: boolean;
}

export async function runJob(job: RunJob): Promise<RunOutcome> {
  const loaded = parseScenario(job.text, job.file);
  await loadPolicyModule(loaded);
  const summary = summarize(runScenario(loaded, { seed: job.seed }));
  const expectations = evaluateExpectations(loaded.scenario.expect, summary);
  const { servers: _servers, ...figures } = summary;
  return { seed: job.seed, summary: figures, expectations, passed: expectations.every((expectation) => expectation.passed) };
}
