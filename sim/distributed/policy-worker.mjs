// The thread that owns the gRPC client of an external routing policy. The simulation thread
// posts an encoded ChooseRequest and sleeps on the shared buffer; this thread makes the call
// and wakes it with the encoded ChooseResponse, or an error text.
import { credentials, makeGenericClientConstructor, status } from '@grpc/grpc-js';
import { parentPort, workerData } from 'node:worker_threads';

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

parentPort.on('message', (request) => {
  client.choose(Buffer.from(request), { deadline: Date.now() + timeoutMs }, (error, response) => {
    // The status name says whose fault it is: DEADLINE_EXCEEDED, UNAVAILABLE (the policy went away), or the policy's own error.
    if (error) answer(2, Buffer.from(`the call ended with ${status[error.code] ?? error.code}: ${error.details || error.message}`, 'utf8'));
    else answer(1, response);
  });
});
