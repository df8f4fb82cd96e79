import { describe, expect, it } from 'vitest';
import { evaluateExpectations } from '../../sim/run/expectations.js';

const summary = {
  sessions: { dropped: 0 },
  violations: { count: 2 },
  protocols: {
    http: {
      sessions: { dropped: 3, droppedByCause: { crash: 3 } },
      requests: { routedToMaintenance: 7 },
      latency: { p99Us: 202_751, p50Us: 22_015 },
    },
  },
};

const only = (line: string) => evaluateExpectations([line], summary)[0]!;

describe('expectations', () => {
  it('holds or fails on a figure by its path, or by protocol first', () => {
    expect(only('sessions.dropped == 0')).toMatchObject({ passed: true, actual: 0, limit: 0, message: 'sessions.dropped is 0, the limit is == 0' });
    expect(only('sessions.http.dropped == 0')).toMatchObject({ passed: false, actual: 3, message: 'sessions.http.dropped is 3, the limit is == 0' });
    expect(only('requests.http.routedToMaintenance <= 7').passed).toBe(true);
    expect(only('violations.count == 0')).toMatchObject({ passed: false, actual: 2 });
  });

  it('compares durations against the microsecond figure and says both as durations', () => {
    expect(only('latency.http.p99 < 500ms').passed).toBe(true);
    expect(only('latency.http.p99 < 200ms')).toMatchObject({ passed: false, actual: 202_751, limit: 200_000, message: 'latency.http.p99 is 202.751ms, the limit is < 200ms' });
  });

  it('a cause that never occurred counts zero', () => {
    expect(only('sessions.http.droppedByCause.drain-expired == 0')).toMatchObject({ passed: true, actual: 0 });
    expect(only('sessions.http.droppedByCause.crash == 0')).toMatchObject({ passed: false, actual: 3 });
  });

  it('a figure that does not exist fails with what there is instead', () => {
    expect(only('latency.http.p98 < 1s')).toMatchObject({
      passed: false,
      actual: null,
      message: 'no figure "latency.http.p98" in the summary (protocols.http.latency has: p99Us, p50Us)',
    });
    expect(only('sessions.sip.dropped == 0').message).toBe('no figure "sessions.sip.dropped" in the summary (protocols has: http)');
  });

  it('a line that is not an expectation fails with an example', () => {
    expect(only('sessions dropped zero').message).toContain('e.g. "sessions.http.dropped == 0"');
  });
});
