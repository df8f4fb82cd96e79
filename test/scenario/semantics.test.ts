import { describe, expect, it } from 'vitest';
import { buildTopology } from '../../sim/run/build.js';
import { loadScenarioFile, parseScenario, ScenarioError, type ScenarioProblem } from '../../sim/scenario/load.js';
import { ClusterNames } from '../../sim/scenario/semantics.js';

const valid = `name: ok
duration: 5m
cluster:
  nodes: { count: 4, servers: 2 }
workload:
  http:
    rate: 10/s
    service: { exponential: 20ms }
timeline:
  - at: 1m
    maintenance: { server: node1/app-1 }
  - at: 2m
    maintenance: { node: node2 }
expect:
  - sessions.http.dropped == 0
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

describe('semantic checks', () => {
  it('the valid base file is accepted', () => {
    expect(parseScenario(valid).scenario.timeline).toHaveLength(2);
  });

  it('a timeline step naming an unknown server is located at the name, with the servers there are', () => {
    const [problem] = problemsOf(valid.replace('server: node1/app-1', 'server: node9/app-1'));
    expect(problem).toMatchObject({ line: 11, column: 28, path: 'timeline.0.maintenance.server' });
    expect(problem!.message).toBe('unknown server "node9/app-1" (servers are node1/app-1 to node4/app-2)');
  });

  it('a misspelt server name gets a suggestion', () => {
    expect(problemsOf(valid.replace('server: node1/app-1', 'server: node1/ap-1'))[0]!.message).toContain('did you mean "node1/app-1"?');
  });

  it('a server number beyond the node is unknown', () => {
    expect(problemsOf(valid.replace('server: node1/app-1', 'server: node1/app-3'))[0]!.message).toContain('unknown server "node1/app-3"');
  });

  it('a timeline step naming an unknown node', () => {
    const [problem] = problemsOf(valid.replace('node: node2', 'node: node5'));
    expect(problem).toMatchObject({ line: 13, path: 'timeline.1.maintenance.node', message: 'unknown node "node5" (nodes are node1 to node4)' });
  });

  it('a step that names both a server and a node, or neither', () => {
    expect(problemsOf(valid.replace('{ node: node2 }', '{ node: node2, server: node1/app-1 }'))[0]!.message).toBe('name a server or a node, not both');
    expect(problemsOf(valid.replace('{ node: node2 }', '{ mode: break }'))[0]!.message).toMatch(/^name the server/);
  });

  it('a step at or after the end of the run would never happen', () => {
    const [problem] = problemsOf(valid.replace('at: 2m', 'at: 5m'));
    expect(problem).toMatchObject({ line: 12, path: 'timeline.1.at' });
    expect(problem!.message).toContain('not before the end of the run');
  });

  it('an expectation that does not parse is found before the run', () => {
    const [problem] = problemsOf(valid.replace('dropped == 0', 'dropped = 0'));
    expect(problem).toMatchObject({ line: 15, path: 'expect.0' });
  });

  it('a cluster too big to build is refused', () => {
    expect(problemsOf(valid.replace('count: 4, servers: 2', 'count: 100000, servers: 1000'))[0]!.message).toContain('at most 100,000');
  });

  it('all semantic problems of a file are reported at once', () => {
    const problems = problemsOf(valid.replace('node1/app-1', 'node7/app-1').replace('node: node2', 'node: node0'));
    expect(problems.map((problem) => problem.path)).toEqual(['timeline.0.maintenance.server', 'timeline.1.maintenance.node']);
  });

  it('the names the checks accept are exactly the names the run gives', () => {
    for (const loaded of [loadScenarioFile('scenarios/quickstart.yaml'), parseScenario(valid.replace('nodes: {', 'name: shop\n  nodes: {').replace('node1/app-1', 'node1/shop-1'))]) {
      const topology = buildTopology(loaded);
      const names = new ClusterNames(loaded.scenario);
      for (const server of topology.serverByName.keys()) expect(names.hasServer(server), server).toBe(true);
      for (const node of topology.nodeServers.keys()) expect(names.hasNode(node), node).toBe(true);
      const { count, servers } = loaded.scenario.cluster.nodes;
      expect(topology.serverByName.size).toBe(count * servers);
      for (const wrong of [`node${count + 1}`, 'node0', 'node01', 'Node1']) expect(names.hasNode(wrong), wrong).toBe(false);
      expect(names.hasServer(`node1/${loaded.scenario.cluster.name}-${servers + 1}`)).toBe(false);
      expect(names.hasServer(`node1/${loaded.scenario.cluster.name}-0`)).toBe(false);
    }
  });
});
