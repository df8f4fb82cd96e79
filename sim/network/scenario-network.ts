import type { Distribution } from '../kernel/distributions.js';
import type { Network } from '../kernel/network.js';
import type { RandomStream } from '../kernel/random.js';

/**
 * The network of a scenario: every link draws its one-way latency from one distribution.
 * Faults on links (partitions, loss, added latency) are layered on this by the fault model.
 */
export class ScenarioNetwork implements Network {
  constructor(private readonly latency: Distribution) {}

  delayUs(_from: number, _to: number, _nowUs: number, random: RandomStream): number {
    return this.latency.sample(random);
  }

  minimumDelayUs(): number {
    return 0;
  }
}
