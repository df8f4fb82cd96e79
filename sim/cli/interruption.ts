import { constants } from 'node:os';
import { performance } from 'node:perf_hooks';

const signals = ['SIGINT', 'SIGTERM'] as const;
type StopSignal = (typeof signals)[number];

const descriptions: Record<StopSignal, string> = {
  SIGINT: 'interrupted by SIGINT (Ctrl-C)',
  SIGTERM: 'stopped by SIGTERM',
};

/** An interruption: the signal received, and the exit code a shell expects for it (128 + its number). */
export interface Interruption {
  signal: StopSignal;
  exitCode: number;
  /** In words, e.g. "stopped by SIGTERM". */
  reason: string;
}

/**
 * A second signal this soon after the first belongs to the same stop: `timeout` and process
 * managers send SIGTERM to the process and then to its group a few ms apart, and a Ctrl-C
 * reaches the whole group too.
 */
export const secondSignalGraceMs = 1_000;

/**
 * Runs `work` with Ctrl-C and SIGTERM turned into an abort of `signal`, so that the work can stop
 * and keep what it has. Only a second Ctrl-C after the grace period ends the process at once (a
 * person insisting; outputs are written whole or not at all, so nothing is left half-written);
 * a second SIGTERM, or any signal within the grace period, lets the report be written.
 */
export async function whileInterruptible<T>(
  work: (signal: AbortSignal) => Promise<T>,
  nowMs: () => number = () => performance.now(),
): Promise<{ value: T; interruption?: Interruption }> {
  const controller = new AbortController();
  let interruption: Interruption | undefined;
  let firstAtMs = 0;
  const handlers = signals.map((name) => {
    const handler = () => {
      const exitCode = 128 + constants.signals[name];
      if (interruption !== undefined) {
        if (name === 'SIGINT' && nowMs() - firstAtMs >= secondSignalGraceMs) process.exit(exitCode);
        return;
      }
      interruption = { signal: name, exitCode, reason: descriptions[name] };
      firstAtMs = nowMs();
      controller.abort(descriptions[name]);
    };
    process.on(name, handler);
    return [name, handler] as const;
  });
  try {
    const value = await work(controller.signal);
    return interruption === undefined ? { value } : { value, interruption };
  } finally {
    for (const [name, handler] of handlers) process.off(name, handler);
  }
}
