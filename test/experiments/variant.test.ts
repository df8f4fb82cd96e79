import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ScenarioError } from '../../sim/scenario/load.js';
import { applyChanges } from '../../sim/experiments/variant.js';

const file = 'scenarios/quickstart.yaml';
const text = readFileSync(file, 'utf8');

function problemsOf(action: () => unknown): ScenarioError['problems'] {
  try {
    action();
  } catch (error) {
    if (error instanceof ScenarioError) return error.problems;
    throw error;
  }
  throw new Error('expected a ScenarioError');
}

describe('overrides by path', () => {
  it('set values are validated and parsed like the file: units, numbers, new keys', () => {
    const variant = applyChanges(text, file, [
      { kind: 'set', path: ['workload', 'http', 'rate'], value: '100/s', origin: 'workload.http.rate=100/s' },
      { kind: 'set', path: ['cluster', 'nodes', 'count'], value: 5, origin: 'cluster.nodes.count=5' },
      { kind: 'set', path: ['timeline', 0, 'at'], value: '1m', origin: 'timeline.0.at=1m' },
    ]);
    expect(variant.loaded.scenario.workload.http!.rate).toEqual({ constant: 100 });
    expect(variant.loaded.scenario.cluster.nodes.count).toBe(5);
    expect(variant.loaded.scenario.cluster.nodes.servers).toBe(2);
    expect(variant.loaded.scenario.timeline[0]!.at).toBe(60_000_000);
    expect(variant.text).toContain('# The default scenario');
  });

  it('keeps the layout, so untouched lines stay where they were in the file', () => {
    const variant = applyChanges(text, file, [{ kind: 'set', path: ['workload', 'http', 'rate'], value: '100/s', origin: 'x' }]);
    const original = text.split('\n');
    const changed = variant.text.split('\n');
    const differing = original.filter((line, index) => changed[index] !== line);
    expect(differing).toEqual(['    rate: 40/s']);
  });

  it('a bad value gets the schema message at its place, naming the override it came from', () => {
    const [problem] = problemsOf(() => applyChanges(text, file, [{ kind: 'set', path: ['cluster', 'nodes', 'count'], value: 0, origin: 'cluster.nodes.count=0' }]));
    expect(problem!.path).toBe('cluster.nodes.count');
    expect(problem!.file).toBe(file);
    expect(problem!.line).toBe(9);
    expect(problem!.message).toMatch(/>=1|too small|at least 1/i);
    expect(problem!.message).toContain('(set by cluster.nodes.count=0)');
  });

  it('a misspelt path is an unknown key with the nearest valid one', () => {
    const [problem] = problemsOf(() => applyChanges(text, file, [{ kind: 'set', path: ['cluster', 'nodes', 'cuont'], value: 4, origin: 'cluster.nodes.cuont=4' }]));
    expect(problem!.message).toContain('unknown key "cuont" (did you mean "count"?)');
    expect(problem!.message).toContain('set by cluster.nodes.cuont=4');
  });

  it('cannot step through a value', () => {
    const [problem] = problemsOf(() => applyChanges(text, file, [{ kind: 'set', path: ['duration', 'x'], value: 4, origin: 'duration.x=4' }]));
    expect(problem!.message).toMatch(/duration is a value/);
  });
});

describe('overlays', () => {
  it('merge mappings key by key, replace lists and values, and delete with null', () => {
    const variant = applyChanges(text, file, [
      {
        kind: 'overlay',
        document: { cluster: { server: { threads: 4 } }, timeline: [{ at: '1m', maintenance: { node: 'node2' } }], expect: null },
        origin: 'candidate b.yaml',
      },
    ]);
    const scenario = variant.loaded.scenario;
    expect(scenario.cluster.server).toEqual({ threads: 4, queue: 200 });
    expect(scenario.cluster.nodes).toEqual({ count: 3, servers: 2 });
    expect(scenario.timeline).toHaveLength(1);
    expect(scenario.timeline[0]!.maintenance!.node).toBe('node2');
    expect(scenario.expect).toEqual([]);
  });

  it('an overlay that breaks the schema is reported as the file would be, naming the overlay', () => {
    const [problem] = problemsOf(() => applyChanges(text, file, [{ kind: 'overlay', document: { cluster: { routers: 'two' } }, origin: 'candidate b.yaml' }]));
    expect(problem!.path).toBe('cluster.routers');
    expect(problem!.message).toContain('set by candidate b.yaml');
  });
});
