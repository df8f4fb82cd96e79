import { describe, expect, it } from 'vitest';
import type { ChooseRequest, ChooseResponse } from '../../gen/clustersim/v1/policy.js';
import { MaintenanceMode, Protocol, ServerState, Status, type Message } from '../../nodes/messages.js';
import { askPolicy, RoutingPolicyError, type PolicyServerView, type RoutingPolicy } from '../../nodes/router/external-policy.js';
import { Router } from '../../nodes/router/router.js';
import { FakeContext } from '../helpers/fake-context.js';
import { clientActor, request, requestMessage } from '../helpers/requests.js';

/** A policy in the same process: it records the questions and answers with `decide`. */
class FakePolicy implements RoutingPolicy {
  readonly address = 'fake:policy';
  readonly questions: ChooseRequest[] = [];
  constructor(private readonly decide: (question: ChooseRequest) => ChooseResponse) {}
  serverName(actor: number): string {
    return `node/app-${actor}`;
  }
  choose(question: ChooseRequest): ChooseResponse {
    this.questions.push(question);
    return this.decide(question);
  }
}

const pick = (server: number): ChooseResponse => ({ decision: { $case: 'server', value: server } });
const reject = (cause: string): ChooseResponse => ({ decision: { $case: 'reject', value: cause } });

function view(actor: number, state: ServerState, outstanding = 0, mode = MaintenanceMode.UNSPECIFIED): PolicyServerView {
  return { actor, state, mode, outstanding };
}

const views = [
  view(10, ServerState.RUNNING, 3),
  view(11, ServerState.MAINTENANCE, 1, MaintenanceMode.AFFINITY),
  view(12, ServerState.RUNNING, 0),
  view(13, ServerState.STOPPED),
  view(14, ServerState.RUNNING, 5),
];

