import { InvalidArgumentError, type Command } from 'commander';
import { availableParallelism } from 'node:os';

/** `--jobs` and `--force-jobs`, the same on every command that runs work on threads. */
export interface JobsOptions {
  jobs?: number;
  forceJobs?: boolean;
}

export function addJobsOptions(command: Command, what: string): Command {
  return command
    .option('--jobs <n>', `${what} at once on worker threads (default and most: the number of cores)`, parseJobs)
    .option('--force-jobs', 'allow --jobs above the number of cores');
}

function parseJobs(value: string): number {
  const jobs = Number(value);
  if (!Number.isInteger(jobs) || jobs < 1 || jobs > 256) throw new InvalidArgumentError('jobs is a whole number from 1 to 256');
  return jobs;
}

/**
 * Threads to run on. Each thread holds a whole run's heap and the runs are CPU-bound, so more
 * threads than cores only add memory and wall time: the count is capped at the cores unless
 * forced (a note says so), and at the work there is.
 */
export function resolveJobs(options: JobsOptions, work: number, warn: (line: string) => void, cores = availableParallelism()): number {
  let jobs = options.jobs ?? cores;
  if (jobs > cores && options.forceJobs !== true) {
    warn(`clustersim: --jobs ${jobs} capped at ${cores}, the number of cores (--force-jobs to run more threads)`);
    jobs = cores;
  }
  return Math.max(1, Math.min(jobs, work));
}
