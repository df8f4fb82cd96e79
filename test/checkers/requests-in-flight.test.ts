import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RequestsInFlight, type InFlightRequest } from '../../sim/checkers/requests-in-flight.js';

type Operation = { kind: 'accept'; request: number; session: number; server: number; acceptedAtUs: number } | { kind: 'remove'; request: number };

// Few distinct requests, so that slots are freed and handed out again; enough of them to outgrow the first columns.
const request = fc.integer({ min: 0, max: 200 });
const operation: fc.Arbitrary<Operation> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('accept' as const),
      request,
      session: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 2 ** 53 - 1 })),
      server: fc.integer({ min: 0, max: 20_000 }),
      acceptedAtUs: fc.integer({ min: 0, max: 2 ** 45 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('remove' as const), request }) },
);

const byRequest = (a: InFlightRequest, b: InFlightRequest) => a.request - b.request;

describe('RequestsInFlight', () => {
  it('holds what a Map of request facts holds after any sequence of acceptances and removals', () => {
    // The property answers true or false, not through expect: a failing case then shrinks in seconds.
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 400, size: 'max' }), (operations) => {
        const inFlight = new RequestsInFlight();
        const model = new Map<number, InFlightRequest>();
        for (const op of operations) {
          if (op.kind === 'accept') {
            inFlight.accept(op.request, op.session, op.server, op.acceptedAtUs);
            model.set(op.request, { request: op.request, session: op.session, server: op.server, acceptedAtUs: op.acceptedAtUs });
          } else if (inFlight.remove(op.request) !== model.delete(op.request)) return false;
          if (inFlight.size !== model.size) return false;
          // Every session's count of requests in flight (none counted for session 0).
          for (const session of [1, 2, 3, 4, ...[...model.values()].map((held) => held.session)]) {
            const held = [...model.values()].filter((facts) => facts.session === session).length;
            if (session !== 0 && inFlight.inFlightOf(session) !== held) return false;
          }
          if (inFlight.inFlightOf(0) !== 0) return false;
        }
        return JSON.stringify(inFlight.entries().sort(byRequest)) === JSON.stringify([...model.values()].sort(byRequest));
      }),
      { numRuns: 100 },
    );
  });

  it('keeps what it holds when it outgrows its first columns', () => {
    const inFlight = new RequestsInFlight();
    for (let request = 1; request <= 1_000; request++) inFlight.accept(request, request * 7, request % 50, request * 1_000);
    for (let request = 1; request <= 1_000; request += 2) inFlight.remove(request);
    const expected = Array.from({ length: 500 }, (_, index) => (index + 1) * 2).map((request) => ({ request, session: request * 7, server: request % 50, acceptedAtUs: request * 1_000 }));
    expect(inFlight.entries().sort(byRequest)).toEqual(expected);
  });
});