describe('external routing policy', () => {
  it('offers the running servers not yet tried, with the router view of each, and the request fields', () => {
    const policy = new FakePolicy(() => pick(12));
    const asked = request({ id: 4, workClass: 'shop', affinityServer: 11 });
    const chosen = askPolicy(policy, 'odr1', asked, views, [14], 1234, () => 0);
    expect(chosen).toBe(views[2]);
    expect(policy.questions).toHaveLength(1);
    const question = policy.questions[0]!;
    expect(question.router).toBe('odr1');
    expect(question.nowUs).toBe(1234);
    expect(question.request).toBe(asked);
    expect(question.workClass).toBe('shop');
    expect(question.affinityServer).toBe(11);
    expect(question.eligible).toEqual([
      { server: 10, name: 'node/app-10', state: ServerState.RUNNING, mode: MaintenanceMode.UNSPECIFIED, outstanding: 3 },
      { server: 12, name: 'node/app-12', state: ServerState.RUNNING, mode: MaintenanceMode.UNSPECIFIED, outstanding: 0 },
    ]);
  });

  it('offers every running server when none was tried', () => {
    const policy = new FakePolicy(() => pick(14));
    expect(askPolicy(policy, 'odr1', request(), views, [], 0, () => 0)).toBe(views[4]);
    expect(policy.questions[0]!.eligible.map((server) => server.server)).toEqual([10, 12, 14]);
  });

  it('offers only the servers in maintenance to a maintenance-only request', () => {
    const policy = new FakePolicy(() => pick(11));
    expect(askPolicy(policy, 'odr1', request({ maintenanceOnly: true }), views, [], 0, () => 0)).toBe(views[1]);
    expect(policy.questions[0]!.eligible).toEqual([{ server: 11, name: 'node/app-11', state: ServerState.MAINTENANCE, mode: MaintenanceMode.AFFINITY, outstanding: 1 }]);
    const tried = new FakePolicy(() => reject(''));
    askPolicy(tried, 'odr1', request({ maintenanceOnly: true }), views, [11], 0, () => 0);
    expect(tried.questions[0]!.eligible).toEqual([]);
  });

  it('maps a rejection to its cause, and an empty cause to policy-reject', () => {
    expect(askPolicy(new FakePolicy(() => reject('too-busy')), 'odr1', request(), views, [], 0, () => 0)).toBe('too-busy');
    expect(askPolicy(new FakePolicy(() => reject('')), 'odr1', request(), views, [], 0, () => 0)).toBe('policy-reject');
  });

  it('refuses an answer that is neither a server nor a rejection', () => {
    const policy = new FakePolicy(() => ({ decision: undefined }));
    expect(() => askPolicy(policy, 'odr1', request(), views, [], 0, () => 0)).toThrow(
      new RoutingPolicyError('routing policy fake:policy answered neither a server nor a rejection for request 1 of odr1 at virtual time 0us'),
    );
  });

  it('refuses a server that is not eligible: unknown, not running, or already tried', () => {
    const message = (server: number) =>
      server === 99 ? 'routing policy fake:policy chose server 99, which is no server of the cluster' : `routing policy fake:policy chose server ${server} (`;
    for (const [server, excluded] of [
      [99, []],
      [13, []],
      [11, []],
      [10, [10]],
    ] as const) {
      const policy = new FakePolicy(() => pick(server));
      expect(() => askPolicy(policy, 'odr1', request({ id: 9 }), views, excluded, 0, () => 0)).toThrow(message(server));
      expect(() => askPolicy(policy, 'odr1', request({ id: 9 }), views, excluded, 0, () => 0)).toThrow(/for request 9 of odr1 at virtual time 0us$/);
      expect(() => askPolicy(policy, 'odr1', request({ id: 9 }), views, excluded, 0, () => 0)).toThrow(RoutingPolicyError);
    }
  });

  describe('in a router', () => {
    const [a, b] = [10, 11];
    function router(policy: RoutingPolicy): { router: Router; context: FakeContext } {
      const config = {
        name: 'odr1',
        servers: [a, b].map((actor) => ({ actor, threads: 10, state: ServerState.RUNNING })),
        clusters: new Map([['app', [a, b]]]),
        defaultCluster: new Map([[Protocol.HTTP, 'app']]),
        workClasses: [],
        maxAttempts: 3,
        policy,
      };
      return { router: new Router(config), context: new FakeContext(1, 'scripted') };
    }

    it('sends the request where the policy says, rather than by its own balancing', () => {
      const policy = new FakePolicy(() => pick(b));
      const { router: odr, context } = router(policy);
      context.now = 77;
      for (let id = 1; id <= 3; id++) odr.onMessage(requestMessage({ id }), context);
      expect(context.sent.map((sent) => [sent.to, sent.message.$case])).toEqual([
        [b, 'request'],
        [b, 'request'],
        [b, 'request'],
      ]);
      expect(policy.questions.map((question) => question.eligible.map((server) => [server.server, server.outstanding]))).toEqual([
        [
          [a, 0],
          [b, 0],
        ],
        [
          [a, 0],
          [b, 1],
        ],
        [
          [a, 0],
          [b, 2],
        ],
      ]);
      expect(policy.questions[0]!.nowUs).toBe(77);
    });

    it('passes a rejection of the policy to the client with its cause', () => {
      const { router: odr, context } = router(new FakePolicy(() => reject('closed')));
      odr.onMessage(requestMessage({ id: 5 }), context);
      expect(context.sent).toHaveLength(1);
      const answer: Message = context.sent[0]!.message;
      expect(context.sent[0]!.to).toBe(clientActor);
      expect(answer.$case === 'response' && [answer.value.status, answer.value.cause, answer.value.requestId, answer.value.server, answer.value.redirectAddress]).toEqual([Status.REJECTED, 'closed', 5, -1, '']);
      expect(context.recordsOf('routed-away')).toEqual([expect.objectContaining({ cause: 'closed', status: Status.REJECTED, request: 5 })]);
    });
  });
});
