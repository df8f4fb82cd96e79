import { mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { readTree, spawnClustersim, writeTinyScenario } from '../helpers/shards.js';

const scratch = mkdtempSync(join(tmpdir(), 'clustersim-shard-'));
const scenario = writeTinyScenario(scratch);
// 2 grid points × 3 seeds: 6 runs, so that of 7 shards one has nothing to do.
const question = 'min cluster.nodes.count where sessions.dropped == 0';
const sweepArguments = ['sweep', scenario, '--param', 'cluster.nodes.count=1,2', '--seeds', '3', '--find', question, '--jobs', '1', '--quiet'];
const baseline = join(scratch, 'one-router.yaml');
const candidate = join(scratch, 'two-routers.yaml');
writeFileSync(baseline, 'cluster: { routers: 1 }\n');
writeFileSync(candidate, 'cluster: { routers: 2 }\n');
const compareArguments = ['compare', scenario, '--baseline', baseline, '--candidate', candidate, '--seeds', '3', '--tolerance', 'sessions.dropped<=0', '--jobs', '1', '--quiet'];

/**
 * The unsharded report is written to `target` and set aside, so that the merge writes to the same
 * path: a report names its own directory (reproduce lines), and the bytes must match.
 */
async function unsharded(commandArguments: readonly string[], target: string): Promise<Map<string, string>> {
  const result = await cli(...commandArguments, '--out', target);
  expect(result.exitCode, result.stderr).toBe(0);
  const tree = readTree(target);
  renameSync(target, `${target}-unsharded`);
  return tree;
}

async function shardsInProcess(commandArguments: readonly string[], count: number, name: string): Promise<string[]> {
  const directories: string[] = [];
  for (let index = 0; index < count; index++) {
    const directory = join(scratch, `${name}-${index}-of-${count}`);
    const result = await cli(...commandArguments, '--shard', `${index}/${count}`, '--out', directory);
    expect(result.exitCode, result.stderr).toBe(0);
    directories.push(directory);
  }
  return directories;
}

describe('merged shards of a sweep or comparison are byte for byte the unsharded report', () => {
  it('sweep, N = 1, 2, 3, 7', async () => {
    const target = join(scratch, 'sweep-report');
    const expected = await unsharded(sweepArguments, target);
    expect(expected.get('runs.csv')!.trim().split('\n')).toHaveLength(7);
    for (const count of [1, 2, 3, 7]) {
      const directories = await shardsInProcess(sweepArguments, count, 'sweep');
      // Each shard holds its share only: the split is real, not N copies of the whole sweep.
      const covered = directories.map((directory) => (JSON.parse(readFileSync(join(directory, 'shard.json'), 'utf8')) as { items: number[] }).items);
      expect(covered.flat().sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5]);
      expect(Math.max(...covered.map((items) => items.length))).toBe(Math.ceil(6 / count));
      // The merge takes the shards in any order.
      const merged = await cli('merge', ...directories.reverse(), '--out', target, '--quiet');
      expect(merged.exitCode, merged.stderr).toBe(0);
      expect(readTree(target)).toEqual(expected);
    }
  });

  it('compare, N = 1, 2, 3, 7', async () => {
    const target = join(scratch, 'compare-report');
    const expected = await unsharded(compareArguments, target);
    for (const count of [1, 2, 3, 7]) {
      const directories = await shardsInProcess(compareArguments, count, 'compare');
      const merged = await cli('merge', ...directories, '--out', target, '--quiet');
      expect(merged.exitCode, merged.stderr).toBe(0);
      expect(readTree(target)).toEqual(expected);
    }
  });

  it('shards run as separate processes of the compiled command', async () => {
    const target = join(scratch, 'spawned-report');
    const expected = await unsharded(sweepArguments, target);
    const count = 2;
    const directories = Array.from({ length: count }, (_, index) => join(scratch, `spawned-${index}`));
    const shards = await Promise.all(directories.map((directory, index) => spawnClustersim(...sweepArguments, '--shard', `${index}/${count}`, '--out', directory)));
    for (const shard of shards) expect(shard.code, shard.stderr).toBe(0);
    const merged = await cli('merge', ...directories, '--out', target);
    expect(merged.exitCode, merged.stderr).toBe(0);
    expect(readTree(target)).toEqual(expected);
    // The merge answers the sweep's question as the sweep does.
    expect(merged.stdout).toContain(`  ${question}:\n    1   [seeds passing: 1: 3/3, 2: 3/3]`);
  });
});
