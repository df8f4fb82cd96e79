import { describe, expect, it } from 'vitest';
import { newBackend } from '../../nodes/proxy/backend.js';
import { SessionBindings } from '../../nodes/proxy/session-bindings.js';

describe('a load balancer’s session bindings', () => {
  const setUp = () => {
    const [a, b] = [newBackend(10, 'a'), newBackend(11, 'b')];
    return { a, b, bindings: new SessionBindings(new Map([a, b].map((backend) => [backend.actor, backend]))) };
  };

  it('keeps each backend’s count of bound sessions through binds, rebinds and unbinds', () => {
    const { a, b, bindings } = setUp();
    bindings.bind(1, a);
    bindings.bind(2, a);
    bindings.bind(2, a); // the same binding again counts once
    expect([a.boundSessions, b.boundSessions]).toEqual([2, 0]);
    bindings.bind(2, b); // moved: counted off the one it left
    expect([a.boundSessions, b.boundSessions]).toEqual([1, 1]);
    expect(bindings.get(2)).toBe(11);
    bindings.unbind(1);
    bindings.unbind(1); // not bound any more: nothing to count off
    expect([a.boundSessions, b.boundSessions]).toEqual([0, 1]);
    expect(bindings.get(1)).toBeUndefined();
  });

  it('closes every session of one backend and only those', () => {
    const { a, b, bindings } = setUp();
    for (const session of [5, 3, 8]) bindings.bind(session, a);
    bindings.bind(4, b);
    bindings.unbindAll(a);
    expect([a.boundSessions, b.boundSessions]).toEqual([0, 1]);
    expect([3, 4, 5, 8].map((session) => bindings.get(session))).toEqual([undefined, 11, undefined, undefined]);
  });
});
