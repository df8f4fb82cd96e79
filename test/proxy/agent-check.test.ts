import { describe, expect, it } from 'vitest';
import { BackendAdminAction, RequestKind, type Message } from '../../nodes/messages.js';
import { HaproxyProfile, haproxyHealthCheckDefaults } from '../../nodes/proxy/haproxy.js';
import type { LoadBalancer } from '../../nodes/proxy/load-balancer.js';
import type { FakeContext } from '../helpers/fake-context.js';
import { runScenario } from '../../sim/run/run.js';
import { parseScenario, ScenarioError } from '../../sim/scenario/load.js';
import { admin, balancer, send, serve, server1, server2 } from './harness.js';

const agentInterUs = 2_000_000;
const haproxy = (shutdownSessions = false) =>
  new HaproxyProfile({ healthChecks: haproxyHealthCheckDefaults, slowStartUs: 0, retries: 3, redispatch: true, forcePersist: false, shutdownSessions, maxconn: 0, agentInterUs });

/** The agent poll timers pending, as [time, backend]. */
const polls = (context: FakeContext) =>
  context.timers.filter((timer) => timer.message.$case === 'timer' && timer.message.value.tag === 'lb-agent-poll').map((timer) => [timer.atUs, (timer.message as Extract<Message, { $case: 'timer' }>).value.ref]);

/** Fires the poll timer of `backend` at its time. */
function poll(lb: LoadBalancer, context: FakeContext, backend: number): void {
  const index = context.timers.findIndex((timer) => timer.message.$case === 'timer' && timer.message.value.tag === 'lb-agent-poll' && timer.message.value.ref === backend);
  const [timer] = context.timers.splice(index, 1);
  context.now = timer!.atUs;
  lb.onMessage(timer!.message, context);
}

const adminOf = (lb: LoadBalancer, backend: number) => lb.backends.find((each) => each.actor === backend)!.admin;

describe('HAProxy agent-check', () => {
  it("an agent's drain is seen at the next poll, up to agent-inter later; until then new sessions still go to the server", () => {
    const { lb, context } = balancer(haproxy(), [server1, server2]);
    context.now = 4_700_000;
    admin(lb, context, server1, BackendAdminAction.AGENT_DRAIN);
    expect(polls(context)).toEqual([[6_000_000, server1]]); // polls at 2 s, 4 s, 6 s...: the next is 1.3 s away
    expect(adminOf(lb, server1)).toBe('active');
    const tos = [1, 2, 3, 4].map((id) => serve(lb, context, { id, sessionId: 10 + id, kind: RequestKind.OPEN }));
    expect(tos).toContain(server1);
    poll(lb, context, server1);
    expect(adminOf(lb, server1)).toBe('drain');
    expect(context.recordsOf('lb-backend')).toMatchObject([{ backend: server1, admin: 'drain', cause: 'agent-drain' }]);
    for (let id = 5; id < 9; id++) expect(serve(lb, context, { id, sessionId: 10 + id, kind: RequestKind.OPEN })).toBe(server2);
  });

  it('the runtime API applies at once; the agent is polled in maint too, and its ready ends the maint', () => {
    const { lb, context } = balancer(haproxy(), [server1, server2]);
    context.now = 1_000_000;
    admin(lb, context, server1, BackendAdminAction.MAINT);
    expect(adminOf(lb, server1)).toBe('maint');
    admin(lb, context, server1, BackendAdminAction.AGENT_READY);
    expect(adminOf(lb, server1)).toBe('maint');
    poll(lb, context, server1);
    expect(context.now).toBe(agentInterUs);
    expect(adminOf(lb, server1)).toBe('active');
  });

  it('a report on a poll instant waits a whole agent-inter; a later report before the poll replaces it, with one poll', () => {
    const { lb, context } = balancer(haproxy(), [server1, server2]);
    context.now = 2 * agentInterUs;
    admin(lb, context, server1, BackendAdminAction.AGENT_MAINT);
    context.now += 500_000;
    admin(lb, context, server1, BackendAdminAction.AGENT_DRAIN);
    expect(polls(context)).toEqual([[3 * agentInterUs, server1]]);
    poll(lb, context, server1);
    expect(adminOf(lb, server1)).toBe('drain');
  });
});

