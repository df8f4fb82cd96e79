/** Bounds of the node host protocol: every message, batch and wait has one. */

/** Largest gRPC message a host or coordinator sends or accepts. */
export const maxMessageBytes = 16 * 1024 * 1024;
/** Bytes of batches and records carried inside one Window or WindowDone; more go in messages of their own. */
export const inlineBytesLimit = 4 * 1024 * 1024;
/** Deliveries per encoded batch (an Envelope is about 100 bytes: batches stay near 0.5 MiB). */
export const deliveriesPerBatch = 4096;
/** Records per Records message (about 150 bytes of JSON each). */
export const recordsPerMessage = 8192;
/** How long the coordinator waits for a host to connect and set up its share. */
export const setupTimeoutMs = 30_000;
/** How long the coordinator waits for a host to answer one window before it declares it gone. */
export const defaultAnswerTimeoutMs = 30_000;
/** Deadline of a whole run's stream: no run holds a host longer. */
export const runDeadlineMs = 24 * 60 * 60 * 1000;
