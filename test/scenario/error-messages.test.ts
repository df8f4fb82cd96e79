import { describe, expect, it } from 'vitest';
import { formatProblem, parseScenario, ScenarioError, type ScenarioProblem } from '../../sim/scenario/load.js';

const valid = `name: ok
duration: 5m
cluster:
  nodes: { count: 2, servers: 2 }
workload:
  http:
    rate: 10/s
    service: { exponential: 20ms }
timeline:
  - at: 1m
    maintenance: { server: node1/app-1, mode: affinity }
`;

function problemsOf(text: string): ScenarioProblem[] {
  try {
    parseScenario(text, 'bad.yaml');
  } catch (error) {
    if (error instanceof ScenarioError) return [...error.problems];
    throw error;
  }
  throw new Error('the scenario was accepted');
}

function onlyProblem(text: string): ScenarioProblem {
  const problems = problemsOf(text);
  expect(problems, problems.map(formatProblem).join('\n')).toHaveLength(1);
  return problems[0]!;
}

describe('scenario errors: every kind of schema problem in plain words', () => {
  it('the valid base file is accepted', () => {
    expect(parseScenario(valid).scenario.timeline).toHaveLength(1);
  });

  it('a misspelt enum value lists the choices and suggests the nearest', () => {
    const problem = onlyProblem(valid.replace('mode: affinity', 'mode: afinity'));
    expect(problem).toMatchObject({ line: 11, column: 47, path: 'timeline.0.maintenance.mode' });
    expect(problem.message).toBe('expected one of "affinity", "break", "stop", got "afinity" (did you mean "affinity"?)');
  });

  it('a number below its minimum says the bound and the value', () => {
    const problem = onlyProblem(valid.replace('count: 2', 'count: 0'));
    expect(problem).toMatchObject({ line: 4, column: 19, path: 'cluster.nodes.count', message: 'must be at least 1, got 0' });
  });

  it('a number above its maximum says the bound', () => {
    expect(onlyProblem(valid.replace('servers: 2', 'servers: 5000')).message).toBe('must be at most 1,000, got 5000');
  });

  it('a fraction where a whole number belongs', () => {
    expect(onlyProblem(valid.replace('count: 2', 'count: 1.5')).message).toBe('expected a whole number, got 1.5');
  });

  it('an empty list where one item is needed', () => {
    const problem = onlyProblem(valid.replace('{ exponential: 20ms }', '{ empirical: [] }'));
    expect(problem).toMatchObject({ path: 'workload.http.service.empirical', message: 'needs at least 1 item, has 0' });
  });

  it('a missing key is named, with what it should hold, where its mapping is', () => {
    const problem = onlyProblem(valid.replace('    rate: 10/s\n', ''));
    expect(problem).toMatchObject({ line: 6, column: 3, path: 'workload.http.rate' });
    expect(problem.message).toBe('missing key "rate": expected a rate with a unit (/s, /m or /h), e.g. 400/s, or { steps: [{ at: 0s, rate: 100/s }, ...] }');
  });

  it('a rate that is a bare number says what a rate looks like', () => {
    expect(onlyProblem(valid.replace('rate: 10/s', 'rate: 10')).message).toMatch(/^expected a rate with a unit \(\/s, \/m or \/h\), e\.g\. 400\/s, or \{ steps: .*, got 10$/);
  });

  it('a rate with an unknown unit', () => {
    expect(onlyProblem(valid.replace('rate: 10/s', 'rate: 10/ms')).message).toContain('unknown rate unit "ms"');
  });

  it('a duration with an unknown unit', () => {
    const problem = onlyProblem(valid.replace('duration: 5m', 'duration: 5 minutes'));
    expect(problem).toMatchObject({ line: 2, column: 11, path: 'duration' });
    expect(problem.message).toContain('unknown duration unit "minutes"');
  });

  it('a negative ClusterCATS drain-down period is refused where it is written', () => {
    const drain = `${valid.replace(/timeline:[\s\S]*$/, '')}clustercats: {}\ntimeline:\n  - at: 1m\n    clustercats: { member: node1/app-1, service: stopped, drainDownPeriod: -5m }\n`;
    const problem = onlyProblem(drain);
    expect(problem).toMatchObject({ line: 12, column: 76, path: 'timeline.0.clustercats.drainDownPeriod' });
    expect(problem.message).toBe('"-5m" is negative: durations must be zero or more');
  });

  it('a duration too long to count in microseconds', () => {
    expect(onlyProblem(valid.replace('duration: 5m', 'duration: 99999999999h')).message).toContain('too long');
  });

  it('a distribution written as a number says what a distribution looks like', () => {
    expect(onlyProblem(valid.replace('{ exponential: 20ms }', '20ms')).message).toMatch(/^expected a distribution, e\.g\. \{ exponential: 3s \}/);
  });

  it('a union (a count or a distribution of counts) reports the problem of the form that was meant', () => {
    const withRequests = (requests: string) => valid.replace('    service:', `    requests: ${requests}\n    service:`);
    expect(onlyProblem(withRequests('{ uniform: { min: 3 } }'))).toMatchObject({ path: 'workload.http.requests.uniform.max', message: 'missing key "max": expected a whole number' });
    expect(onlyProblem(withRequests('0'))).toMatchObject({ path: 'workload.http.requests', message: 'must be at least 1, got 0' });
    expect(onlyProblem(withRequests('lots')).message).toBe('expected a whole number, or a distribution of counts, e.g. { uniform: { min: 3, max: 12 } }, got "lots"');
  });

  it('a custom refinement: min greater than max', () => {
    const problem = onlyProblem(valid.replace('{ exponential: 20ms }', '{ uniform: { min: 9ms, max: 1ms } }'));
    expect(problem).toMatchObject({ path: 'workload.http.service.uniform', message: 'min is greater than max' });
  });

  it('a misspelt key suggests the nearest, without the knock-on "give exactly one" problem', () => {
    const problem = onlyProblem(valid.replace('{ exponential: 20ms }', '{ exponental: 20ms }'));
    expect(problem).toMatchObject({ line: 8, column: 16, path: 'workload.http.service.exponental', message: 'unknown key "exponental" (did you mean "exponential"?)' });
  });

  it('an unknown key far from every known one lists the known keys', () => {
    const message = onlyProblem(`${valid}zzzzzz: 1\n`).message;
    expect(message).toMatch(/^unknown key "zzzzzz" \(known keys: name, description, seed, duration, cluster, network, workload, .*\)$/);
    expect(message).toContain('limits');
  });

  it('every unknown key of a mapping is reported, each at its own line', () => {
    const problems = problemsOf(`${valid}foo: 1\nbar: 2\n`);
    expect(problems.map((problem) => [problem.line, problem.path])).toEqual([
      [12, 'foo'],
      [13, 'bar'],
    ]);
  });

  it('a name with spaces says which characters are allowed', () => {
    expect(onlyProblem(valid.replace('name: ok', 'name: "my run"')).message).toBe('use letters, digits, dot, dash or underscore, got "my run"');
  });

  it('an empty file and a file that is not a mapping', () => {
    expect(onlyProblem('').message).toBe('the scenario is empty: expected a mapping with name, duration, cluster, workload');
    expect(onlyProblem('just text\n').message).toBe('expected a mapping (key: value), got "just text"');
  });

  it('a key given as a list instead of a mapping', () => {
    expect(onlyProblem(valid.replace('cluster:\n  nodes: { count: 2, servers: 2 }', 'cluster:\n  nodes: [2, 2]')).message).toBe('expected a mapping (key: value), got a list');
  });

  it('problems are listed in the order of the file', () => {
    const problems = problemsOf(valid.replace('mode: affinity', 'mode: x').replace('count: 2', 'count: 0'));
    expect(problems.map((problem) => problem.line)).toEqual([4, 11]);
  });

  it('a YAML alias bomb is refused as a scenario error', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x]', ...Array.from({ length: 8 }, (_, index) => `${String.fromCharCode(98 + index)}: &${String.fromCharCode(98 + index)} [${Array(9).fill(`*${String.fromCharCode(97 + index)}`).join(', ')}]`)].join('\n');
    expect(problemsOf(bomb)[0]!.message).toMatch(/^YAML: /);
  });

  it('a second YAML document, in words a user acts on', () => {
    expect(problemsOf(`${valid}---\nname: other\n`)[0]).toMatchObject({ line: 12, message: 'YAML: a scenario file holds one document; remove the "---" that starts a second one' });
  });

  it('a __proto__ key is refused, so nothing is inherited past the check for unknown keys', () => {
    const [problem] = problemsOf(valid.replace('duration: 5m', 'duration: 5m\n__proto__: { seed: 3 }'));
    expect(problem).toMatchObject({ line: 3, column: 1, message: 'unknown key "__proto__"' });
  });

  it('a duplicate key is a YAML error at its line', () => {
    expect(problemsOf(valid.replace('duration: 5m', 'duration: 5m\nduration: 6m'))[0]).toMatchObject({ line: 3 });
  });
});
