import { Protocol } from '../../nodes/messages.js';
import { arrivalProcess } from '../run/arrivals.js';
import { toDistribution } from '../scenario/distribution.js';
import type { Scenario } from '../scenario/schema.js';

/** What every topology's HTTP users are, from the scenario's `workload.http`: arrivals, requests, think times, service. */
export function httpUsers(http: NonNullable<Scenario['workload']['http']>) {
  return {
    name: 'clients/http',
    protocol: Protocol.HTTP,
    arrivals: arrivalProcess(http.rate, http.bursts),
    requests: toDistribution(http.requests),
    thinkTime: toDistribution(http.thinkTime),
    service: toDistribution(http.service),
    uri: http.uri,
  };
}
