import type { Request } from '../messages.js';
import type { Backend } from './backend.js';

interface Queued {
  request: Request;
  /** Arrival order over both kinds of queue: a freed connection takes the oldest request. */
  sequence: number;
}

/**
 * HAProxy's queues, when servers have a `maxconn`: a request held by persistence on a server with
 * no connection to spare waits in that server's queue; a request to balance when no server has
 * one waits in the backend's queue. A connection freed on a server takes the oldest of its own
 * queue's head and, if the server may take new requests, the backend queue's head. (HAProxy's
 * queue.c: pendconn_add, pendconn_process_next_strm.) A server's maxconn is given at each call:
 * it grows during slowstart.
 */
export class ServerQueues {
  private readonly byServer = new Map<number, Queued[]>();
  private readonly backendQueue: Queued[] = [];
  private sequence = 0;

  /** A server is full when its connections and its queue reach its maxconn; balancing skips it. */
  full(backend: Backend, maxconn: number): boolean {
    return backend.inFlight + this.queueOf(backend.actor).length >= maxconn;
  }

  /** Queues a request on `server`, or on the backend when undefined. */
  enqueue(request: Request, server: number | undefined): void {
    const entry = { request, sequence: this.sequence++ };
    if (server === undefined) this.backendQueue.push(entry);
    else this.queueOf(server).push(entry);
  }

  /** The request `backend` takes now that it has a connection to spare, and whether it was held there by persistence. */
  next(backend: Backend, takesNewRequests: boolean, maxconn: number): { request: Request; persistent: boolean } | undefined {
    if (backend.inFlight >= maxconn) return undefined;
    const own = this.queueOf(backend.actor);
    const shared = takesNewRequests ? this.backendQueue[0] : undefined;
    if (own[0] !== undefined && (shared === undefined || own[0].sequence < shared.sequence)) return { request: own.shift()!.request, persistent: true };
    if (shared !== undefined) return { request: this.backendQueue.shift()!.request, persistent: false };
    return undefined;
  }

  /** Empties a server's queue, oldest first: its requests are balanced afresh (redistribution). */
  takeAll(server: number): Request[] {
    const queue = this.queueOf(server);
    return queue.splice(0, queue.length).map((entry) => entry.request);
  }

  private queueOf(server: number): Queued[] {
    let queue = this.byServer.get(server);
    if (queue === undefined) this.byServer.set(server, (queue = []));
    return queue;
  }
}
