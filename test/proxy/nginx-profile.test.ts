import { describe, expect, it } from 'vitest';
import { newBackend, type Backend } from '../../nodes/proxy/backend.js';
import { NginxProfile } from '../../nodes/proxy/nginx.js';

const profile = (maxFails = 2) => new NginxProfile({ maxFails, failTimeoutUs: 10_000_000, slowStartUs: 0, healthChecks: undefined, retries: 2, nonIdempotent: false });
const backend = (admin: Backend['admin'] = 'active'): Backend => ({ ...newBackend(10, 'app-1'), admin });

describe('the NGINX profile, rule by rule', () => {
  it('is named nginx and does not cut the connections of a server it marks unavailable', () => {
    expect(profile().name).toBe('nginx');
    expect(profile().cutsWhenMarkedDown).toBe(false);
  });

  it('maps the operator’s `down`, `drain` and back `up`; the other products’ actions change nothing', () => {
    const nginx = profile();
    expect(nginx.adminAfter('down')).toBe('maint');
    expect(nginx.adminAfter('drain')).toBe('drain');
    expect(nginx.adminAfter('up')).toBe('active');
    for (const other of ['ready', 'maint', 'remove', 'deregister', 'weight-zero'] as const) expect(nginx.adminAfter(other)).toBeUndefined();
  });

  it('health-checks (NGINX Plus) every server but one marked down', () => {
    expect(profile().checks(backend('maint'))).toBe(false);
    expect(profile().checks(backend('active'))).toBe(true);
    expect(profile().checks(backend('drain'))).toBe(true);
  });

  it('marks a server unavailable for fail_timeout after max_fails errors within fail_timeout, not after older ones', () => {
    const both = [backend(), { ...newBackend(11, 'app-2') }];
    const within = profile();
    expect(within.observeAnswer(both[0]!, 'connection', 0, both)).toBe(0);
    expect(within.observeAnswer(both[0]!, 'reset', 9_999_999, both)).toBe(10_000_000);
    const apart = profile();
    expect(apart.observeAnswer(both[0]!, 'connection', 0, both)).toBe(0);
    expect(apart.observeAnswer(both[0]!, 'connection', 10_000_000, both)).toBe(0); // the first fell out of the window
    expect(apart.observeAnswer(both[0]!, 'connection', 10_000_001, both)).toBe(10_000_000);
    // An HTTP status is not an unsuccessful attempt by default, and a group of one is never marked down.
    const statuses = profile(1);
    expect(statuses.observeAnswer(both[0]!, 'status', 0, both)).toBe(0);
    expect(statuses.observeAnswer(both[0]!, 'connection', 0, [both[0]!])).toBe(0);
    expect(profile(0).observeAnswer(both[0]!, 'connection', 0, both)).toBe(0);
  });
});
