import seedrandom from 'seedrandom';

/**
 * The limit: a bare, hand-written M/M/c event loop (typed-array binary heap, alea numbers),
 * with nothing of clustersim in it. The kernel is measured against this.
 */
export function bareMmc(options: { servers: number; load: number; customers: number; seed: number }): { events: number; meanWait: number } {
  const random = seedrandom.alea(`bare/${options.seed}`);
  const serviceMean = 1;
  const arrivalMean = serviceMean / (options.load * options.servers);
  let capacity = 1024;
  let times = new Float64Array(capacity);
  let kinds = new Uint8Array(capacity); // 0 arrival, 1 departure
  let size = 0;

  const push = (time: number, kind: number) => {
    if (size === capacity) {
      capacity *= 2;
      const grownTimes = new Float64Array(capacity);
      grownTimes.set(times);
      times = grownTimes;
      const grownKinds = new Uint8Array(capacity);
      grownKinds.set(kinds);
      kinds = grownKinds;
    }
    let position = size++;
    while (position > 0) {
      const parent = (position - 1) >> 1;
      if (times[parent]! <= time) break;
      times[position] = times[parent]!;
      kinds[position] = kinds[parent]!;
      position = parent;
    }
    times[position] = time;
    kinds[position] = kind;
  };
  const popInto = () => {
    const time = times[0]!;
    const kind = kinds[0]!;
    const lastTime = times[--size]!;
    const lastKind = kinds[size]!;
    let position = 0;
    const half = size >> 1;
    while (position < half) {
      let child = 2 * position + 1;
      if (child + 1 < size && times[child + 1]! < times[child]!) child++;
      if (times[child]! >= lastTime) break;
      times[position] = times[child]!;
      kinds[position] = kinds[child]!;
      position = child;
    }
    times[position] = lastTime;
    kinds[position] = lastKind;
    poppedTime = time;
    poppedKind = kind;
  };
  let poppedTime = 0;
  let poppedKind = 0;

  const waiting = new Float64Array(options.customers); // arrival times of queued customers (FIFO ring)
  let head = 0;
  let tail = 0;
  let busy = 0;
  let arrivals = 0;
  let events = 0;
  let totalWait = 0;
  let served = 0;
  push(-arrivalMean * Math.log(1 - random()), 0);
  while (size > 0) {
    popInto();
    events++;
    const now = poppedTime;
    if (poppedKind === 0) {
      arrivals++;
      if (arrivals < options.customers) push(now - arrivalMean * Math.log(1 - random()), 0);
      if (busy < options.servers) {
        busy++;
        served++;
        push(now - serviceMean * Math.log(1 - random()), 1);
      } else {
        waiting[tail++] = now;
      }
    } else if (head < tail) {
      totalWait += now - waiting[head++]!;
      served++;
      push(now - serviceMean * Math.log(1 - random()), 1);
    } else {
      busy--;
    }
  }
  return { events, meanWait: totalWait / served };
}
