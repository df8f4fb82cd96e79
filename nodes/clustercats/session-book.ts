import { RequestKind, Status, type NodeContext, type Request, type SessionReplica } from '../messages.js';

export interface Session {
  client: number;
  protocol: Request['protocol'];
}

/**
 * A member's bookkeeping of sessions: the ones it serves, counted per protocol for the
 * reports, and the copies it keeps of other members' sessions (as buddy, or handed over at a
 * failover) until a request needs one.
 */
export class SessionBook {
  readonly sessions = new Map<number, Session>();
  private readonly sessionsByProtocol = new Map<Request['protocol'], number>();
  readonly replicas = new Map<number, SessionReplica>();
  /** Copies that their owner handed over itself at the end of its drain (not kept by a buddy). */
  private readonly handedOver = new Set<number>();

  open(request: Request, context: NodeContext): void {
    this.sessions.set(request.sessionId, { client: request.client, protocol: request.protocol });
    this.count(request.protocol, 1, context);
  }

  /** A request was served: its session is copied to the buddy (if any), and ends with the user's last request. */
  served(request: Request, buddy: number | undefined, context: NodeContext): void {
    const session = this.sessions.get(request.sessionId);
    if (buddy !== undefined && session !== undefined) {
      context.send(buddy, {
        $case: 'replica',
        value: { sessionId: request.sessionId, client: session.client, protocol: session.protocol, owner: context.self, closed: request.last },
      });
    }
    if (request.last && session !== undefined) {
      this.sessions.delete(request.sessionId);
      this.count(session.protocol, -1, context);
    }
  }

  /** Takes up a session copy (from the buddy role or a handover) for a request that needs it. */
  adoptCopy(sessionId: number, context: NodeContext): boolean {
    const replica = this.replicas.get(sessionId);
    if (replica === undefined) return false;
    this.replicas.delete(sessionId);
    this.sessions.set(sessionId, { client: replica.client, protocol: replica.protocol });
    context.record({ type: 'session-recovered', server: context.self, session: sessionId, from: replica.owner, reason: this.handedOver.delete(sessionId) ? 'handover' : 'replica' });
    this.count(replica.protocol, 1, context);
    return true;
  }

  keepReplica(replica: SessionReplica): void {
    if (replica.closed) this.replicas.delete(replica.sessionId);
    else this.replicas.set(replica.sessionId, replica);
  }

  /** Copies that came with an address; those from the address's own member were handed over, not kept by a buddy. */
  receiveHandover(replicas: readonly SessionReplica[], from: number): void {
    for (const replica of replicas) {
      this.replicas.set(replica.sessionId, replica);
      if (replica.owner === from) this.handedOver.add(replica.sessionId);
    }
  }

  /** Gives up the copies of a failed member's sessions, to travel with its addresses. */
  takeReplicasOf(member: number): SessionReplica[] {
    const sessions: SessionReplica[] = [];
    for (const [sessionId, replica] of this.replicas) {
      if (replica.owner !== member) continue;
      sessions.push(replica);
      this.replicas.delete(sessionId);
    }
    return sessions;
  }

  /** Forgets every open session, and reports each protocol's count going to zero. */
  clear(context: NodeContext): void {
    if (this.sessions.size === 0) return;
    this.sessions.clear();
    for (const protocol of [...this.sessionsByProtocol.keys()].sort()) this.count(protocol, -this.sessionsByProtocol.get(protocol)!, context);
  }

  /**
   * At a drain's end: every session still open is cut or, with replication, handed over (the
   * copies are returned to travel with the addresses). Users in `answered` had a request
   * answered just now and learn of the end from that answer.
   */
  endAll(answered: ReadonlySet<number>, replicated: boolean, context: NodeContext): SessionReplica[] {
    const handed: SessionReplica[] = [];
    for (const [sessionId, session] of this.sessions) {
      if (answered.has(sessionId)) continue;
      if (replicated) handed.push({ sessionId, client: session.client, protocol: session.protocol, owner: context.self, closed: false });
      else this.noticeEnd(sessionId, session, 'drain-expired', context);
    }
    this.clear(context);
    return handed;
  }

  /** Tells a user between requests that the session is gone (the next click would find it so). */
  private noticeEnd(sessionId: number, session: Session, cause: string, context: NodeContext): void {
    context.send(session.client, {
      $case: 'response',
      value: {
        requestId: 0,
        protocol: session.protocol,
        kind: RequestKind.IN_SESSION,
        sessionId,
        status: Status.DROPPED,
        cause,
        server: context.self,
        client: session.client,
        sentAtUs: context.now,
        attempts: 0,
        redirects: 0,
        workClass: '',
        retryable: false,
        redirectAddress: '',
        othersInFlight: 0,
      },
    });
  }

  private count(protocol: Request['protocol'], change: number, context: NodeContext): void {
    const open = (this.sessionsByProtocol.get(protocol) ?? 0) + change;
    this.sessionsByProtocol.set(protocol, open);
    context.record({ type: 'server-sessions', server: context.self, protocol, open, total: this.sessions.size });
  }
}
