import { describe, expect, it } from 'vitest';
import { newBackend, type Backend } from '../../nodes/proxy/backend.js';
import { EnvoyProfile, type EnvoyConfig } from '../../nodes/proxy/envoy.js';

const checks = { intervalUs: 1_000_000, timeoutUs: 500_000, healthyThreshold: 1, unhealthyThreshold: 2, downOnFirstBadAnswer: true };
const envoy = (fields: Partial<EnvoyConfig> = {}) =>
  new EnvoyProfile({
    healthChecks: checks,
    panicThresholdPercent: 50,
    ignoreHealthOnHostRemoval: false,
    outlierDetection: undefined,
    slowStartWindowUs: 0,
    slowStartAggression: 1,
    slowStartMinWeightPercent: 10,
    retries: 1,
    listenerDrainTimeUs: 600_000_000,
    listenerDrainStrategy: 'gradual',
    ...fields,
  });
const host = (fields: Partial<Backend> = {}): Backend => ({ ...newBackend(10, 'app-1'), ...fields });

describe('the Envoy profile, rule by rule', () => {
  it('is named envoy and retries a refused request on another host', () => {
    expect(envoy().name).toBe('envoy');
    expect(envoy().retryElsewhere).toBe(true);
  });

  it('EDS add and DRAINING; a removed host stays while health-checked and healthy, unless ignore_health_on_host_removal', () => {
    expect(envoy().adminAfter('add', host())).toBe('active');
    expect(envoy().adminAfter('eds-draining', host())).toBe('drain');
    for (const other of ['ready', 'drain', 'maint', 'deregister', 'down'] as const) expect(envoy().adminAfter(other, host())).toBeUndefined();
    expect(envoy().adminAfter('remove', host())).toBe('removed');
    expect(envoy().adminAfter('remove', host({ healthy: false }))).toBe('gone');
    expect(envoy({ ignoreHealthOnHostRemoval: true }).adminAfter('remove', host())).toBe('gone');
    expect(envoy({ healthChecks: undefined }).adminAfter('remove', host())).toBe('gone'); // nothing to keep it for
  });

  it('a removed host leaves once its checks fail; every host still known is checked', () => {
    expect(envoy().adminAfterHealthChange(host({ admin: 'removed', checksPass: false }))).toBe('gone');
    expect(envoy().adminAfterHealthChange(host({ admin: 'removed', checksPass: true }))).toBe('removed');
    expect(envoy().adminAfterHealthChange(host({ admin: 'active', checksPass: false }))).toBe('active');
    expect(envoy().checks(host({ admin: 'gone' }))).toBe(false);
    expect(envoy().checks(host({ admin: 'removed' }))).toBe(true);
  });

  it('keeps a sticky user on a healthy host, active or removed but healthy, not on a draining one', () => {
    expect(envoy().honoursPersistence(host())).toBe(true);
    expect(envoy().honoursPersistence(host({ admin: 'removed' }))).toBe(true);
    expect(envoy().honoursPersistence(host({ admin: 'drain' }))).toBe(false);
    expect(envoy().honoursPersistence(host({ healthy: false }))).toBe(false);
  });
});
