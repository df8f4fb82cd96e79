import { credentials, status, type ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeHostServiceClient, type AbsorbRequest } from '../../gen/clustersim/v1/host.js';
import { DeliveryColumns } from '../../sim/distributed/codec.js';
import { startNodeHost, type RunningNodeHost } from '../../sim/distributed/host-server.js';

/** The benchmark's stream: a host answers each batch it could take with its item count, and refuses one that does not hold what it says. */
describe('the Absorb stream of a node host', () => {
  let host: RunningNodeHost;
  let client: NodeHostServiceClient;
  beforeAll(async () => {
    host = await startNodeHost({ listen: '127.0.0.1:0', log: () => undefined });
    client = new NodeHostServiceClient(host.address, credentials.createInsecure());
  });
  afterAll(async () => {
    client.close();
    await host.close();
  });

  function columns(count: number): DeliveryColumns {
    const gathered = new DeliveryColumns();
    for (let index = 0; index < count; index++) {
      gathered.add(1000 + index, 1, index, 2, { $case: 'loadReport', value: { server: 2, atUs: index, state: 2, mode: 0, inFlight: 1, threads: 4, queued: 0, loadPercent: 25, openSessions: 3, completedInInterval: 9, responseTimeSumUs: 400, errorsInInterval: 0 } });
    }
    return gathered;
  }

  /** Sends the requests in turn on one stream; resolves with the answers' counts, or the error that ended it. */
  function absorb(requests: AbsorbRequest[]): Promise<{ answers: number[]; error?: ServiceError }> {
    return new Promise((resolve) => {
      const answers: number[] = [];
      const call = client.absorb();
      call.on('data', (answer: { items: number }) => {
        answers.push(answer.items);
        if (answers.length === requests.length) {
          call.end();
          resolve({ answers });
        }
      });
      call.on('error', (error: ServiceError) => resolve({ answers, error }));
      for (const request of requests) call.write(request);
    });
  }

  it('takes deliveries as encoded bytes, decoded or not, and as protobuf items', async () => {
    const encoded = columns(3).drain(100)[0]!.batch;
    const items = columns(2);
    const batch = { timeUs: items.timeUs, origin: items.origin, sequence: items.sequence, target: items.target, envelope: items.envelope };
    const { answers, error } = await absorb([
      { items: 3, payload: encoded, decode: true, batch: undefined },
      { items: 7, payload: encoded, decode: false, batch: undefined },
      { items: 2, payload: Buffer.alloc(0), decode: false, batch },
    ]);
    expect(error).toBeUndefined();
    expect(answers).toEqual([3, 7, 2]);
  });

  it('refuses a decoded batch that holds fewer deliveries than it says, or that is not a batch, and serves again', async () => {
    const encoded = columns(3).drain(100)[0]!.batch;
    const short = await absorb([{ items: 4, payload: encoded, decode: true, batch: undefined }]);
    expect(short.error?.code).toBe(status.INVALID_ARGUMENT);
    expect(short.error?.details).toMatch(/does not hold 4 deliveries/);
    const garbage = await absorb([{ items: 1, payload: Buffer.from([0x0a, 0x05, 0x01]), decode: true, batch: undefined }]);
    expect(garbage.error?.code).toBe(status.INVALID_ARGUMENT);
    const again = await absorb([{ items: 3, payload: encoded, decode: true, batch: undefined }]);
    expect(again.answers).toEqual([3]);
  });
});
