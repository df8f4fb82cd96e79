import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeReportFiles } from '../../reports/write.js';
import { allResults, partialResult, partialResultFiles, readShards } from '../../sim/cli/partial-result.js';
import { parseShard, shareOf } from '../../sim/cli/shard.js';

describe('a partial result', () => {
  it('gives back the very numbers written, NaN, infinities and -0 included', () => {
    const directory = join(mkdtempSync(join(tmpdir(), 'clustersim-partial-')), 'shard');
    const figures = { mean: NaN, high: Infinity, low: -Infinity, change: -0, p99: 1.5, text: 'x', nested: [{ number: 3 }] };
    writeReportFiles(directory, partialResultFiles(partialResult({ command: 'sweep', shard: parseShard('0/1'), inputs: [], settings: {}, itemCount: 1, items: [0], results: [figures], interrupted: false })));
    const [result] = allResults(readShards([directory]));
    expect(result).toEqual(figures);
    expect(Object.is((result as typeof figures).change, -0)).toBe(true);
  });

  it('shards deal the items round-robin: each item to exactly one shard', () => {
    expect([0, 1, 2].map((index) => shareOf(8, { index, count: 3 }))).toEqual([
      [0, 3, 6],
      [1, 4, 7],
      [2, 5],
    ]);
    expect(shareOf(2, { index: 4, count: 7 })).toEqual([]);
  });
});
