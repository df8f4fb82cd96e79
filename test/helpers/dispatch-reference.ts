import { namedStream } from '../../sim/kernel/random.js';

/** How a reference dispatcher picks a server: the shortest queue of all, or the shorter of two drawn at random. */
export type Dispatch = 'join-shortest-queue' | 'power-of-two';

/**
 * A tiny simulation of `servers` single-thread FIFO servers fed Poisson arrivals at `load` (of
 * their capacity) with exponential service of mean `meanServiceUs`, dispatched on the true
 * number of requests at each server. Written apart from clustersim, as the yardstick of its
 * router: returns the mean time a request waits for its thread, in microseconds.
 */
export function referenceMeanWaitUs(dispatch: Dispatch, servers: number, load: number, meanServiceUs: number, customers: number, seed: number): number {
  const random = namedStream(seed, `reference/${dispatch}`);
  const exponential = (mean: number) => -Math.log(1 - random()) * mean;
  /** Per server, the departure times of the requests there, in order (FIFO). */
  const departures: number[][] = Array.from({ length: servers }, () => []);
  const heads = new Array<number>(servers).fill(0);
  const inSystem = (server: number, nowUs: number) => {
    const queue = departures[server]!;
    while (heads[server]! < queue.length && queue[heads[server]!]! <= nowUs) heads[server]!++;
    return queue.length - heads[server]!;
  };
  let nowUs = 0;
  let waitSumUs = 0;
  for (let customer = 0; customer < customers; customer++) {
    nowUs += exponential(meanServiceUs / (load * servers));
    let chosen: number;
    if (dispatch === 'power-of-two') {
      const first = Math.floor(random() * servers);
      const second = (first + 1 + Math.floor(random() * (servers - 1))) % servers;
      chosen = inSystem(second, nowUs) < inSystem(first, nowUs) ? second : first;
    } else {
      // Ties go to a random one of the shortest: scan from a random offset.
      const offset = Math.floor(random() * servers);
      chosen = offset;
      for (let step = 1; step < servers; step++) {
        const server = (offset + step) % servers;
        if (inSystem(server, nowUs) < inSystem(chosen, nowUs)) chosen = server;
      }
    }
    const queue = departures[chosen]!;
    const freeAtUs = queue.length > heads[chosen]! ? queue[queue.length - 1]! : nowUs;
    const startUs = Math.max(nowUs, freeAtUs);
    waitSumUs += startUs - nowUs;
    queue.push(startUs + exponential(meanServiceUs));
    if (heads[chosen]! > 4096) {
      queue.splice(0, heads[chosen]!);
      heads[chosen] = 0;
    }
  }
  return waitSumUs / customers;
}
