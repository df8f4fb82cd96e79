/**
 * The keep-alive connections a pod's server holds open, each named by the consumer at its other
 * end and the client session it carries. They outlive the server's process: after an exit that
 * did not close them, the consumer still holds its end until a request on it is reset.
 */
export class ServerConnections {
  /** Sessions with an open connection, by consumer (in the order each consumer first connected). */
  private readonly sessionsByConsumer = new Map<number, Set<number>>();

  has(consumer: number, session: number): boolean {
    return this.sessionsByConsumer.get(consumer)?.has(session) === true;
  }

  open(consumer: number, session: number): void {
    let sessions = this.sessionsByConsumer.get(consumer);
    if (sessions === undefined) this.sessionsByConsumer.set(consumer, (sessions = new Set()));
    sessions.add(session);
  }

  close(consumer: number, session: number): void {
    this.sessionsByConsumer.get(consumer)?.delete(session);
  }

  /** Closes every connection; returns the consumers that held any and how many there were. */
  closeAll(): { consumers: number[]; count: number } {
    const consumers: number[] = [];
    let count = 0;
    for (const [consumer, sessions] of this.sessionsByConsumer) {
      if (sessions.size === 0) continue;
      consumers.push(consumer);
      count += sessions.size;
    }
    this.sessionsByConsumer.clear();
    return { consumers, count };
  }
}
