import { parseExpectation } from '../run/expectations.js';
import { nearest } from './issues.js';
import { loadBalancerSettings } from './semantics-load-balancer.js';
import type { LoadedScenario, ScenarioProblem } from './load.js';
import type { Scenario } from './schema.js';
import { kubernetesSemantics } from './semantics-kubernetes.js';
import { formatDuration } from './units.js';

/**
 * Checks that need more than one field: what the schema cannot say alone (a timeline step names
 * a server that the cluster has, a work class names a cluster that exists, min is not above
 * max). Each check reports every problem it finds, located with `problemAt`, so that a user
 * fixes a file in one pass, before anything is built.
 */
export type SemanticCheck = (scenario: Scenario, problemAt: ProblemAt) => ScenarioProblem[];
type ProblemAt = LoadedScenario['problemAt'];

/** Every semantic check, in the order of the sections they look at. Add a section's check here. */
const checks: readonly SemanticCheck[] = [
  oneTopology,
  clusterSize,
  dynamicClusters,
  intervals,
  workloadClusters,
  rateProfiles,
  workClasses,
  healthPolicies,
  timelineTargets,
  timelineTimes,
  kubernetesSemantics,
  expectations,
  loadBalancerSettings,
];

export function checkSemantics(loaded: LoadedScenario): ScenarioProblem[] {
  return checks.flatMap((check) => check(loaded.scenario, loaded.problemAt));
}

/** The sections that each make a scenario a topology of its own kind (sim/topologies/): at most one. */
const topologySections = ['clustercats', 'kubernetes', 'loadBalancer'] as const;

function oneTopology(scenario: Scenario, problemAt: ProblemAt): ScenarioProblem[] {
  const given = topologySections.filter((section) => scenario[section] !== undefined);
  if (given.length <= 1) return [];
  return [problemAt([given[1]!], `a scenario describes one kind of cluster: ${given.join(' and ')} cannot go together (keep one of them)`)];
}

// Beyond this a run spends its time building actors; a bigger cluster is almost surely a typo.
const maxServers = 100_000;

/**
 * Instance slots a dynamic cluster has on each node: twice its vertical stacking, so the slots
 * never decide how many instances a node runs; the vertical limit does (sim/topologies/websphere/servers.ts).
 */
export function instanceSlotsPerNode(verticalStacking: number): number {
  return 2 * verticalStacking;
}

function clusterSize(scenario: Scenario, problemAt: ProblemAt): ScenarioProblem[] {
  const { count, servers } = scenario.cluster.nodes;
  const perNode = servers + scenario.cluster.dynamicClusters.reduce((total, spec) => total + instanceSlotsPerNode(spec.verticalStacking), 0);
  if (count * perNode <= maxServers) return [];
  return [problemAt(['cluster', 'nodes'], `${count} nodes × ${perNode} servers is ${(count * perNode).toLocaleString('en-US')} servers: at most ${maxServers.toLocaleString('en-US')}`)];
}

function dynamicClusters(scenario: Scenario, problemAt: ProblemAt): ScenarioProblem[] {
  const nodeCount = scenario.cluster.nodes.count;
  const seen = new Set([scenario.cluster.name]);
  return scenario.cluster.dynamicClusters.flatMap((spec, index) => {
    const path = ['cluster', 'dynamicClusters', index];
    const problems: ScenarioProblem[] = [];
    if (seen.has(spec.name)) problems.push(problemAt([...path, 'name'], `cluster name "${spec.name}" is used twice`));
    seen.add(spec.name);
    if (spec.min > spec.max) problems.push(problemAt([...path, 'min'], `min (${spec.min}) is greater than max (${spec.max})`));
    else if (spec.min > nodeCount * spec.verticalStacking) {
      problems.push(problemAt([...path, 'min'], `min (${spec.min}) is more than the nodes can hold (${nodeCount} nodes × verticalStacking ${spec.verticalStacking})`));
    }
    if (spec.scaleUpLoad > 0 && spec.scaleDownLoad > 0 && spec.scaleDownLoad >= spec.scaleUpLoad) {
      problems.push(problemAt([...path, 'scaleDownLoad'], `scaleDownLoad (${spec.scaleDownLoad}) must be below scaleUpLoad (${spec.scaleUpLoad}), or instances start and stop in turn`));
    }
    return problems;
  });
}

