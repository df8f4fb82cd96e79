import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { junitXml } from '../../reports/junit.js';
import { checkOutputFile, describeFailure, OutputError } from '../../reports/output-paths.js';
import { suiteMarkdown } from '../../reports/suite-markdown.js';
import { writeFileAtomically } from '../../reports/write.js';
import type { ScenarioCheck } from '../run/check-scenario.js';
import { exitCodes } from './exit-codes.js';

/** Where a suite's summaries go. */
export interface SuiteOutputs {
  junitFile: string;
  markdownFile: string;
}

/** Refuses summaries that could not be written: checked before the first scenario runs. */
export function checkSuiteOutputs(outputs: SuiteOutputs): void {
  checkOutputFile(outputs.junitFile);
  checkOutputFile(outputs.markdownFile);
}

/** The JUnit XML and the Markdown summary of a suite; the Markdown also goes to GitHub's job summary when there is one. */
export function writeSuiteOutputs(checks: readonly ScenarioCheck[], outputs: SuiteOutputs): void {
  const markdown = suiteMarkdown(checks);
  writeOutputFile(outputs.junitFile, junitXml(checks));
  writeOutputFile(outputs.markdownFile, markdown);
  const stepSummary = process.env['GITHUB_STEP_SUMMARY'];
  if (stepSummary !== undefined && stepSummary !== '') appendFileSync(stepSummary, markdown);
}

function writeOutputFile(file: string, content: string): void {
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileAtomically(file, content);
  } catch (error) {
    throw new OutputError(`cannot write ${file}: ${describeFailure(error)}`);
  }
}

/** 0 when every scenario passes, 2 when one is not a valid scenario, else 1. */
export function suiteExitCode(checks: readonly ScenarioCheck[]): number {
  if (checks.some((check) => check.verdict === 'error')) return exitCodes.usage;
  return checks.every((check) => check.verdict === 'pass') ? exitCodes.pass : exitCodes.fail;
}
