import { InvalidArgumentError, type Command } from 'commander';

/**
 * One share of a command's work: shard `index` of `count`, counted from 0 so that the index of a
 * Kubernetes Indexed Job (JOB_COMPLETION_INDEX) or of a CI matrix (strategy.job-index) is used as is.
 */
export interface Shard {
  index: number;
  count: number;
}

// A bound like every other: past it, a split is a typo rather than a plan.
const maxShards = 10_000;

export function parseShard(value: string): Shard {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(value);
  const usage = `"${value}": a shard is I/N, N from 1 to ${maxShards} shards and I from 0 to N-1 (e.g. --shard 0/4 … --shard 3/4, or --shard $JOB_COMPLETION_INDEX/4)`;
  if (match === null) throw new InvalidArgumentError(usage);
  const index = Number(match[1]);
  const count = Number(match[2]);
  if (count < 1 || count > maxShards) throw new InvalidArgumentError(usage);
  if (index >= count) throw new InvalidArgumentError(`"${value}": shard ${index} of ${count} does not exist; shards are counted from 0, so I goes from 0 to ${count - 1}`);
  return { index, count };
}

export function formatShard(shard: Shard): string {
  return `${shard.index}/${shard.count}`;
}

export function addShardOption(command: Command, unit: string): Command {
  return command.option('--shard <I/N>', `run only share I of N (I from 0) of the ${unit} and write a partial result for \`clustersim merge\``, parseShard);
}

/**
 * The items of a shard, by their index in the command's full list of work. Dealt round-robin:
 * the split depends on nothing but the list and N, so any shard can be run again alone, and
 * each shard gets a spread of grid points, seeds and scenarios rather than one corner of them.
 */
export function shareOf(itemCount: number, shard: Shard): number[] {
  const share: number[] = [];
  for (let item = shard.index; item < itemCount; item += shard.count) share.push(item);
  return share;
}

/** The default output directory of a shard: beside the unsharded command's, one per shard. */
export function shardDirectory(directory: string, shard: Shard): string {
  return `${directory}-shard-${shard.index}-of-${shard.count}`;
}