// A period of zero would make its actor act again at the same instant, for ever.
function intervals(scenario: Scenario, problemAt: ProblemAt): ScenarioProblem[] {
  const periods: [(string | number)[], number | undefined][] = [
    [['routing', 'loadReportInterval'], scenario.routing.loadReportInterval],
    [['placement', 'interval'], scenario.placement.interval],
    [['clustercats', 'loadReportInterval'], scenario.clustercats?.loadReportInterval],
    [['clustercats', 'heartbeat', 'interval'], scenario.clustercats?.heartbeat.interval],
    [['routing', 'advisor', 'interval'], scenario.routing.advisor.interval],
    [['routing', 'advisor', 'timeout'], scenario.routing.advisor.timeout],
  ];
  const problems = periods.flatMap(([path, periodUs]) => (periodUs === 0 ? [problemAt(path, 'must be longer than 0: an action repeated every 0s never lets time pass')] : []));
  const heartbeat = scenario.clustercats?.heartbeat;
  if (heartbeat !== undefined && heartbeat.interval > 0 && heartbeat.timeout <= heartbeat.interval) {
    problems.push(problemAt(['clustercats', 'heartbeat', 'timeout'], `timeout (${formatDuration(heartbeat.timeout)}) must be longer than interval (${formatDuration(heartbeat.interval)}), or every member is taken for failed`));
  }
  return problems;
}

const protocols = ['http', 'sip', 'ejb', 'jms'] as const;

function workloadClusters(scenario: Scenario, problemAt: ProblemAt): ScenarioProblem[] {
  const names = new ClusterNames(scenario);
  return protocols.flatMap((protocol) => {
    const cluster = scenario.workload[protocol]?.cluster;
    return cluster === undefined || names.hasCluster(cluster) ? [] : [problemAt(['workload', protocol, 'cluster'], `unknown cluster "${cluster}"${names.suggestCluster(cluster)}`)];
  });
}

function rateProfiles(scenario: Scenario, problemAt: ProblemAt): ScenarioProblem[] {
  return protocols.flatMap((protocol) => {
    const rate = scenario.workload[protocol]?.rate;
    if (rate === undefined) return [];
    for (const shape of ['steps', 'linear'] as const) {
      const points = rate[shape];
      const unordered = points?.findIndex((point, index) => index > 0 && point.at < points[index - 1]!.at) ?? -1;
      if (unordered > 0) return [problemAt(['workload', protocol, 'rate', shape, unordered, 'at'], 'the points of a rate profile must be in time order')];
    }
    return [];
  });
}

function workClasses(scenario: Scenario, problemAt: ProblemAt): ScenarioProblem[] {
  const names = new ClusterNames(scenario);
  const seen = new Set<string>();
  return scenario.workClasses.flatMap((spec, index) => {
    const problems: ScenarioProblem[] = [];
    if (seen.has(spec.name)) problems.push(problemAt(['workClasses', index, 'name'], `work class name "${spec.name}" is used twice`));
    seen.add(spec.name);
    if (spec.cluster !== undefined && !names.hasCluster(spec.cluster)) {
      problems.push(problemAt(['workClasses', index, 'cluster'], `unknown cluster "${spec.cluster}"${names.suggestCluster(spec.cluster)}`));
    }
    if (spec.action === 'redirect' && spec.redirectTo === undefined) problems.push(problemAt(['workClasses', index], 'a redirect work class needs redirectTo'));
    return problems;
  });
}

function healthPolicies(scenario: Scenario, problemAt: ProblemAt): ScenarioProblem[] {
  const names = new ClusterNames(scenario);
  return scenario.healthPolicies.flatMap((spec, index) => {
    const problems: ScenarioProblem[] = [];
    if (spec.responseTime === undefined && spec.errorRate === undefined) problems.push(problemAt(['healthPolicies', index], 'give a condition: responseTime or errorRate'));
    (spec.servers ?? []).forEach((server, serverIndex) => {
      if (!names.hasServer(server)) problems.push(problemAt(['healthPolicies', index, 'servers', serverIndex], `unknown server "${server}"${names.suggestServer(server)}`));
    });
    return problems;
  });
}

