import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkOutputDirectory, checkSuiteDirectory } from '../../reports/output-paths.js';
import { writeReportFiles } from '../../reports/write.js';
import type { ScenarioCheck } from '../run/check-scenario.js';
import { allResults, MergeError, type ShardDirectory } from './partial-result.js';
import { checkSuiteOutputs, suiteExitCode, writeSuiteOutputs } from './suite-outputs.js';

/** What a check shard keeps beside its scenarios' verdicts. */
interface CheckShardExtra {
  /** Each scenario's report directory, relative to the shard's output directory. */
  reportDirectories: string[];
}

/**
 * Merges the shards of a check: the JUnit XML and Markdown summary of the whole suite, in its
 * order, from the same writers as an unsharded check; and each scenario's report, copied from
 * its shard to where the unsharded check puts it.
 */
export function mergeCheck(shards: readonly ShardDirectory[], options: { out: string; junit?: string; markdown?: string; quiet?: boolean }): number {
  const outputs = { junitFile: options.junit ?? join(options.out, 'junit.xml'), markdownFile: options.markdown ?? join(options.out, 'summary.md') };
  checkSuiteDirectory(options.out);
  checkSuiteOutputs(outputs);
  const checks = allResults(shards as readonly ShardDirectory<ScenarioCheck>[]);
  for (const { directory, partial } of shards) {
    const extra = partial.extra as CheckShardExtra | undefined;
    if (extra?.reportDirectories.length !== partial.items.length) throw new MergeError(`${directory}: the partial result does not say where its scenarios' reports are`);
    for (const report of extra.reportDirectories) copyReport(join(directory, report), join(options.out, report));
  }
  mkdirSync(options.out, { recursive: true });
  writeSuiteOutputs(checks, outputs);
  const passed = checks.filter((check) => check.verdict === 'pass').length;
  if (options.quiet !== true) process.stdout.write(`${passed} of ${checks.length} pass; ${outputs.junitFile}, ${outputs.markdownFile}\n`);
  for (const check of checks.filter((each) => each.verdict !== 'pass' && each.reproduce !== undefined)) process.stderr.write(`reproduce: ${check.reproduce}\n`);
  return suiteExitCode(checks);
}

/** A scenario's report, written whole where it goes (a scenario that was not valid has none). */
function copyReport(from: string, to: string): void {
  if (!existsSync(from)) return;
  checkOutputDirectory(to);
  writeReportFiles(to, new Map(readdirSync(from).map((name) => [name, readFileSync(join(from, name), 'utf8')])));
}
