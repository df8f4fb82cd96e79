import { basename, extname } from 'node:path';
import { performance } from 'node:perf_hooks';
import { renderReport, runVerdict } from '../../reports/report.js';
import { summarize } from '../../reports/summary.js';
import { OutputError, writeReportFiles } from '../../reports/write.js';
import { describeViolation } from '../checkers/violation-lines.js';
import { ScenarioError, loadScenarioFile } from '../scenario/load.js';
import { evaluateExpectations } from './expectations.js';
import { loadPolicyModule } from './policy-module.js';
import { runScenario } from './run.js';

/** Violations listed per scenario in the suite's outputs; summary.json has more. */
const violationsListed = 10;

/** What `clustersim check` learns from one scenario: plain data, so that it crosses worker threads. */
export interface ScenarioCheck {
  file: string;
  name: string;
  /** pass, fail (expectations or invariants), or error (the file is not a valid scenario). */
  verdict: 'pass' | 'fail' | 'error';
  error?: string;
  seed?: number;
  reproduce?: string;
  reportDirectory?: string;
  /** Why the run stopped before its end (a limit), when it did. */
  stopped?: string;
  wallMs: number;
  figures?: {
    sessionsStarted: number;
    sessionsDropped: number;
    sessionsRejected: number;
    sessionsOpenAtEnd: number;
    /** Worst p99 latency over the protocols. */
    latencyP99Us: number;
    requestsRoutedToMaintenance: number;
    eventsProcessed: number;
    virtualUs: number;
  };
  failedExpectations: { expectation: string; message: string }[];
  violationCount: number;
  violations: string[];
}

export interface ScenarioCheckTask {
  file: string;
  /** Where this scenario's report goes: unique in the suite. None: no file is written. */
  reportDirectory?: string;
}

/** Runs one scenario of a suite, writes its report, and sums it up. Bad input is a verdict, not a throw. */
export function checkScenario(task: ScenarioCheckTask): ScenarioCheck {
  const startedAt = performance.now();
  try {
    const loaded = loadScenarioFile(task.file);
    const result = runScenario(loaded);
    const summary = summarize(result);
    const expectations = evaluateExpectations(loaded.scenario.expect, summary);
    // The charts are drawn only for a report that is written.
    const reportDirectory = task.reportDirectory;
    if (reportDirectory !== undefined) writeReportFiles(reportDirectory, renderReport(result, expectations).files);
    const protocols = Object.values(summary.protocols);
    return {
      file: task.file,
      name: loaded.scenario.name,
      verdict: runVerdict(result, summary, expectations),
      seed: result.seed,
      reproduce: summary.reproduce,
      ...(reportDirectory === undefined ? {} : { reportDirectory }),
      ...(result.stopped === undefined ? {} : { stopped: result.stopped.reason }),
      wallMs: performance.now() - startedAt,
      figures: {
        sessionsStarted: summary.sessions.started,
        sessionsDropped: summary.sessions.dropped,
        sessionsRejected: summary.sessions.rejected,
        sessionsOpenAtEnd: summary.sessions.open,
        latencyP99Us: Math.max(0, ...protocols.map((protocol) => protocol.latency.p99Us)),
        requestsRoutedToMaintenance: protocols.reduce((total, protocol) => total + protocol.requests.routedToMaintenance, 0),
        eventsProcessed: result.eventsProcessed,
        virtualUs: summary.durationUs,
      },
      failedExpectations: expectations.filter((expectation) => !expectation.passed).map(({ expectation, message }) => ({ expectation, message })),
      violationCount: summary.violations.count,
      violations: summary.violations.first.slice(0, violationsListed).map(describeViolation),
    };
  } catch (error) {
    return errorCheck(task, error, startedAt);
  }
}

/** `checkScenario` with the scenario's routing policy module loaded first: the entry of the worker threads. */
export async function checkScenarioWithPolicy(task: ScenarioCheckTask): Promise<ScenarioCheck> {
  const startedAt = performance.now();
  try {
    await loadPolicyModule(loadScenarioFile(task.file));
  } catch (error) {
    return errorCheck(task, error, startedAt);
  }
  return checkScenario(task);
}

function errorCheck(task: ScenarioCheckTask, error: unknown, startedAt: number): ScenarioCheck {
  const message = error instanceof ScenarioError || error instanceof OutputError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error);
  return {
    file: task.file,
    name: basename(task.file, extname(task.file)),
    verdict: 'error',
    error: message,
    wallMs: performance.now() - startedAt,
    failedExpectations: [],
    violationCount: 0,
    violations: [],
    reproduce: `npx clustersim run ${task.file}`,
  };
}
