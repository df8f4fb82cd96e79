import { setMaxListeners } from 'node:events';
import { Piscina } from 'piscina';
import { runJob, type RunJob, type RunOutcome } from './run-job.js';

export interface RunManyOptions {
  /** Runs at once; 1 runs them one after another in this thread. */
  jobs: number;
  /** Called as each run finishes (in whatever order they finish). */
  onDone?: (done: number, total: number) => void;
  /** Aborted (Ctrl-C, SIGTERM): no run starts any more, and the runs under way are dropped. */
  signal?: AbortSignal;
}

/**
 * Runs independent jobs, several at once on worker threads. Results come back in the jobs'
 * order whatever order they finish in, so the experiment's output does not depend on timing.
 * A job left undone by an abort has no result (undefined).
 */
export async function runMany(jobs: readonly RunJob[], options: RunManyOptions): Promise<(RunOutcome | undefined)[]> {
  const threads = Math.min(options.jobs, jobs.length);
  const signal = options.signal;
  let done = 0;
  const finished = () => options.onDone?.(++done, jobs.length);
  if (threads <= 1) {
    const outcomes: (RunOutcome | undefined)[] = [];
    for (const job of jobs) {
      if (signal?.aborted === true) {
        outcomes.push(undefined);
        continue;
      }
      outcomes.push(await runJob(job));
      finished();
      // A turn of the event loop between two runs, so that a signal is seen.
      if (signal !== undefined) await new Promise((resolve) => setImmediate(resolve));
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
  // Each queued run listens for the abort: as many listeners as runs is no leak.
  if (signal !== undefined) setMaxListeners(jobs.length + 1, signal);
  try {
    return await Promise.all(
      jobs.map(async (job) => {
        try {
          const outcome = await pool.run(job, signal === undefined ? {} : { signal });
          finished();
          return outcome;
        } catch (error) {
          if (signal?.aborted === true) return undefined;
          throw error;
        }
      }),
    );
  } finally {
    await pool.destroy();
  }
}