function timelineTargets(scenario: Scenario, problemAt: ProblemAt): ScenarioProblem[] {
  // A ClusterCATS cluster has members instead, and its builder checks its own steps.
  if (scenario.clustercats !== undefined) return [];
  const names = new ClusterNames(scenario);
  return scenario.timeline.flatMap((step, index) => {
    const control = step.control;
    if (control !== undefined) {
      return names.hasServer(control.server) ? [] : [problemAt(['timeline', index, 'control', 'server'], `unknown server "${control.server}"${names.suggestServer(control.server)}`)];
    }
    const target = step.maintenance;
    if (target === undefined) return [];
    const path = ['timeline', index, 'maintenance'];
    const named = (['server', 'node', 'odr'] as const).filter((key) => target[key] !== undefined);
    if (named.length > 1) return [problemAt(path, `name one of server, node or odr, not ${named.join(' and ')}`)];
    if (target.server !== undefined) {
      return names.hasServer(target.server) ? [] : [problemAt([...path, 'server'], `unknown server "${target.server}"${names.suggestServer(target.server)}`)];
    }
    if (target.node !== undefined) {
      return names.hasNode(target.node) ? [] : [problemAt([...path, 'node'], `unknown node "${target.node}"${names.suggestNode(target.node)}`)];
    }
    if (target.odr !== undefined) {
      return names.hasRouter(target.odr) ? [] : [problemAt([...path, 'odr'], `unknown ODR "${target.odr}" (ODRs: ${range('odr', scenario.cluster.routers)})`)];
    }
    return [problemAt(path, 'name the server (e.g. server: node1/app-1), node (node: node1) or ODR (odr: odr1) to put into maintenance')];
  });
}

/** A step at or after the end of the run would silently never happen: the run stops before its end instant. */
function timelineTimes(scenario: Scenario, problemAt: ProblemAt): ScenarioProblem[] {
  const end = formatDuration(scenario.duration);
  return scenario.timeline.flatMap((step, index) => {
    if (step.at >= scenario.duration) {
      const where = step.at === scenario.duration ? 'at' : 'after';
      return [problemAt(['timeline', index, 'at'], `${formatDuration(step.at)} is ${where} the end of the run (duration ${end}): the step would never happen; move it before ${end}, or lengthen duration`)];
    }
    if (step.within !== undefined && step.at + step.within > scenario.duration) {
      return [problemAt(['timeline', index, 'within'], `the window [${formatDuration(step.at)}, ${formatDuration(step.at + step.within)}) reaches past the end of the run (${end}): the fault could be drawn after it`)];
    }
    return [];
  });
}

const protocolNames = ['http', 'sip', 'ejb', 'jms'] as const;

/**
 * An expectation that does not parse, or names a figure this scenario cannot have (a protocol it
 * has no workload of, a server it has not), is found before the run rather than after it.
 */
function expectations(scenario: Scenario, problemAt: ProblemAt): ScenarioProblem[] {
  const names = new ClusterNames(scenario);
  const protocols = protocolNames.filter((protocol) => scenario.workload[protocol] !== undefined);
  return scenario.expect.flatMap((line, index) => {
    const parsed = parseExpectation(line);
    if (typeof parsed === 'string') return [problemAt(['expect', index], parsed)];
    const [first, second] = parsed.path;
    // `protocols.http.x`, or the short form `sessions.http.x`.
    const protocol = second;
    if (protocol !== undefined && (protocolNames as readonly string[]).includes(protocol) && !(protocols as readonly string[]).includes(protocol)) {
      return [problemAt(['expect', index], `"${line}": the scenario has no ${protocol} workload, so no ${protocol} figures (its protocols: ${protocols.join(', ') || 'none'})`)];
    }
    if ((first === 'servers' || first === 'drain') && second !== undefined && !names.hasServer(second)) {
      return [problemAt(['expect', index], `"${line}": unknown server "${second}"${names.suggestServer(second)}`)];
    }
    return [];
  });
}

/**
 * The names the run gives nodes, servers, ODRs and clusters (`node2`, `node2/app-1`,
 * `node2/shop-3`, `odr1`, `odrnode1`), as sim/topologies/websphere/ makes them; a test keeps the two in
 * step. Names are parsed rather than listed, since a cluster may have many thousands.
 */
