import { describe, expect, it } from 'vitest';
import { Protocol, responseTo, Status } from '../../nodes/messages.js';
import { request } from '../helpers/requests.js';
import { pack } from 'msgpackr';
import { decodeDeliveries, DeliveryColumns, MalformedBatchError, parseRecords, StampedRecords } from '../../sim/distributed/codec.js';
import { HostShare, ProtocolError } from '../../sim/distributed/host-share.js';
import { buildTopology } from '../../sim/topologies/index.js';
import { parseScenario } from '../../sim/scenario/load.js';

/** Every actor on host 0 but the routers, on host 1. */
function routerApart(scenarioText: string): number[] {
  const topology = buildTopology(parseScenario(scenarioText));
  return topology.actors.map((_, index) => (topology.routers.includes(index) ? 1 : 0));
}

describe('the wire codec of node hosts', () => {
  it('records keep their stamps, fields and order through the wire, indexed within their event', () => {
    const records = new StampedRecords();
    records.add(10, 3, 1, 7, { type: 'session-started', protocol: Protocol.HTTP, session: 5 });
    records.add(10, 3, 1, 7, { type: 'queue-wait', server: 3, waitUs: 12 });
    records.add(11, 4, 2, 0, { type: 'session-started', protocol: Protocol.SIP, session: 6 });
    const parsed = parseRecords(records.drain(2));
    expect(parsed).toEqual([
      10,
      3,
      1,
      7,
      0,
      { type: 'session-started', protocol: Protocol.HTTP, session: 5 },
      10,
      3,
      1,
      7,
      1,
      { type: 'queue-wait', server: 3, waitUs: 12 },
      11,
      4,
      2,
      0,
      0,
      { type: 'session-started', protocol: Protocol.SIP, session: 6 },
    ]);
    expect(records.drain(2)).toEqual([]);
  });

  it("a server's answer keeps the other routers' requests it counts through the wire (routers balance on them)", () => {
    const columns = new DeliveryColumns();
    const response = responseTo(request({ id: 9, router: 4 }), Status.OK, '', 2, false, '', 17);
    columns.add(7, 2, 3, 4, { $case: 'response', value: response });
    const [delivery] = decodeDeliveries(columns.drain(10)[0]!.batch);
    expect(delivery).toEqual({ timeUs: 7, origin: 2, sequence: 3, target: 4, message: { $case: 'response', value: response } });
    expect(delivery!.message.$case === 'response' && delivery!.message.value.othersInFlight).toBe(17);
  });

  it('refuses records and batches that are not what they claim', () => {
    expect(() => parseRecords([Buffer.from([0xd4, 0x01, 0x02])])).toThrow(MalformedBatchError);
    expect(() => parseRecords([Buffer.from([0x93, 0x01])])).toThrow(MalformedBatchError); // cut short
    expect(() => parseRecords([pack({ items: [] })])).toThrow(/not a list of stamped records/);
    expect(() => parseRecords([pack([1, 2, 3, 4, 5])])).toThrow(/not a list of stamped records/);
    expect(() => parseRecords([pack([1, 2, 3, '4', 5, { type: 'x' }])])).toThrow(/without its key or type/);
    expect(() => parseRecords([pack([1, 2, 3, 4, 5, { server: 1 }])])).toThrow(/without its key or type/);
    expect(() => parseRecords([pack([1, 2, 3, 4, 5, null])])).toThrow(/without its key or type/);
    expect(() => decodeDeliveries(Buffer.from([0x0a, 0x05, 0x01]))).toThrow(MalformedBatchError);
    // Columns of different lengths.
    const columns = new DeliveryColumns();
    columns.add(5, 1, 0, 2, { $case: 'timer', value: { tag: 'x', ref: 0 } });
    const batch = columns.drain(10)[0]!.batch;
    expect(decodeDeliveries(batch)).toEqual([
      { timeUs: 5, origin: 1, sequence: 0, target: 2, message: { $case: 'timer', value: { tag: 'x', ref: 0 } } },
    ]);
    expect(() => decodeDeliveries(Buffer.concat([batch, Buffer.from([0x08, 0x07])]))).toThrow(/columns differ in length/);
  });

  it('a host refuses a send below the lookahead, naming both actors', () => {
    const scenarioText = `name: t
duration: 1s
cluster: { nodes: { count: 1, servers: 1 } }
network: { latency: { constant: 300us } }
workload: { http: { rate: 50/s, service: { constant: 1ms } } }
`;
    const share = new HostShare({
      scenarioText,
      scenarioFile: 't.yaml',
      seed: 1,
      hostIndex: 0,
      hostCount: 2,
      actorHosts: routerApart(scenarioText),
      lookaheadUs: 1000,
    });
    let refusal: unknown;
    try {
      share.runWindow(1_000_000);
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(ProtocolError);
    expect((refusal as Error).message).toMatch(
      /[a-z0-9/-]+ sent to odr1 on another host with a delay of 300 us, below the lookahead of 1000 us/,
    );
    expect(
      () =>
        new HostShare({
          scenarioText,
          scenarioFile: 't.yaml',
          seed: 1,
          hostIndex: 0,
          hostCount: 2,
          actorHosts: routerApart(scenarioText),
          lookaheadUs: 0,
        }),
    ).toThrow(/lookahead must be positive/);
  });

  it('a host refuses a delivery for an actor it does not hold, or in its past', () => {
    const scenarioText = `name: t
duration: 1s
cluster: { nodes: { count: 1, servers: 1 } }
network: { latency: { constant: 300us } }
workload: { http: { rate: 50/s, service: { constant: 1ms } } }
`;
    const share = new HostShare({
      scenarioText,
      scenarioFile: 't.yaml',
      seed: 1,
      hostIndex: 0,
      hostCount: 2,
      actorHosts: routerApart(scenarioText),
      lookaheadUs: 300,
    });
    const message = { $case: 'timer', value: { tag: 'x', ref: 0 } } as const;
    const topology = buildTopology(parseScenario(scenarioText));
    const router = topology.routers[0]!;
    const server = topology.servers[0]!;
    expect(() => share.accept([{ timeUs: 10, origin: router, sequence: 0, target: router, message }])).toThrow(/does not hold/);
    share.runWindow(300);
    expect(() => share.accept([{ timeUs: 10, origin: router, sequence: 0, target: server, message }])).toThrow(/had passed that time/);
  });
});