describe('HAProxy agent-check up and down', () => {
  it("the agent's down marks the server down at the next poll, health checks passing or not; its up brings it back there", () => {
    const { lb, context } = balancer(haproxy(), [server1, server2]);
    const server = lb.backends.find((each) => each.actor === server1)!;
    context.now = 3_000_000;
    admin(lb, context, server1, BackendAdminAction.AGENT_DOWN);
    expect(server.healthy).toBe(true);
    poll(lb, context, server1);
    expect([context.now, server.healthy, server.checksPass, server.admin]).toEqual([4_000_000, false, true, 'active']);
    for (let id = 1; id < 5; id++) expect(serve(lb, context, { id, sessionId: 10 + id })).toBe(server2);
    context.now = 5_000_000;
    admin(lb, context, server1, BackendAdminAction.AGENT_UP);
    poll(lb, context, server1);
    expect([server.healthy, server.inServiceSinceUs]).toEqual([true, 6_000_000]); // slowstart counts from here
    expect(context.recordsOf('lb-backend').map((record) => [record.healthy, record.cause])).toEqual([
      [false, 'agent-down'],
      [true, 'agent-up'],
    ]);
  });

  it('with on-marked-down shutdown-sessions, the down reported by the agent cuts what is in flight', () => {
    for (const shutdownSessions of [false, true]) {
      const { lb, context } = balancer(haproxy(shutdownSessions), [server1, server2]);
      expect(send(lb, context, { id: 1, sessionId: 10 })!.to).toBe(server1);
      admin(lb, context, server1, BackendAdminAction.AGENT_DOWN);
      poll(lb, context, server1);
      expect(context.recordsOf('lb-cut').map((record) => [record.backend, record.requests, record.cause])).toEqual(shutdownSessions ? [[server1, 1, 'shutdown-sessions']] : []);
    }
  });
});

describe('agent-check in a scenario', () => {
  it('an agent-drain step at 11 s with agent-inter 5s drains node1 at the 15 s poll; a runtime drain at 11 s drains at once', () => {
    const drainedAt = (action: string) => {
      const text = `name: agent
duration: 20s
cluster: { nodes: { count: 2, servers: 1 } }
workload: { http: { rate: 5/s, service: { constant: 1ms } } }
loadBalancer: { profile: haproxy, haproxy: { agentInter: 5s } }
timeline:
  - { at: 11s, loadBalancer: { backend: node1/app-1, action: ${action} } }
`;
      const times: number[] = [];
      runScenario(parseScenario(text, 'agent.yaml'), { recordTap: { record: (atUs, _actor, record) => (record.type === 'lb-backend' && record.admin === 'drain' ? times.push(atUs) : 0) } });
      return times;
    };
    expect(drainedAt('agent-drain')).toEqual([15_000_000]);
    expect(drainedAt('drain')).toEqual([11_000_000]);
  });

  it('an agent step is HAProxy only, refused where it is written', () => {
    const text = `name: agent
duration: 20s
cluster: { nodes: { count: 2, servers: 1 } }
workload: { http: { rate: 5/s, service: { constant: 1ms } } }
loadBalancer: { profile: nginx }
timeline:
  - { at: 11s, loadBalancer: { backend: node1/app-1, action: agent-drain } }
`;
    const problems = (() => {
      try {
        parseScenario(text, 'agent.yaml');
      } catch (error) {
        if (error instanceof ScenarioError) return [...error.problems];
      }
      return [];
    })();
    expect(problems).toMatchObject([{ line: 7, path: 'timeline.0.loadBalancer.action', message: 'nginx has no action "agent-drain" (its actions: down, drain, up)' }]);
  });
});
