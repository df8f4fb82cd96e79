/** Bounds of the node host protocol: every message, batch and wait has one. */

/** Largest gRPC message a host or coordinator sends or accepts. */
export const maxMessageBytes = 16 * 1024 * 1024;
/** Bytes of records in one WindowReport, and of deliveries in one RoundEnd; more go in further messages. */
export const inlineBytesLimit = 4 * 1024 * 1024;
/** Deliveries per encoded batch (an Envelope is about 100 bytes: batches stay near 0.5 MiB). */
export const deliveriesPerBatch = 4096;
/** Records per encoded list (about 35 bytes each). */
export const recordsPerMessage = 8192;
/** A host reports to the coordinator after this many windows, or once it holds this many records. */
export const windowsPerReport = 32;
export const recordsPerReport = 8192;
/** How long the coordinator waits for a host to accept its connection (a refusal is known at once). */
export const connectTimeoutMs = 5_000;
/** How long the coordinator waits for a host to connect and set up its share. */
export const setupTimeoutMs = 30_000;
/** How long a host waits for another host's window before it declares it gone (the coordinator waits twice as long plus a second). */
export const defaultAnswerTimeoutMs = 30_000;
/** Deadline of a whole run's stream: no run holds a host longer. */
export const runDeadlineMs = 24 * 60 * 60 * 1000;
