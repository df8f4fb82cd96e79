import { InvalidArgumentError } from 'commander';

/** Exit codes (contract): 0 all holds, 1 expectations or invariants fail, 2 bad input or usage. */
export const exitCodes = { pass: 0, fail: 1, usage: 2 } as const;

/** How a command hands its exit code back to main. */
export type CommandResult = (exitCode: number) => void;

export function parseSeed(value: string): number {
  const seed = Number(value);
  if (!Number.isInteger(seed) || seed < 0 || seed > 2 ** 31 - 1) throw new InvalidArgumentError('a seed is a whole number from 0 to 2147483647');
  return seed;
}
