import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { namedStream, StreamTable } from '../../sim/kernel/random.js';

describe('stream table', () => {
  it('gives each stream the numbers of the named stream of the same name, however draws interleave', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 }), fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 200 }), (seed, order) => {
        const names = ['net/a', 'net/b', 'net/c', 'net/d', 'net/e'];
        const table = new StreamTable(names.length, seed, (index) => names[index]!);
        const reference = names.map((name) => namedStream(seed, name));
        for (const index of order) expect(table.select(index)()).toBe(reference[index]!());
      }),
      { numRuns: 100 },
    );
  });

  it('streams of different names differ', () => {
    const table = new StreamTable(2, 1, (index) => `net/${index}`);
    const first = Array.from({ length: 5 }, () => table.select(0)());
    const second = Array.from({ length: 5 }, () => table.select(1)());
    expect(first).not.toEqual(second);
    for (const value of [...first, ...second]) expect(value >= 0 && value < 1).toBe(true);
  });
});
