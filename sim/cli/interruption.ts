import { constants } from 'node:os';

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
}

/**
 * Runs `work` with Ctrl-C and SIGTERM turned into an abort of `signal`, so that the work can stop
 * and keep what it has. A second signal ends the process at once: outputs are written whole or
 * not at all, so nothing is left half-written.
 */
export async function whileInterruptible<T>(work: (signal: AbortSignal) => Promise<T>): Promise<{ value: T; interruption?: Interruption }> {
  const controller = new AbortController();
  let interruption: Interruption | undefined;
  const handlers = signals.map((name) => {
    const handler = () => {
      const exitCode = 128 + constants.signals[name];
      if (interruption !== undefined) process.exit(exitCode);
      interruption = { signal: name, exitCode };
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
