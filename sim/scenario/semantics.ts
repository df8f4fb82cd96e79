import { parseExpectation } from '../run/expectations.js';
import { nearest } from './issues.js';
import type { LoadedScenario, ScenarioProblem } from './load.js';
import type { Scenario } from './schema.js';
import { formatDuration } from './units.js';

/**
 * Checks that need more than one field: what the schema cannot say alone (a timeline step names
 * a server that the cluster has, a step falls inside the run). Each check reports every problem
 * it finds, located with `problemAt`, so that a user fixes a file in one pass.
 */
export type SemanticCheck = (scenario: Scenario, problemAt: LoadedScenario['problemAt']) => ScenarioProblem[];

/** Every semantic check, in the order of the sections they look at. Add a section's check here. */
const checks: readonly SemanticCheck[] = [clusterSize, timelineTimes, timelineTargets, expectations];

export function checkSemantics(loaded: LoadedScenario): ScenarioProblem[] {
  return checks.flatMap((check) => check(loaded.scenario, loaded.problemAt));
}

// Beyond this a run spends its time building actors; a bigger cluster is almost surely a typo.
const maxServers = 100_000;

function clusterSize(scenario: Scenario, problemAt: LoadedScenario['problemAt']): ScenarioProblem[] {
  const { count, servers } = scenario.cluster.nodes;
  if (count * servers <= maxServers) return [];
  return [problemAt(['cluster', 'nodes'], `${count} nodes × ${servers} servers is ${(count * servers).toLocaleString('en-US')} servers: at most ${maxServers.toLocaleString('en-US')}`)];
}

function timelineTimes(scenario: Scenario, problemAt: LoadedScenario['problemAt']): ScenarioProblem[] {
  return scenario.timeline.flatMap((step, index) =>
    step.at >= scenario.duration
      ? [problemAt(['timeline', index, 'at'], `${formatDuration(step.at)} is not before the end of the run (duration ${formatDuration(scenario.duration)}): the step would never happen`)]
      : [],
  );
}

function timelineTargets(scenario: Scenario, problemAt: LoadedScenario['problemAt']): ScenarioProblem[] {
  const names = new ClusterNames(scenario);
  return scenario.timeline.flatMap((step, index) => {
    const target = step.maintenance;
    if (target === undefined) return [];
    const path = ['timeline', index, 'maintenance'];
    if (target.server !== undefined && target.node !== undefined) return [problemAt(path, 'name a server or a node, not both')];
    if (target.server !== undefined) {
      return names.hasServer(target.server) ? [] : [problemAt([...path, 'server'], `unknown server "${target.server}"${names.suggestServer(target.server)}`)];
    }
    if (target.node !== undefined) {
      return names.hasNode(target.node) ? [] : [problemAt([...path, 'node'], `unknown node "${target.node}"${names.suggestNode(target.node)}`)];
    }
    return [problemAt(path, 'name the server (e.g. server: node1/app-1) or the node (e.g. node: node1) to put into maintenance')];
  });
}

function expectations(scenario: Scenario, problemAt: LoadedScenario['problemAt']): ScenarioProblem[] {
  return scenario.expect.flatMap((line, index) => {
    const parsed = parseExpectation(line);
    return typeof parsed === 'string' ? [problemAt(['expect', index], parsed)] : [];
  });
}

/**
 * The names the run gives nodes and servers (`node2`, `node2/app-1`), as sim/run/build.ts
 * makes them; a test keeps the two in step. Names are parsed rather than listed, since a
 * cluster may have many thousands.
 */
export class ClusterNames {
  private readonly nodeCount: number;
  private readonly serversPerNode: number;
  private readonly clusterName: string;

  constructor(scenario: Scenario) {
    this.nodeCount = scenario.cluster.nodes.count;
    this.serversPerNode = scenario.cluster.nodes.servers;
    this.clusterName = scenario.cluster.name;
  }

  hasNode(name: string): boolean {
    const match = /^node([1-9]\d*)$/.exec(name);
    return match !== null && Number(match[1]) <= this.nodeCount;
  }

  hasServer(name: string): boolean {
    const slash = name.indexOf('/');
    if (slash < 0 || !this.hasNode(name.slice(0, slash))) return false;
    const member = name.slice(slash + 1);
    const prefix = `${this.clusterName}-`;
    if (!member.startsWith(prefix)) return false;
    const number = member.slice(prefix.length);
    return /^[1-9]\d*$/.test(number) && Number(number) <= this.serversPerNode;
  }

  suggestNode(name: string): string {
    if (this.nodeCount === 0) return '';
    const suggestion = spellingFix(name, this.nodeNames(name));
    return ` (${suggestion === undefined ? '' : `did you mean "${suggestion}"? `}nodes are node1 to node${this.nodeCount})`;
  }

  suggestServer(name: string): string {
    if (this.serversPerNode === 0) return ' (the cluster has no servers)';
    const slash = name.indexOf('/');
    const node = slash < 0 || !this.hasNode(name.slice(0, slash)) ? 'node1' : name.slice(0, slash);
    const candidates = this.nodeNames(node).flatMap((nodeName) => this.serverNames(nodeName));
    const suggestion = spellingFix(name, candidates);
    const range = `servers are ${this.serverName('node1', 1)} to ${this.serverName(`node${this.nodeCount}`, this.serversPerNode)}`;
    return ` (${suggestion === undefined ? '' : `did you mean "${suggestion}"? `}${range})`;
  }

  /** A few node names near a written one (not all: a cluster may have thousands). */
  private nodeNames(near: string): string[] {
    const written = Number(/(\d+)/.exec(near)?.[1] ?? 1);
    const names: string[] = [];
    for (let node = Math.max(1, written - 10); node <= Math.min(this.nodeCount, written + 10); node++) names.push(`node${node}`);
    return names;
  }

  private serverNames(node: string): string[] {
    return Array.from({ length: Math.min(this.serversPerNode, 50) }, (_, index) => this.serverName(node, index + 1));
  }

  private serverName(node: string, member: number): string {
    return `${node}/${this.clusterName}-${member}`;
  }
}

// A name that is only out of range (node5 of four) is explained by the range; a suggestion
// helps only when the letters are wrong (nod1, node1/ap-1).
function spellingFix(name: string, candidates: readonly string[]): string | undefined {
  const suggestion = nearest(name, candidates);
  const letters = (text: string) => text.replace(/\d+/g, '#');
  return suggestion !== undefined && letters(suggestion) !== letters(name) ? suggestion : undefined;
}
