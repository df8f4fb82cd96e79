// The conformance suite of a routing policy, a module or a gRPC service alike: `clustersim
// policy-check POLICY`. It asks the policy seeded questions directly, then runs a small cell
// through it twice, and lists what breaks the contract of policy.proto.
import { isAbsolute, resolve } from 'node:path';
import { summarize } from '../../reports/summary.js';
import { MaintenanceMode, Protocol, RequestKind, ServerState, type Request } from '../../nodes/messages.js';
import { askPolicy, RoutingPolicyError, type PolicyServerView, type RoutingPolicy } from '../../nodes/router/external-policy.js';
import { describeViolation } from '../checkers/violation-lines.js';
import { namedStream, type RandomStream } from '../kernel/random.js';
import { parseScenario, ScenarioError, type LoadedScenario } from '../scenario/load.js';
import { isPolicyModule, modulePolicy } from './policy-module.js';
import { prepareRoutingPolicy, runScenario } from './run.js';

/**
 * - `eligible`: every answer is an eligible server or a rejection;
 * - `affinity`: an in-session request whose session's server is eligible goes there;
 * - `deterministic`: the same questions and stream give the same answers, and the same run the same summary;
 * - `invariants`: a run through the policy breaks none of the checkers' rules, and reaches its end;
 * - `read-only`: the policy leaves the request as it found it (in-process, it is the router's own).
 */
export type ConformanceRule = 'eligible' | 'affinity' | 'deterministic' | 'invariants' | 'read-only';

export interface ConformanceFinding {
  rule: ConformanceRule;
  detail: string;
}

export interface ConformanceReport {
  policy: string;
  seed: number;
  questions: number;
  /** Every finding counted by rule; the first few of each kept in `findings`. */
  countsByRule: Record<ConformanceRule, number>;
  findings: ConformanceFinding[];
  passed: boolean;
}

export interface ConformanceOptions {
  seed?: number;
  questions?: number;
  /** Where a relative module path starts (default: the working directory). */
  baseDirectory?: string;
}

const findingsKeptPerRule = 5;
const serverCount = 6;
const firstServer = 10;
const serverStates = [
  ServerState.RUNNING,
  ServerState.RUNNING,
  ServerState.RUNNING,
  ServerState.MAINTENANCE,
  ServerState.STOPPED,
  ServerState.FAILED,
];
const maintenanceModes = [MaintenanceMode.AFFINITY, MaintenanceMode.BREAK];
const protocols = [Protocol.HTTP, Protocol.SIP, Protocol.EJB];
const kinds = [RequestKind.OPEN, RequestKind.IN_SESSION, RequestKind.IN_SESSION, RequestKind.CLOSE];

/**
 * The cell every policy runs: HTTP, SIP and EJB sessions over four servers; a server in keep-affinity
 * maintenance, another in break mode with replicated sessions, and an admin work class that may
 * only use servers in maintenance. The built-in router breaks no rule in it.
 */
function conformanceScenario(policy: string, seed: number): string {
  return `name: policy-check
seed: ${seed}
duration: 24s
cluster:
  nodes: { count: 2, servers: 2 }
network:
  latency: { constant: 300us }
workload:
  http:
    rate: 10/s
    requests: 4
    thinkTime: { exponential: 1s }
    replicated: true
    service: { constant: 10ms }
    uris:
      - { uri: /shop/cart, weight: 90 }
      - { uri: /admin/console, weight: 10 }
  sip: { rate: 2/s, inDialog: 2, hold: { exponential: 5s }, service: { constant: 5ms } }
  ejb: { rate: 3/s, calls: 4, service: { constant: 5ms } }
routing: { policy: ${JSON.stringify(policy)} }
workClasses:
  - { name: admin, match: { protocol: http, uri: /admin/* }, action: permitstickyMM }
timeline:
  - { at: 4s, maintenance: { server: node1/app-1, mode: affinity } }
  - { at: 8s, maintenance: { server: node2/app-2, mode: break } }
  - { at: 16s, maintenance: { server: node1/app-1, exit: true } }
  - { at: 20s, maintenance: { server: node2/app-2, exit: true } }
`;
}

/** Checks a policy (a module path, or grpc://HOST:PORT) against the contract; a policy that cannot be reached is a ScenarioError. */
export async function checkPolicyConformance(policy: string, options: ConformanceOptions = {}): Promise<ConformanceReport> {
  const seed = options.seed ?? 1;
  const address = isPolicyModule(policy) && !isAbsolute(policy) ? resolve(options.baseDirectory ?? process.cwd(), policy) : policy;
  let loaded: LoadedScenario;
  try {
    loaded = parseScenario(conformanceScenario(address, seed), resolve(options.baseDirectory ?? process.cwd(), 'policy-check.yaml'));
    await prepareRoutingPolicy(loaded);
  } catch (error) {
    // The cell is ours: what is wrong is the policy the user named, so the problem is told of it.
    if (!(error instanceof ScenarioError)) throw error;
    throw new ScenarioError(
      error.problems.map((problem) => ({
        file: policy,
        line: 0,
        column: 0,
        path: '',
        message: problem.message.replace(/, got ".*"$/, ''),
      })),
    );
  }
  const findings = new Findings();
  const questions = options.questions ?? 500;
  const asked = await policyFor(loaded, address);
  const firstAnswers = askQuestions(asked, seed, questions, findings);
  const secondAnswers = askQuestions(asked, seed, questions, undefined);
  const differing = firstAnswers.findIndex((answer, index) => answer !== secondAnswers[index]);
  if (differing >= 0)
    findings.add(
      'deterministic',
      `question ${differing + 1}, asked twice with the same random stream, was answered ${firstAnswers[differing]} then ${secondAnswers[differing]} (does the policy keep state between calls, or draw from another source?)`,
    );
  checkRuns(loaded, findings);
  return { policy, seed, questions, countsByRule: findings.counts, findings: findings.kept, passed: findings.total === 0 };
}

