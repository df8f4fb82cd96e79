/**
 * Shrinking a failing schedule: delta debugging over its steps (Zeller's ddmin: drop chunks,
 * then their complements, at finer and finer granularity, while the failure remains), then
 * each remaining step simplified in turn (candidates simplest first) while the failure remains,
 * then one more pass dropping single steps, since a simpler step may make another redundant.
 * Generic over the step type and the predicate, so it is tested on synthetic predicates.
 */

export interface ShrinkOptions<S> {
  /** True when a schedule still fails the same way. */
  fails: (steps: readonly S[]) => boolean;
  /** Simpler versions of a step, simplest first; empty when there are none. */
  simplify?: (step: S) => S[];
  /** A stable text of a schedule, to test each candidate once. */
  key?: (steps: readonly S[]) => string;
  /** Most predicate evaluations (runs) to spend; the best schedule so far is kept past it. */
  maxTries?: number;
}

export interface ShrinkResult<S> {
  steps: S[];
  /** Predicate evaluations made (runs, for schedules). */
  tries: number;
  /** True when the budget of tries ran out before the schedule was minimal. */
  exhausted: boolean;
}

class OutOfTries extends Error {}

export function shrink<S>(initial: readonly S[], options: ShrinkOptions<S>): ShrinkResult<S> {
  const maxTries = options.maxTries ?? 500;
  const key = options.key ?? ((steps: readonly S[]) => JSON.stringify(steps));
  const known = new Map<string, boolean>();
  let tries = 0;
  const fails = (steps: readonly S[]): boolean => {
    const text = key(steps);
    const cached = known.get(text);
    if (cached !== undefined) return cached;
    if (tries >= maxTries) throw new OutOfTries();
    tries++;
    const verdict = options.fails(steps);
    known.set(text, verdict);
    return verdict;
  };
  // Replaced only by schedules that failed: whatever stops the search, it is a reproducer.
  let best = [...initial];
  try {
    if (fails([])) return { steps: [], tries, exhausted: false };
    best = ddmin(best, fails);
    if (options.simplify !== undefined) {
      best = simplifyEach(best, fails, options.simplify);
      best = dropSingles(best, fails);
    }
    return { steps: best, tries, exhausted: false };
  } catch (error) {
    if (error instanceof OutOfTries) return { steps: best, tries, exhausted: true };
    throw error;
  }

  function ddmin(steps: S[], test: (steps: readonly S[]) => boolean): S[] {
    let current = steps;
    let granularity = 2;
    while (current.length >= 2) {
      const chunks = split(current, granularity);
      let reduced = false;
      for (const chunk of chunks) {
        if (test(chunk)) {
          current = best = chunk;
          granularity = 2;
          reduced = true;
          break;
        }
      }
      if (!reduced) {
        for (let index = 0; index < chunks.length && chunks.length > 2; index++) {
          const complement = chunks.filter((_, other) => other !== index).flat();
          if (test(complement)) {
            current = best = complement;
            granularity = Math.max(granularity - 1, 2);
            reduced = true;
            break;
          }
        }
      }
      if (!reduced) {
        if (granularity >= current.length) break;
        granularity = Math.min(granularity * 2, current.length);
      }
    }
    return current;
  }

  function simplifyEach(steps: S[], test: (steps: readonly S[]) => boolean, simplify: (step: S) => S[]): S[] {
    let current = steps;
    for (let index = 0; index < current.length; index++) {
      // A step simplified is simplified again: a time moved earlier may round further.
      for (let changed = true; changed; ) {
        changed = false;
        for (const candidate of simplify(current[index]!)) {
          const next = current.map((step, other) => (other === index ? candidate : step));
          if (test(next)) {
            current = best = next;
            changed = true;
            break;
          }
        }
      }
    }
    return current;
  }

  function dropSingles(steps: S[], test: (steps: readonly S[]) => boolean): S[] {
    let current = steps;
    for (let index = current.length - 1; index >= 0 && current.length > 1; index--) {
      const next = current.filter((_, other) => other !== index);
      if (test(next)) current = best = next;
    }
    return current;
  }
}

/** `items` in `parts` chunks of nearly equal size, in order. */
function split<S>(items: readonly S[], parts: number): S[][] {
  const chunks: S[][] = [];
  let start = 0;
  for (let part = 0; part < parts; part++) {
    const end = start + Math.floor((items.length - start) / (parts - part));
    if (end > start) chunks.push(items.slice(start, end));
    start = end;
  }
  return chunks;
}
