import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildTopology } from '../../sim/topologies/index.js';
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
    expect(problem).toMatchObject({ line: 13, path: 'timeline.1.maintenance.node', message: 'unknown node "node5" (nodes: node1 to node4, odrnode1)' });
  });

  it('a step that names both a server and a node, or neither', () => {
    expect(problemsOf(valid.replace('{ node: node2 }', '{ node: node2, server: node1/app-1 }'))[0]!.message).toBe('name one of server, node or odr, not server and node');
    expect(problemsOf(valid.replace('{ node: node2 }', '{ mode: break }'))[0]!.message).toMatch(/^name the server/);
  });

  it('a step after the end of the run is refused where it is written: it would silently never happen', () => {
    const problems = problemsOf(valid.replace('duration: 5m', 'duration: 90s'));
    expect(problems.length).toBeGreaterThan(0);
    for (const problem of problems) expect(problem).toMatchObject({ path: expect.stringMatching(/^timeline\.\d+\.at$/), message: expect.stringContaining('2m is after the end of the run (duration 90s)') });
  });

  it('a step at the very end of the run is refused too: the run stops before anything at its end happens', () => {
    const [problem] = problemsOf(valid.replace('duration: 5m', 'duration: 2m'));
    expect(problem).toMatchObject({ path: 'timeline.1.at', message: expect.stringContaining('2m is at the end of the run (duration 2m): the step would never happen; move it before 2m') });
    expect(parseScenario(valid.replace('duration: 5m', 'duration: 120001ms'), 'ok.yaml').scenario.timeline).toHaveLength(2);
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

  it('an unknown ODR, and a node of ODRs', () => {
    expect(problemsOf(valid.replace('{ node: node2 }', '{ odr: odr2 }'))[0]).toMatchObject({ path: 'timeline.1.maintenance.odr', message: 'unknown ODR "odr2" (ODRs: odr1)' });
    expect(() => parseScenario(valid.replace('{ node: node2 }', '{ node: odrnode1 }'))).not.toThrow();
  });

  it('a control step naming an unknown server', () => {
    expect(problemsOf(valid.replace('maintenance: { node: node2 }', 'control: { server: node2/app-9, action: stop }'))[0]).toMatchObject({ path: 'timeline.1.control.server' });
  });

  const withSections = (sections: string) => `${valid}${sections}`;

  it('a dynamic cluster: min greater than max, more than the nodes hold, a name used twice, scale-down above scale-up', () => {
    const problems = problemsOf(
      valid.replace(
        '  nodes: { count: 4, servers: 2 }',
        [
          '  nodes: { count: 4, servers: 2 }',
          '  dynamicClusters:',
          '    - { name: shop, min: 5, max: 3 }',
          '    - { name: app, min: 9, max: 12, verticalStacking: 2 }',
          '    - { name: web, min: 1, max: 2, scaleUpLoad: 50, scaleDownLoad: 60 }',
        ].join('\n'),
      ),
    );
    expect(problems.map((problem) => [problem.path, problem.message])).toEqual([
      ['cluster.dynamicClusters.0.min', 'min (5) is greater than max (3)'],
      ['cluster.dynamicClusters.1.name', 'cluster name "app" is used twice'],
      ['cluster.dynamicClusters.1.min', 'min (9) is more than the nodes can hold (4 nodes × verticalStacking 2)'],
      ['cluster.dynamicClusters.2.scaleDownLoad', 'scaleDownLoad (60) must be below scaleUpLoad (50), or instances start and stop in turn'],
    ]);
  });

  it('a work class or a workload that references no cluster', () => {
    const problems = problemsOf(
      withSections('workClasses:\n  - { name: admin, action: permit, cluster: ap }\n  - { name: admin, action: redirect }\n').replace('    rate: 10/s', '    rate: 10/s\n    cluster: shop'),
    );
    expect(problems.map((problem) => [problem.path, problem.message])).toEqual([
      ['workload.http.cluster', 'unknown cluster "shop" (clusters: app)'],
      ['workClasses.0.cluster', 'unknown cluster "ap" (did you mean "app"? clusters: app)'],
      ['workClasses.1', 'a redirect work class needs redirectTo'],
      ['workClasses.1.name', 'work class name "admin" is used twice'],
    ]);
  });

  it('a health policy without a condition, or watching an unknown server', () => {
    const problems = problemsOf(withSections('healthPolicies:\n  - { name: slow, for: 1m, servers: [node1/app-1, node1/app-7] }\n'));
    expect(problems.map((problem) => problem.path)).toEqual(['healthPolicies.0', 'healthPolicies.0.servers.1']);
  });

  it('a period of zero, which would never let time pass', () => {
    const problems = problemsOf(withSections('routing: { loadReportInterval: 0s }\nplacement: { interval: 0ms }\n'));
    expect(problems.map((problem) => problem.path)).toEqual(['routing.loadReportInterval', 'placement.interval']);
  });

  it('two kinds of cluster in one scenario are refused at the second section', () => {
    const withoutTimeline = valid.slice(0, valid.indexOf('timeline:'));
    const kubernetes = 'kubernetes:\n  deployment: { replicas: 2 }\n';
    const loadBalancer = 'loadBalancer:\n  profile: haproxy\n';
    const clustercats = 'clustercats: {}\n';
    for (const [first, second, named] of [[clustercats, kubernetes, 'kubernetes'], [kubernetes, loadBalancer, 'loadBalancer'], [clustercats, loadBalancer, 'loadBalancer']] as const) {
      const oneKind = problemsOf(withoutTimeline + first + second).filter((problem) => problem.message.includes('one kind of cluster'));
      expect(oneKind, `${named}`).toHaveLength(1);
      expect(oneKind[0]!.path).toBe(named);
    }
  });

  it('a rate profile out of time order', () => {
    const [problem] = problemsOf(valid.replace('rate: 10/s', 'rate: { steps: [{ at: 0s, rate: 1/s }, { at: 2m, rate: 5/s }, { at: 1m, rate: 2/s }] }'));
    expect(problem).toMatchObject({ path: 'workload.http.rate.steps.2.at', message: 'the points of a rate profile must be in time order' });
  });

  it('the names the checks accept are exactly the names the run gives, in every shipped scenario', () => {
    const files = readdirSync('scenarios').filter((file) => file.endsWith('.yaml'));
    expect(files.length).toBeGreaterThan(1);
    for (const file of files) {
      const loaded = loadScenarioFile(join('scenarios', file));
      const topology = buildTopology(loaded, 1);
      const names = new ClusterNames(loaded.scenario);
      for (const server of topology.serverByName.keys()) expect(names.hasServer(server), `${file}: ${server}`).toBe(true);
      for (const node of topology.nodeServers.keys()) expect(names.hasNode(node), `${file}: ${node}`).toBe(true);
      for (const router of topology.routerByName.keys()) expect(names.hasRouter(router), `${file}: ${router}`).toBe(true);
      const { count } = loaded.scenario.cluster.nodes;
      for (const wrong of [`node${count + 1}`, 'node0', 'node01', 'Node1']) expect(names.hasNode(wrong), wrong).toBe(false);
      expect(names.hasServer(`node1/${loaded.scenario.cluster.name}-0`)).toBe(false);
      expect(names.hasServer(`node1/${loaded.scenario.cluster.name}-${loaded.scenario.cluster.nodes.servers + 1}`)).toBe(false);
    }
  });
});
