import { AddressChecker } from './addresses.js';
import { AffinityChecker } from './affinity.js';
import type { Checker } from './checker.js';
import { ConservationChecker } from './conservation.js';
import { DrainChecker } from './drain.js';
import { JmsFlowChecker } from './jms-flows.js';
import { MaintenanceAdmissionChecker } from './maintenance-admission.js';
import { PlacementChecker, type ClusterMember } from './placement.js';

/** Every invariant checked on every run. */
export function standardCheckers(actorNames: readonly string[], clusterMembers?: ReadonlyMap<string, readonly ClusterMember[]>): Checker[] {
  return [
    new ConservationChecker(),
    new MaintenanceAdmissionChecker(),
    new AffinityChecker(),
    new JmsFlowChecker(),
    new PlacementChecker(actorNames, clusterMembers),
    new AddressChecker(),
    new DrainChecker(),
  ];
}
