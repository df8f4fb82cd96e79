import type { RandomStream } from './random.js';

/**
 * The simulated network as the kernel sees it: for a message from one actor to another at a
 * given virtual time, the delay in microseconds, or -1 when the message is lost. It must be a
 * pure function of its arguments and the draws it takes from `random` (the sender's network
 * stream), so that every host computes the same answer.
 */
export interface Network {
  delayUs(from: number, to: number, nowUs: number, random: RandomStream): number;
  /** The smallest delay any message between the two groups of actors can have (lookahead). */
  minimumDelayUs(): number;
}
