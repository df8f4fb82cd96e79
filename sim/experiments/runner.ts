import { Piscina } from 'piscina';
import { runJob, type RunJob, type RunOutcome } from './run-job.js';

export interface RunManyOptions {
  /** Runs at once; 1 runs them one after another in this thread. */
  jobs: number;
  /** Called as each run finishes (in whatever order they finish). */
  onDone?: (done: number, total: number) => void;
}

/**
 * Runs independent jobs, several at once on worker threads. Results come back in the jobs'
 * order whatever order they finish in, so the experiment's output does not depend on timing.
 */
export async function runMany(jobs: readonly RunJob[], options: RunManyOptions): Promise<RunOutcome[]> {
  const threads = Math.min(options.jobs, jobs.length);
  let done = 0;
  const finished = () => options.onDone?.(++done, jobs.length);
  if (threads <= 1) {
    const outcomes: RunOutcome[] = [];
    for (const job of jobs) {
      outcomes.push(await runJob(job));
      finished();
    }
    return outcomes;
  }
  const pool = new Piscina<RunJob, RunOutcome>({
    filename: new URL('./run-worker.mjs', import.meta.url).href,
    minThreads: threads,
    maxThreads: threads,
    // One run per thread at a time: runs are CPU-bound, queueing more gains nothing.
    concurrentTasksPerWorker: 1,
  });
  try {
    return await Promise.all(
      jobs.map(async (job) => {
        const outcome = await pool.run(job);
        finished();
        return outcome;
      }),
    );
  } finally {
    await pool.destroy();
  }
}
