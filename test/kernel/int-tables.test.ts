import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IntMap } from '../../sim/kernel/int-map.js';
import { IntTable } from '../../sim/kernel/int-table.js';

type Operation = { kind: 'set'; key: number; value: number } | { kind: 'delete'; key: number } | { kind: 'clear' };

// Few distinct keys, so that sets, deletes and probe chains collide often; some beyond 2^32.
const key = fc.oneof(fc.integer({ min: 0, max: 40 }), fc.constantFrom(2 ** 31 - 1, 2 ** 32 + 7, 2 ** 53 - 1, 16 * 1_000_003 + 5));
const operation: fc.Arbitrary<Operation> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('set' as const), key, value: fc.oneof(fc.integer(), fc.constantFrom(2 ** 40 + 3, -(2 ** 35), 1.5)) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('delete' as const), key }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'clear' as const }) },
);

// The two tables share their probing; IntTable keeps number values beside the keys.
const tables = [
  { name: 'IntMap', create: (expectedSize?: number) => new IntMap<number>(expectedSize) },
  { name: 'IntTable', create: (expectedSize?: number) => new IntTable(expectedSize) },
];

describe.each(tables)('$name', ({ create }) => {
  it('holds what a Map holds after any sequence of sets, deletes and clears', () => {
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 300 }), (operations) => {
        const table = create(2);
        const model = new Map<number, number>();
        for (const op of operations) {
          if (op.kind === 'set') {
            table.set(op.key, op.value);
            model.set(op.key, op.value);
          } else if (op.kind === 'delete') expect(table.delete(op.key)).toBe(model.delete(op.key));
          else {
            table.clear();
            model.clear();
          }
          expect(table.size).toBe(model.size);
        }
        for (let probe = 0; probe <= 40; probe++) {
          expect(table.get(probe)).toBe(model.get(probe));
          expect(table.has(probe)).toBe(model.has(probe));
        }
        expect(table.entryList().sort((a, b) => a[0] - b[0])).toEqual([...model.entries()].sort((a, b) => a[0] - b[0]));
        if (table instanceof IntMap) expect(table.valueList().sort((a, b) => a - b)).toEqual([...model.values()].sort((a, b) => a - b));
      }),
      { numRuns: 300, seed: 7 },
    );
  });

  it('keeps a sliding window over 200,000 ids, as requests in flight do', () => {
    const table = create();
    const window = 1000;
    let deleted = 0;
    for (let id = 0; id < 200_000; id++) {
      table.set(id * 16 + 3, id);
      if (id >= window && table.delete((id - window) * 16 + 3)) deleted++;
    }
    expect(deleted).toBe(200_000 - window);
    expect(table.size).toBe(window);
    expect(table.get((200_000 - window) * 16 + 3)).toBe(200_000 - window);
    expect(table.get((200_000 - window - 1) * 16 + 3)).toBeUndefined();
  });
});
