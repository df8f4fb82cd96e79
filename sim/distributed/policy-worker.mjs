// The thread that owns the gRPC client of an external routing policy. The simulation thread
// posts a ChooseRequest and sleeps on the shared buffer; this thread encodes it, makes the call
// and wakes it with the ChooseResponse as JSON, or an error text.
import { credentials, makeGenericClientConstructor, status } from '@grpc/grpc-js';
import { parentPort, workerData } from 'node:worker_threads';
import { importModule } from '../import-module.mjs';

const { ChooseRequest, ChooseResponse } = await importModule('../../gen/clustersim/v1/policy', import.meta.url);

const { address, shared, timeoutMs } = workerData;
const control = new Int32Array(shared, 0, 2);
const data = new Uint8Array(shared, 8);
const identity = (bytes) => bytes;
const Client = makeGenericClientConstructor(
  {
    choose: {
      path: '/clustersim.v1.RoutingPolicyService/Choose',
      requestStream: false,
      responseStream: false,
      requestSerialize: identity,
      requestDeserialize: identity,
      responseSerialize: identity,
      responseDeserialize: identity,
    },
  },
  'clustersim.v1.RoutingPolicyService',
);
const client = new Client(address, credentials.createInsecure(), { 'grpc.max_receive_message_length': data.length });

function answer(state, bytes) {
  const length = Math.min(bytes.length, data.length);
  data.set(bytes.subarray(0, length));
  Atomics.store(control, 1, length);
  Atomics.store(control, 0, state);
  Atomics.notify(control, 0);
}

parentPort.on('message', (question) => {
  client.choose(Buffer.from(ChooseRequest.encode(question).finish()), { deadline: Date.now() + timeoutMs }, (error, response) => {
    // The status name says whose fault it is: DEADLINE_EXCEEDED, UNAVAILABLE (the policy went away), or the policy's own error.
    if (error) return answer(2, Buffer.from(`the call ended with ${status[error.code] ?? error.code}: ${error.details || error.message}`, 'utf8'));
    let decoded;
    try {
      decoded = ChooseResponse.decode(response);
    } catch (malformed) {
      return answer(2, Buffer.from(`answered what is no ChooseResponse (${malformed.message})`, 'utf8'));
    }
    answer(1, Buffer.from(JSON.stringify(decoded), 'utf8'));
  });
});
