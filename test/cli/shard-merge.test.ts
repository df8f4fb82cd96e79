import { mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { cli } from '../helpers/cli.js';
import { readTree, spawnClustersim, tinyScenario, writeTinyScenario } from '../helpers/shards.js';

const scratch = mkdtempSync(join(tmpdir(), 'clustersim-shard-merge-'));

describe('explore in shards', () => {
  it('merged, its findings are the unsharded exploration\'s, byte for byte, shrunk reproducers included', async () => {
    const explore = ['explore', 'test/explore/drops-cell.yaml', '--runs', '3', '--seed', '4', '--jobs', '1', '--quiet'];
    const target = join(scratch, 'explore');
    const single = await cli(...explore, '--out', target);
    expect(single.exitCode, single.stderr).toBe(1);
    const expected = readTree(target);
    // The seed finds failures: a merge that lost a group or its shrunk schedule would show.
    expect([...expected.keys()]).toContain('failure-1.yaml');
    renameSync(target, `${target}-unsharded`);
    const directories = [0, 1, 2].map((index) => join(scratch, `explore-${index}`));
    for (const [index, directory] of directories.entries()) await cli(...explore, '--shard', `${index}/3`, '--out', directory);
    const merged = await cli('merge', ...directories, '--out', target, '--quiet');
    expect(merged.exitCode, merged.stderr).toBe(1);
    expect(readTree(target)).toEqual(expected);
  });

  it('refuses --budget with --shard: the runs done would depend on the machine', async () => {
    const result = await cli('explore', 'test/explore/drops-cell.yaml', '--budget', '5s', '--shard', '0/2', '--out', join(scratch, 'budget'));
    expect(result).toMatchObject({ exitCode: 2 });
    expect(result.stderr).toContain('--budget and --shard do not go together');
  });
});

describe('check in shards', () => {
  const suite = join(scratch, 'suite');
  const files = ['a', 'b', 'c'].map((name) => writeTinyScenario(scratch, `${name}.yaml`, tinyScenario.replace('name: tiny', `name: ${name}`)));
  // b fails its expectation: its verdict, reproduce line and exit code must survive the merge.
  writeFileSync(files[1]!, readFileSync(files[1]!, 'utf8').replace('sessions.http.dropped == 0', 'sessions.http.started == 0'));
  const wallTimes = (text: string) => text.replace(/time="[\d.]+"/g, 'time=""').replace(/\| [\d.]+ s \|/g, '| s |');

  it('merges the JUnit XML and Markdown of the whole suite and gathers every scenario report', async () => {
    // The suite and its two shards, each a process of the compiled command, side by side.
    const directories = [0, 1].map((index) => join(scratch, `check-${index}`));
    const [single, ...shards] = await Promise.all([
      spawnClustersim('check', ...files, '--jobs', '1', '--out', suite),
      ...directories.map((directory, index) => spawnClustersim('check', ...files, '--jobs', '1', '--shard', `${index}/2`, '--out', directory)),
    ]);
    expect(single!.code, single!.stderr).toBe(1);
    expect(shards.map((shard) => shard.code)).toEqual([0, 1]);
    const expected = readTree(suite);
    const target = join(scratch, 'check-merged');
    const merged = await cli('merge', ...directories, '--out', target);
    expect(merged.exitCode, merged.stderr).toBe(1);
    expect(merged.stderr).toContain(`reproduce: npx clustersim run ${files[1]}`);
    const actual = readTree(target);
    // Wall times differ from one run to the next; everything else is the unsharded check's.
    expect(wallTimes(actual.get('junit.xml')!)).toEqual(wallTimes(expected.get('junit.xml')!));
    expect(wallTimes(actual.get('summary.md')!)).toEqual(wallTimes(expected.get('summary.md')!));
    expect(actual.get('junit.xml')).toMatch(/<testcase classname="[^"]*a\.yaml"[\s\S]*<testcase classname="[^"]*b\.yaml"[\s\S]*<failure[\s\S]*<testcase classname="[^"]*c\.yaml"/);
    for (const name of ['a', 'b', 'c']) expect(actual.get(`${name}/summary.json`)).toEqual(expected.get(`${name}/summary.json`));
  });
});

describe('merge refuses shards that are not one whole', () => {
  const scenario = writeTinyScenario(scratch, 'errors.yaml');
  const sweep = ['sweep', scenario, '--param', 'cluster.nodes.count=1,2', '--seeds', '1', '--jobs', '1', '--quiet'];
  const shard = async (name: string, spec: string, ...extra: string[]) => {
    const directory = join(scratch, name);
    const result = await cli(...sweep, '--shard', spec, '--out', directory, ...extra);
    expect(result.exitCode, result.stderr).toBe(0);
    return directory;
  };
  const edit = (directory: string, change: (partial: Record<string, unknown>) => void) => {
    const file = join(directory, 'shard.json');
    const partial = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    change(partial);
    writeFileSync(file, JSON.stringify(partial));
  };
  const refused = async (directories: string[], message: string | RegExp) => {
    const result = await cli('merge', ...directories, '--out', join(scratch, 'refused'));
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  };

  it('a missing, duplicated, interrupted or foreign shard is an error naming it', async () => {
    const [first, second, third] = [await shard('e0', '0/3'), await shard('e1', '1/3'), await shard('e2', '2/3')];
    await refused([first, third], `missing shard 1/3 (given: ${first} (shard 0/3), ${third} (shard 2/3))`);
    const copy = await shard('e2-again', '2/3');
    await refused([first, second, third, copy], `shard 2/3 is given twice: ${third} and ${copy}`);
    const otherSplit = await shard('e-of-2', '1/2');
    await refused([first, otherSplit], `${first} (shard 0/3) is one of 3 shards and ${otherSplit} (shard 1/2) one of 2`);
    const overlay = join(scratch, 'overlay.yaml');
    writeFileSync(overlay, 'cluster: { routers: 1 }\n');
    const compareShard = join(scratch, 'e-compare');
    await cli('compare', scenario, '--baseline', overlay, '--candidate', overlay, '--seeds', '2', '--jobs', '1', '--quiet', '--shard', '1/3', '--out', compareShard);
    await refused([first, compareShard, third], `${first} (shard 0/3) is a sweep shard and ${compareShard} (shard 1/3) a compare shard`);
    const otherOptions = await shard('e-seeds', '1/3', '--seeds', '2');
    await refused([first, otherOptions, third], 'were run with different options');
    writeFileSync(scenario, tinyScenario.replace('rate: 10/s', 'rate: 11/s'));
    const otherInput = await shard('e-input', '1/3');
    await refused([first, otherInput, third], `${first} (shard 0/3) and ${otherInput} (shard 1/3) were run on different inputs: ${scenario} differ`);
    edit(second, (partial) => (partial['clustersim'] = '0.0.9'));
    await refused([first, second, third], `${second} (shard 1/3) was written by clustersim 0.0.9, and this is 0.1.0`);
    edit(second, (partial) => Object.assign(partial, { clustersim: '0.1.0', interrupted: true }));
    await refused([first, second, third], `${second} (shard 1/3) was interrupted before its share was done: run that shard again`);
    await refused([scratch], `${scratch} holds no partial result (no shard.json)`);
    // The merged report's place is checked as every output is: never over someone's files.
    edit(second, (partial) => (partial['interrupted'] = false));
    const result = await cli('merge', first, second, third, '--out', scratch);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(`refusing to write the report to ${scratch}: it is not empty and holds no clustersim report`);
  });

  it('--shard is I/N with I from 0 to N-1: anything else is a usage error', async () => {
    for (const [spec, message] of [
      ['3/3', 'shard 3 of 3 does not exist; shards are counted from 0, so I goes from 0 to 2'],
      ['1/0', 'a shard is I/N, N from 1 to 10000'],
      ['-1/2', 'a shard is I/N'],
      ['one/2', 'a shard is I/N'],
      ['', 'a shard is I/N'],
    ] as const) {
      const result = await cli(...sweep, '--shard', spec, '--out', join(scratch, 'bad-shard'));
      expect(result.exitCode, spec).toBe(2);
      expect(result.stderr).toContain(message);
    }
  });
});

describe('the examples shard as they say', () => {
  it('the Indexed Job runs shard $JOB_COMPLETION_INDEX of as many as its completions, and the merge takes them all', () => {
    const job = parse(readFileSync('examples/kubernetes/sweep-job.yaml', 'utf8')) as { spec: { completionMode: string; completions: number; parallelism: number; template: { spec: { containers: { args: string[] }[] } } } };
    expect(job.spec.completionMode).toBe('Indexed');
    const command = job.spec.template.spec.containers[0]!.args.join(' ');
    expect(command).toContain(`--shard "$JOB_COMPLETION_INDEX/${job.spec.completions}"`);
    const scenarioFile = /sweep (\S+)/.exec(command)![1]!;
    expect(readFileSync(scenarioFile, 'utf8')).toContain('sweep:');
    const shardOut = /--out "([^"]+)\$JOB_COMPLETION_INDEX"/.exec(command)![1]!;
    const merge = parse(readFileSync('examples/kubernetes/merge-job.yaml', 'utf8')) as { spec: { template: { spec: { containers: { args: string[] }[] } } } };
    expect(merge.spec.template.spec.containers[0]!.args.join(' ')).toContain(`merge ${shardOut}* --out`);
  });

  it('the workflow\'s matrix is shards 0 to N-1 of --shard I/N, and the merge job downloads every one', () => {
    const workflow = parse(readFileSync('examples/github-actions/sharded-check.yml', 'utf8')) as { jobs: { check: { strategy: { matrix: { shard: number[] } }; steps: { run?: string }[] }; merge: { needs: string; steps: { run?: string; with?: { pattern?: string } }[] } } };
    const shards = workflow.jobs.check.strategy.matrix.shard;
    const check = workflow.jobs.check.steps.map((step) => step.run ?? '').find((run) => run.includes('clustersim check'))!;
    expect(check).toContain(`--shard \${{ matrix.shard }}/${shards.length}`);
    expect(shards).toEqual(shards.map((_, index) => index));
    expect(workflow.jobs.merge.needs).toBe('check');
    expect(workflow.jobs.merge.steps.some((step) => step.with?.pattern === 'check-shard-*')).toBe(true);
    expect(workflow.jobs.merge.steps.some((step) => step.run?.includes('clustersim merge shards/check-shard-*') === true)).toBe(true);
  });
});
