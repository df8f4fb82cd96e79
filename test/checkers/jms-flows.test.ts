import { describe, expect, it } from 'vitest';
import { MaintenanceMode, Protocol, RequestKind, ServerState } from '../../gen/clustersim/v1/cluster.js';
import { JmsFlowChecker } from '../../sim/checkers/jms-flows.js';
import { accepted, check, maintenance, refused, rulesBroken, s1, s2, s3, s4, state, type Entry } from './stream.js';

const run = (entries: Entry[], endUs?: number) => check(new JmsFlowChecker(), entries, endUs);
const jms = { protocol: Protocol.JMS, kind: RequestKind.MESSAGE, session: 0 };

/** One message to each of `servers` in turn, `count` in all, one microsecond apart from `fromUs`. */
function deliveries(servers: readonly number[], count: number, fromUs: number): Entry[] {
  return Array.from({ length: count }, (_, index): Entry => {
    const server = servers[index % servers.length]!;
    return [fromUs + index, server, accepted(server, { ...jms, request: fromUs + index })];
  });
}

const everyConsumerKnown = deliveries([s1, s2, s3, s4], 4, 0);

describe('jms-flows', () => {
  it('a server in maintenance that keeps getting its share holds', () => {
    const entries = [...everyConsumerKnown, [100, s1, maintenance(s1, MaintenanceMode.BREAK)] as Entry, ...deliveries([s1, s2, s3, s4], 200, 200), [1000, s1, state(s1, ServerState.RUNNING)] as Entry];
    expect(run(entries).violations).toEqual([]);
  });

  it('a server in maintenance the engine leaves out is a violation, at the end of its window', () => {
    const entries = [...everyConsumerKnown, [100, s1, maintenance(s1)] as Entry, ...deliveries([s2, s3, s4], 120, 200), [1000, s1, state(s1, ServerState.RUNNING)] as Entry];
    expect(run(entries).violations).toEqual([
      { timeUs: 1000, rule: 'jms-flows', actor: 'node1/shop-1', detail: 'got 0 JMS messages in maintenance from 100us to 1ms; its share of the 120 delivered meanwhile was about 30' },
    ]);
  });

  it('a window still open at the end of the run is judged then', () => {
    const entries = [...everyConsumerKnown, [100, s1, maintenance(s1)] as Entry, ...deliveries([s2, s3, s4], 120, 200)];
    expect(run(entries, 5000).violations).toEqual([expect.objectContaining({ timeUs: 5000, rule: 'jms-flows', actor: 'node1/shop-1' })]);
  });

  it('too little of a share says nothing: a short window, or little JMS', () => {
    const entries = [...everyConsumerKnown, [100, s1, maintenance(s1)] as Entry, ...deliveries([s2, s3, s4], 60, 200), [1000, s1, state(s1, ServerState.RUNNING)] as Entry];
    expect(run(entries).violations).toEqual([]);
  });

  it('a share is taken over the consumers available: a stopped one takes nothing, and is not in maintenance then', () => {
    // s3 and s4 stopped: s1's share is half the messages; one in ten is less than a quarter of that.
    const twoLeft: Entry[] = [...everyConsumerKnown, [50, s3, state(s3, ServerState.STOPPED)], [50, s4, state(s4, ServerState.STOPPED)], [100, s1, maintenance(s1)]];
    const fewForS1 = [...deliveries([s2, s2, s2, s2, s2, s2, s2, s2, s2, s1], 80, 200), [1000, s1, state(s1, ServerState.RUNNING)] as Entry];
    expect(rulesBroken(run([...twoLeft, ...fewForS1]))).toEqual(['jms-flows']);
    const fair = [...deliveries([s1, s2], 80, 200), [1000, s1, state(s1, ServerState.RUNNING)] as Entry];
    expect(run([...twoLeft, ...fair]).violations).toEqual([]);
    // Stopped by stop-mode maintenance: no JMS is owed to a server that does not run.
    const stopped: Entry[] = [...everyConsumerKnown, [100, s1, maintenance(s1)], [150, s1, state(s1, ServerState.STOPPED, MaintenanceMode.STOP)], ...deliveries([s2, s3, s4], 120, 200)];
    expect(run(stopped).violations).toEqual([]);
  });

  it('a server first seen as a consumer while in maintenance is judged from then', () => {
    const entries: Entry[] = [[1, s1, maintenance(s1)], ...deliveries([s1, s2, s3, s4], 4, 10), ...deliveries([s2, s3, s4], 120, 200)];
    expect(rulesBroken(run(entries))).toEqual(['jms-flows']);
  });

  it('refusing JMS in maintenance is a violation, charged to that server; a full queue is not', () => {
    expect(run([[1, s1, maintenance(s1, MaintenanceMode.BREAK)], [2, s1, refused(s1, 'maintenance', { ...jms, request: 12 })]]).violations).toEqual([
      { timeUs: 2, rule: 'jms-flows', actor: 'node1/shop-1', detail: 'jms request refused (maintenance) by a server in maintenance that must still take it', session: 0, request: 12 },
    ]);
    expect(run([[1, s1, maintenance(s1)], [2, s1, refused(s1, 'queue-full', jms)]]).violationCount).toBe(0);
    expect(run([[2, s1, refused(s1, 'server-unavailable', jms)]]).violationCount).toBe(0);
    expect(run([[1, s1, maintenance(s1)], [2, s1, refused(s1, 'maintenance', { protocol: Protocol.HTTP, kind: RequestKind.IN_SESSION })]]).violationCount).toBe(0);
  });

  it('a server a fault made slower is owed less: about its share over the factor', () => {
    const slow = (factor: number): Entry => [50, 0, { type: 'fault', kind: 'slow', target: 'node1/shop-1', detail: `x${factor}` }];
    // 40 of 1600 messages: below a quarter of a share of 400 (100), above a quarter of 400 / 8 (12.5).
    const fewForS1 = [...deliveries([s2, s3, s4, s2, s3, s4, s2, s3, s4, s2, s3, s4, s2, s3, s4, s2, s3, s4, s2, s3, s4, s2, s3, s4, s2, s3, s4, s2, s3, s4, s2, s3, s4, s2, s3, s4, s2, s3, s4, s1], 1600, 200), [5000, s1, state(s1, ServerState.RUNNING)] as Entry];
    const inMaintenance: Entry[] = [...everyConsumerKnown, [100, s1, maintenance(s1)]];
    expect(rulesBroken(run([...inMaintenance, ...fewForS1]))).toEqual(['jms-flows']);
    expect(run([slow(8), ...inMaintenance, ...fewForS1]).violations).toEqual([]);
    expect(rulesBroken(run([slow(8), [60, 0, { type: 'fault', kind: 'slow', target: 'node1/shop-1', detail: 'x1' }], ...inMaintenance, ...fewForS1]))).toEqual(['jms-flows']);
  });
});
