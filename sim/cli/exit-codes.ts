import { InvalidArgumentError } from 'commander';

/**
 * Exit codes (contract): 0 all holds; 1 expectations or invariants fail, or the run exceeded a
 * limit (the report is written); 2 bad input or usage; 70 an internal error (a bug). A run
 * stopped by a signal exits with 128 + the signal's number (130 for Ctrl-C, 143 for SIGTERM).
 */
export const exitCodes = { pass: 0, fail: 1, usage: 2, internal: 70 } as const;

/** How a command hands its exit code back to main. */
export type CommandResult = (exitCode: number) => void;

export function parseSeed(value: string): number {
  const seed = Number(value);
  if (!Number.isInteger(seed) || seed < 0 || seed > 2 ** 31 - 1) throw new InvalidArgumentError('a seed is a whole number from 0 to 2147483647');
  return seed;
}
