import type { Distribution } from '../kernel/distributions.js';
import type { Network } from '../kernel/network.js';
import type { RandomStream } from '../kernel/random.js';

/**
 * The network of a scenario: every link draws its one-way latency from one distribution, and
 * never takes less than `floorUs` (the lookahead that lets node hosts run windows of that
 * length independently). Faults on links (partitions, loss, added latency) are layered on this
 * by the fault model.
 */
export class ScenarioNetwork implements Network {
  constructor(
    private readonly latency: Distribution,
    private readonly floorUs = 0,
  ) {}

  delayUs(_from: number, _to: number, _nowUs: number, random: RandomStream): number {
    const delayUs = this.latency.sample(random);
    return delayUs < this.floorUs ? this.floorUs : delayUs;
  }

  minimumDelayUs(): number {
    return this.floorUs;
  }
}
