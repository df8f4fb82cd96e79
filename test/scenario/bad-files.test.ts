import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseScenario, ScenarioError } from '../../sim/scenario/load.js';

const valid = `name: ok
duration: 5m
cluster:
  nodes: { count: 2, servers: 2 }
workload:
  http:
    rate: 10/s
    service: { exponential: 20ms }
`;

function problemsOf(text: string) {
  try {
    parseScenario(text, 'bad.yaml');
  } catch (error) {
    if (error instanceof ScenarioError) return error.problems;
    throw error;
  }
  throw new Error('the scenario was accepted');
}

describe('bad scenario files', () => {
  it('accepts the valid base file', () => {
    expect(parseScenario(valid).scenario.cluster.nodes.count).toBe(2);
  });

  it('a YAML syntax error names its line and column', () => {
    const [problem] = problemsOf(valid.replace('rate: 10/s', 'rate: [10/s'));
    expect(problem).toMatchObject({ file: 'bad.yaml', line: 8 }); // where the unclosed list is found open
    expect(problem!.message).toMatch(/^YAML:/);
  });

  it('an unknown key is named with its path and the nearest valid key', () => {
    const [problem] = problemsOf(valid.replace('servers: 2', 'servrs: 2').replace('count: 2,', 'count: 2, servers: 1,'));
    expect(problem).toMatchObject({ line: 4, path: 'cluster.nodes.servrs' });
    expect(problem!.message).toContain('did you mean "servers"');
  });

  it('a wrong type says what was expected and what was found', () => {
    const [problem] = problemsOf(valid.replace('count: 2', 'count: two'));
    expect(problem).toMatchObject({ line: 4, path: 'cluster.nodes.count' });
    expect(problem!.message).toContain('expected a whole number, got "two"');
  });

  it('a negative duration is refused at its place', () => {
    const [problem] = problemsOf(valid.replace('duration: 5m', 'duration: -5m'));
    expect(problem).toMatchObject({ line: 2, column: 11, path: 'duration' });
    expect(problem!.message).toContain('negative');
  });

  it('the CLI prints file:line:col and exits with code 2, without a stack trace', () => {
    const directory = mkdtempSync(join(tmpdir(), 'clustersim-bad-'));
    const file = join(directory, 'bad.yaml');
    writeFileSync(file, valid.replace('rate: 10/s', 'rate: fast'));
    const result = spawnSync(process.execPath, ['bin/clustersim.mjs', 'run', file, '--out', join(directory, 'out')], { encoding: 'utf8' });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`${file}:7:11: "fast" is not a rate`);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
