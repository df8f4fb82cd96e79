import { join } from 'node:path';
import { checkOutputDirectory, writeReportFiles } from '../../reports/write.js';
import { combineExploration } from '../explore/combine.js';
import { planExploration, type FailureGroup, type RunRecord } from '../explore/explore.js';
import { explorationFiles } from '../explore/report.js';
import { exitCodes } from './exit-codes.js';
import { allResults, MergeError, type ShardDirectory } from './partial-result.js';

/** What an exploration shard keeps beside its runs. */
interface ExploreShardExtra {
  groups: FailureGroup[];
}

/** The options of an exploration that shape its work. */
interface ExploreSettings {
  seed: number;
  runs: number;
}

/** Merges the shards of an exploration into the report one process doing every run writes. */
export function mergeExploration(shards: readonly ShardDirectory[], out: string, say: (line: string) => void): number {
  checkOutputDirectory(out);
  const first = shards[0]!;
  const input = first.partial.inputs[0];
  if (input?.text === undefined) throw new MergeError(`${first.directory}: the partial result lacks the scenario's text`);
  const settings = first.partial.settings as unknown as ExploreSettings;
  const plan = planExploration(input.file, input.text);
  // Every run once, or the merge stops here.
  allResults(shards as readonly ShardDirectory<RunRecord>[]);
  const parts = shards.map(({ directory, partial }) => {
    const extra = partial.extra as ExploreShardExtra | undefined;
    if (extra === undefined) throw new MergeError(`${directory}: the partial result lacks its failure groups`);
    return { runs: partial.results as RunRecord[], groups: extra.groups };
  });
  const exploration = combineExploration(plan, settings.seed, settings.runs, parts);
  writeReportFiles(out, explorationFiles(plan.base, exploration));
  say(`  ${exploration.runs.length} runs, ${exploration.groups.length} distinct failures; report: ${join(out, 'index.html')}`);
  return exploration.groups.length > 0 ? exitCodes.fail : exitCodes.pass;
}
