import { performance } from 'node:perf_hooks';
import { writeReportFiles } from '../../reports/write.js';
import type { RunJob } from '../experiments/run-job.js';
import { runMany } from '../experiments/runner.js';
import { exitCodes } from './exit-codes.js';
import { whileInterruptible } from './interruption.js';
import { partialResult, partialResultFiles, type ShardedCommand, type ShardInput } from './partial-result.js';
import { formatShard, shareOf, type Shard } from './shard.js';

export interface ExperimentShard {
  command: Extract<ShardedCommand, 'sweep' | 'compare'>;
  shard: Shard;
  /** The experiment's runs, all of them, in its order. */
  runs: readonly RunJob[];
  inputs: ShardInput[];
  settings: Record<string, unknown>;
  threads: number;
  directory: string;
  progress: { update: (done: number, total: number) => void; end: () => void };
  say: (line: string) => void;
}

/**
 * Runs a shard's share of an experiment's runs and writes their outcomes as a partial result.
 * Interrupted, it keeps the outcomes it has, marked so that `merge` refuses them until the
 * shard is run again.
 */
export async function runExperimentShard(work: ExperimentShard): Promise<number> {
  const startedAt = performance.now();
  const share = shareOf(work.runs.length, work.shard);
  const { value: outcomes, interruption } = await whileInterruptible((signal) =>
    runMany(
      share.map((item) => work.runs[item]!),
      { jobs: work.threads, onDone: work.progress.update, signal },
    ),
  );
  work.progress.end();
  const done = outcomes.flatMap((outcome, position) => (outcome === undefined ? [] : [{ item: share[position]!, outcome }]));
  const partial = partialResult({
    command: work.command,
    shard: work.shard,
    inputs: work.inputs,
    settings: work.settings,
    itemCount: work.runs.length,
    items: done.map((entry) => entry.item),
    results: done.map((entry) => entry.outcome),
    interrupted: interruption !== undefined,
  });
  writeReportFiles(work.directory, partialResultFiles(partial));
  work.say(`  shard ${formatShard(work.shard)}: ${done.length} of ${share.length} runs in ${((performance.now() - startedAt) / 1000).toFixed(1)} s wall; partial result in ${work.directory}`);
  if (interruption === undefined) return exitCodes.pass;
  process.stderr.write(`clustersim: ${interruption.reason}: the shard's ${done.length} runs so far are kept in ${work.directory}, marked interrupted; run the shard again before merging\n`);
  return interruption.exitCode;
}