async function policyFor(loaded: LoadedScenario, address: string): Promise<RoutingPolicy> {
  const nameOf = (actor: number) => `server-${actor - firstServer + 1}`;
  if (isPolicyModule(address)) return modulePolicy(loaded, address, nameOf);
  const { GrpcRoutingPolicy } = await import('../distributed/policy-client.js');
  return new GrpcRoutingPolicy(address, loaded.scenario.routing.policyTimeout / 1000, nameOf);
}

/** Asks `questions` seeded questions; returns each answer as text, and records what breaks a rule. */
function askQuestions(policy: RoutingPolicy, seed: number, questions: number, findings: Findings | undefined): string[] {
  const draw = namedStream(seed, 'policy-check/questions');
  const random = namedStream(seed, 'policy-check/policy');
  const answers: string[] = [];
  for (let index = 0; index < questions; index++) {
    const { request, views, excluded } = question(draw, index);
    const asked = JSON.stringify(request);
    let chosen: PolicyServerView | string;
    try {
      chosen = askPolicy(policy, 'odr1', request, views, excluded, index * 1000, random);
    } catch (error) {
      if (!(error instanceof RoutingPolicyError)) throw error;
      findings?.add('eligible', error.message);
      answers.push(`error: ${error.message}`);
      continue;
    } finally {
      if (JSON.stringify(request) !== asked)
        findings?.add('read-only', `request ${request.id} was changed by the policy: ${asked} became ${JSON.stringify(request)}`);
    }
    answers.push(typeof chosen === 'string' ? `reject ${chosen}` : `server ${chosen.actor}`);
    const sessionServer = request.affinityServer;
    const wanted = request.maintenanceOnly ? ServerState.MAINTENANCE : ServerState.RUNNING;
    const sessionEligible = views.some((view) => view.actor === sessionServer && view.state === wanted && !excluded.includes(view.actor));
    if (request.kind !== RequestKind.OPEN && sessionEligible && (typeof chosen === 'string' || chosen.actor !== sessionServer)) {
      findings?.add(
        'affinity',
        `request ${request.id} of session ${request.sessionId} has affinity to eligible server ${sessionServer}, and was ${typeof chosen === 'string' ? `rejected (${chosen})` : `sent to server ${chosen.actor}`}`,
      );
    }
  }
  return answers;
}

/** One question: a request and the router's view of six servers in mixed states, some already tried. */
function question(draw: RandomStream, index: number): { request: Request; views: PolicyServerView[]; excluded: number[] } {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(draw() * items.length)]!;
  const views = Array.from({ length: serverCount }, (_, offset): PolicyServerView => {
    const state = pick(serverStates);
    return {
      actor: firstServer + offset,
      state,
      mode: state === ServerState.MAINTENANCE ? pick(maintenanceModes) : MaintenanceMode.UNSPECIFIED,
      outstanding: Math.floor(draw() * 20),
    };
  });
  const excluded = views.filter(() => draw() < 0.15).map((view) => view.actor);
  const kind = pick(kinds);
  const maintenanceOnly = draw() < 0.1;
  const request: Request = {
    id: index + 1,
    protocol: pick(protocols),
    kind,
    sessionId: index + 1,
    uri: maintenanceOnly ? '/admin/console' : '/shop/cart',
    method: 'GET',
    client: 1,
    sentAtUs: index * 1000,
    affinityServer: kind === RequestKind.OPEN ? undefined : firstServer + Math.floor(draw() * serverCount),
    attempts: excluded.length,
    redirects: 0,
    router: 0,
    workClass: maintenanceOnly ? 'admin' : '',
    maintenanceOnly,
    destination: '',
    address: '',
    last: kind === RequestKind.CLOSE,
    replicated: draw() < 0.5,
    triedServers: excluded,
  };
  return { request, views, excluded };
}

/** Runs the cell through the policy twice: it must reach its end, break no rule, and give the same summary. */
function checkRuns(loaded: LoadedScenario, findings: Findings): void {
  const first = runScenario(loaded);
  if (first.stopped !== undefined) findings.add('invariants', `the run stopped at ${first.stopped.atUs} us: ${first.stopped.reason}`);
  for (const violation of first.checks.violations) findings.add('invariants', describeViolation(violation));
  const second = runScenario(loaded);
  if (JSON.stringify(summarize(first)) !== JSON.stringify(summarize(second)))
    findings.add('deterministic', 'the same run, twice, gave two different summaries');
}

class Findings {
  readonly counts: Record<ConformanceRule, number> = { eligible: 0, affinity: 0, deterministic: 0, invariants: 0, 'read-only': 0 };
  readonly kept: ConformanceFinding[] = [];
  total = 0;

  add(rule: ConformanceRule, detail: string): void {
    this.total++;
    if (this.counts[rule]++ < findingsKeptPerRule) this.kept.push({ rule, detail });
  }
}