export class ClusterNames {
  private readonly nodeCount: number;
  private readonly routerCount: number;
  /** Each cluster and its servers per node: the static cluster, then the dynamic ones. */
  private readonly clusters: readonly { name: string; perNode: number }[];

  constructor(scenario: Scenario) {
    const cluster = scenario.cluster;
    this.nodeCount = cluster.nodes.count;
    this.routerCount = scenario.clustercats === undefined ? cluster.routers : 0;
    this.clusters = [{ name: cluster.name, perNode: cluster.nodes.servers }, ...cluster.dynamicClusters.map((spec) => ({ name: spec.name, perNode: instanceSlotsPerNode(spec.verticalStacking) }))];
  }

  hasCluster(name: string): boolean {
    return this.clusters.some((cluster) => cluster.name === name);
  }

  hasNode(name: string): boolean {
    return numbered(name, 'node', this.nodeCount) || numbered(name, 'odrnode', this.routerCount);
  }

  hasRouter(name: string): boolean {
    return numbered(name, 'odr', this.routerCount);
  }

  hasServer(name: string): boolean {
    const slash = name.indexOf('/');
    if (slash < 0 || !numbered(name.slice(0, slash), 'node', this.nodeCount)) return false;
    const member = name.slice(slash + 1);
    return this.clusters.some((cluster) => member.startsWith(`${cluster.name}-`) && numbered(member, `${cluster.name}-`, cluster.perNode));
  }

  suggestCluster(name: string): string {
    const known = this.clusters.map((cluster) => cluster.name);
    const suggestion = nearest(name, known);
    return ` (${suggestion === undefined ? '' : `did you mean "${suggestion}"? `}clusters: ${known.join(', ')})`;
  }

  suggestNode(name: string): string {
    const suggestion = spellingFix(name, this.nodeNames(name));
    const odrNodes = this.routerCount > 0 ? `, ${range('odrnode', this.routerCount)}` : '';
    return ` (${suggestion === undefined ? '' : `did you mean "${suggestion}"? `}nodes: ${range('node', this.nodeCount)}${odrNodes})`;
  }

  suggestServer(name: string): string {
    const populated = this.clusters.filter((cluster) => cluster.perNode > 0);
    if (populated.length === 0) return ' (the cluster has no servers)';
    const slash = name.indexOf('/');
    const node = slash < 0 || !this.hasNode(name.slice(0, slash)) ? 'node1' : name.slice(0, slash);
    const candidates = this.nodeNames(node).flatMap((nodeName) => populated.flatMap((cluster) => Array.from({ length: Math.min(cluster.perNode, 50) }, (_, index) => `${nodeName}/${cluster.name}-${index + 1}`)));
    const suggestion = spellingFix(name, candidates);
    const ranges = populated.map((cluster) => `node1/${cluster.name}-1 to node${this.nodeCount}/${cluster.name}-${cluster.perNode}`).join(', ');
    return ` (${suggestion === undefined ? '' : `did you mean "${suggestion}"? `}servers are ${ranges})`;
  }

  /** A few node names near a written one (not all: a cluster may have thousands). */
  private nodeNames(near: string): string[] {
    const written = Number(/(\d+)/.exec(near)?.[1] ?? 1);
    const names: string[] = [];
    for (let node = Math.max(1, written - 10); node <= Math.min(this.nodeCount, written + 10); node++) names.push(`node${node}`);
    return names;
  }
}

/** `node1 to node4`, or `node1` alone. */
function range(prefix: string, count: number): string {
  return count === 1 ? `${prefix}1` : `${prefix}1 to ${prefix}${count}`;
}

/** `prefix` followed by a number from 1 to `count`, written without leading zeros. */
function numbered(name: string, prefix: string, count: number): boolean {
  if (!name.startsWith(prefix)) return false;
  const number = name.slice(prefix.length);
  return /^[1-9]\d*$/.test(number) && Number(number) <= count;
}

// A name that is only out of range (node5 of four) is explained by the range; a suggestion
// helps only when the letters are wrong (nod1, node1/ap-1).
function spellingFix(name: string, candidates: readonly string[]): string | undefined {
  const suggestion = nearest(name, candidates);
  const letters = (text: string) => text.replace(/\d+/g, '#');
  return suggestion !== undefined && letters(suggestion) !== letters(name) ? suggestion : undefined;
}
