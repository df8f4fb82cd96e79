import { Piscina } from 'piscina';
import { exploreJob, type ExploreDone, type ExploreTask } from './jobs.js';

/**
 * Runs the jobs of an exploration on worker threads (or in this thread for one job at a time).
 * Results come back in the tasks' order whatever order they finish in, so findings never
 * depend on timing or on the number of threads.
 */
export class ExplorePool {
  private readonly pool: Piscina<ExploreTask, ExploreDone> | undefined;

  constructor(readonly threads: number) {
    this.pool =
      threads <= 1
        ? undefined
        : new Piscina<ExploreTask, ExploreDone>({
            filename: new URL('./explore-worker.mjs', import.meta.url).href,
            minThreads: threads,
            maxThreads: threads,
            // Runs are CPU-bound: one at a time per thread.
            concurrentTasksPerWorker: 1,
          });
  }

  /** Runs the tasks; `onDone` is called as each finishes. An abort leaves the tasks not yet done undefined. */
  async run<T extends ExploreDone>(tasks: readonly ExploreTask[], signal?: AbortSignal, onDone?: () => void): Promise<(T | undefined)[]> {
    const pool = this.pool;
    if (pool === undefined) {
      const results: (T | undefined)[] = [];
      for (const task of tasks) {
        if (signal?.aborted === true) {
          results.push(undefined);
          continue;
        }
        results.push((await exploreJob(task)) as T);
        onDone?.();
        // A turn of the event loop between two jobs, so that a signal is seen.
        await new Promise((resolve) => setImmediate(resolve));
      }
      return results;
    }
    return Promise.all(
      tasks.map(async (task) => {
        try {
          const result = (await pool.run(task, signal === undefined ? {} : { signal })) as T;
          onDone?.();
          return result;
        } catch (error) {
          if (signal?.aborted === true) return undefined;
          throw error;
        }
      }),
    );
  }

  async close(): Promise<void> {
    await this.pool?.destroy();
  }
}
