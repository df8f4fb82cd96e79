import { MaintenanceMode, ServerAction, type Message } from '../../../nodes/messages.js';
import { ScenarioError, type LoadedScenario } from '../../scenario/load.js';
import type { TimelineStep } from '../../scenario/schema.js';
import { timelineActor, type InitialEvent, type Topology } from '../topology.js';

export const modes = { affinity: MaintenanceMode.AFFINITY, break: MaintenanceMode.BREAK, stop: MaintenanceMode.STOP } as const;
const serverActions = { start: ServerAction.START, stop: ServerAction.STOP, restart: ServerAction.RESTART } as const;

/** The deliveries of one maintenance or control step of the timeline. */
export function timelineEvents(step: TimelineStep, index: number, topology: Topology, loaded: LoadedScenario): InitialEvent[] {
  const control = step.control;
  if (control !== undefined) {
    const server = topology.serverByName.get(control.server);
    if (server === undefined) throw new ScenarioError([loaded.problemAt(['timeline', index, 'control', 'server'], `unknown server "${control.server}"`)]);
    const message: Message = { $case: 'serverControl', value: { action: serverActions[control.action], reason: `timeline step ${index + 1}` } };
    return [{ atUs: step.at, origin: timelineActor, target: server, message }];
  }
  const maintenance = step.maintenance;
  if (maintenance === undefined) return [];
  const targets = resolveTargets(maintenance, index, topology, loaded);
  return targets.map((target) => ({
    atUs: step.at,
    origin: timelineActor,
    target,
    message: { $case: 'maintenance', value: { targets: [target], enter: !maintenance.exit, mode: modes[maintenance.mode], reason: `timeline step ${index + 1}` } },
  }));
}

function resolveTargets(
  target: { server?: string | undefined; node?: string | undefined; odr?: string | undefined },
  index: number,
  topology: Topology,
  loaded: LoadedScenario,
): number[] {
  const problem = (message: string) => new ScenarioError([loaded.problemAt(['timeline', index, 'maintenance'], message)]);
  const named = [target.server, target.node, target.odr].filter((name) => name !== undefined);
  if (named.length !== 1) throw problem('name exactly one of server, node, odr');
  if (target.server !== undefined) {
    const server = topology.serverByName.get(target.server);
    if (server === undefined) throw problem(`unknown server "${target.server}" (servers are named like ${[...topology.serverByName.keys()][0] ?? 'node1/app-1'})`);
    return [server];
  }
  if (target.node !== undefined) {
    const members = topology.nodeServers.get(target.node) ?? topology.routerNodes.get(target.node);
    if (members === undefined) throw problem(`unknown node "${target.node}" (nodes: node1..node${topology.nodeServers.size}, odrnode1..odrnode${topology.routers.length})`);
    return members;
  }
  const router = topology.routerByName.get(target.odr!);
  if (router === undefined) throw problem(`unknown ODR "${target.odr}" (odr1..odr${topology.routers.length})`);
  return [router];
}
