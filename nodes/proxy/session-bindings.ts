import { IntMap } from '../../sim/kernel/int-map.js';
import type { Backend } from './backend.js';

/** The backend each session is bound to (cookie, stick table, connection), with each backend's count of bound sessions kept up. */
export class SessionBindings {
  private readonly sessions = new IntMap<number>();

  constructor(private readonly byActor: ReadonlyMap<number, Backend>) {}

  /** The actor of the backend `session` is bound to, if any. */
  get(session: number): number | undefined {
    return this.sessions.get(session);
  }

  bind(session: number, backend: Backend): void {
    const previous = this.sessions.get(session);
    if (previous === backend.actor) return;
    if (previous !== undefined) this.byActor.get(previous)!.boundSessions--;
    this.sessions.set(session, backend.actor);
    backend.boundSessions++;
  }

  unbind(session: number): void {
    const previous = this.sessions.get(session);
    if (previous === undefined) return;
    this.byActor.get(previous)!.boundSessions--;
    this.sessions.delete(session);
  }

  /** Closes every session bound to `backend`, in session order. */
  unbindAll(backend: Backend): void {
    const bound = this.sessions.entryList().filter(([, actor]) => actor === backend.actor).map(([session]) => session).sort((a, b) => a - b);
    for (const session of bound) this.unbind(session);
  }
}
