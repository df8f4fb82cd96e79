import { ControlPlane } from '../../../nodes/kubernetes/control-plane.js';
import { EndpointConsumer } from '../../../nodes/kubernetes/endpoint-consumer.js';
import { Kubectl } from '../../../nodes/kubernetes/kubectl.js';
import { Kubelet } from '../../../nodes/kubernetes/kubelet.js';
import { Pod } from '../../../nodes/kubernetes/pod.js';
import { resolveRollingUpdate } from '../../../nodes/kubernetes/rolling-update.js';
import { KubeAction } from '../../../gen/clustersim/v1/kubernetes.js';
import type { NodeActor } from '../../../nodes/messages.js';
import { constant, uniform } from '../../kernel/distributions.js';
import { ScenarioNetwork } from '../../network/scenario-network.js';
import { defaultRequestTimeoutUs } from '../../run/faults.js';
import { TimelineActor } from '../../run/timeline-actor.js';
import { toDistribution } from '../../scenario/distribution.js';
import type { LoadedScenario } from '../../scenario/load.js';
import type { KubernetesSpec } from '../../scenario/schema.js';
import { consumerInstanceNames } from '../../scenario/schema-kubernetes.js';
import { SessionClients } from '../../workload/session-clients.js';
import { httpUsers } from '../http-clients.js';
import type { InitialEvent, Topology, TopologyKind } from '../topology.js';

/** kube-proxy applies endpoint changes at most once per --iptables-min-sync-period (1s): a change waits up to that long. */
const kubeProxyDelay = uniform(0, 1_000_000);
const defaultStartTime = constant(2_000_000);

/**
 * A Kubernetes Deployment behind a Service on `cluster.nodes.count` nodes. Actors: the timeline,
 * the control plane, kubectl, a kubelet per node, the endpoint consumers, the pod slots (each
 * pod the run may create has its own actor, bound when the scheduler places it) and the clients,
 * who reach the pods through the consumers.
 */
export const kubernetesTopology: TopologyKind = {
  name: 'kubernetes',
  describes: (scenario) => scenario.kubernetes !== undefined,
  build: buildKubernetes,
};

/** Pods a run may create: the replicas and a surge, and a full set again for each step that replaces pods. */
function podSlotCount(spec: KubernetesSpec, replacingSteps: number): number {
  return spec.deployment.replicas * (2 + replacingSteps);
}

function buildKubernetes(loaded: LoadedScenario): Topology {
  const scenario = loaded.scenario;
  const spec = scenario.kubernetes!;
  const deployment = spec.deployment;
  const nodeNames = Array.from({ length: scenario.cluster.nodes.count }, (_, index) => `node${index + 1}`);
  const crashAtUs = new Map<string, number>();
  for (const step of scenario.timeline) {
    const node = step.kubernetes?.crashNode;
    if (node !== undefined && !crashAtUs.has(node)) crashAtUs.set(node, step.at);
  }
  const replacingSteps = scenario.timeline.filter((step) => step.kubernetes !== undefined).length;

  const controlPlane = 1;
  const kubectl = 2;
  const firstKubelet = 3;
  const firstConsumer = firstKubelet + nodeNames.length;
  const consumerInstances = spec.consumers.flatMap((consumer) => consumerInstanceNames(consumer).map((name) => ({ name, consumer })));
  const consumers = consumerInstances.map((_, index) => firstConsumer + index);
  const firstPod = firstConsumer + consumers.length;
  const pods = Array.from({ length: podSlotCount(spec, replacingSteps) }, (_, index) => firstPod + index);
  const client = firstPod + pods.length;
  const podNames = pods.map((_, index) => `pod-${index + 1}`);
  const actorNames = ['timeline', 'control-plane', 'kubectl', ...nodeNames.map((node) => `${node}/kubelet`), ...consumerInstances.map((instance) => instance.name), ...podNames, 'clients/http'];

  const bounds = resolveRollingUpdate(deployment.replicas, deployment.maxSurge, deployment.maxUnavailable);
  const budget = spec.podDisruptionBudget;
  const actors: NodeActor[] = [
    new TimelineActor(),
    new ControlPlane({
      podSlots: pods,
      nodes: nodeNames,
      consumers,
      kubectl,
      bounds,
      minReadyUs: deployment.minReadySeconds,
      budget,
      nodeMonitorPeriodUs: spec.nodeMonitorPeriod,
      nodeMonitorGracePeriodUs: spec.nodeMonitorGracePeriod,
      unreachableTolerationUs: spec.unreachableTolerationSeconds,
    }),
    new Kubectl(controlPlane, spec.drainRetryInterval),
    ...nodeNames.map((node) => new Kubelet(node, controlPlane, spec.nodeLeaseRenewInterval, crashAtUs.get(node) ?? Infinity)),
    ...consumerInstances.map(
      ({ name, consumer }) =>
        new EndpointConsumer({
          name,
          delay: consumer.delay === undefined ? kubeProxyDelay : toDistribution(consumer.delay),
          retries: consumer.retries,
          sessionAffinity: consumer.affinity === 'session',
          proxyTerminatingEndpoints: spec.proxyTerminatingEndpoints,
          keepAlive: consumer.connections === 'keep-alive',
        }),
    ),
  ];
  const startTime = deployment.startTime === undefined ? defaultStartTime : toDistribution(deployment.startTime);
  const probe = deployment.readinessProbe;
  for (const name of podNames) {
    actors.push(
      new Pod({
        name,
        controlPlane,
        threads: scenario.cluster.server.threads,
        queueLimit: scenario.cluster.server.queue,
        startTime,
        probe: { initialDelayUs: probe.initialDelay, periodUs: probe.period, timeoutUs: probe.timeout, successThreshold: probe.successThreshold, failureThreshold: probe.failureThreshold },
        terminationGracePeriodUs: deployment.terminationGracePeriod,
        preStopSleepUs: deployment.preStop?.sleep ?? 0,
        onSigterm: deployment.onSigterm,
        drainTimeoutUs: deployment.drainTimeout,
        nodeCrashAtUs: (node) => crashAtUs.get(node) ?? Infinity,
      }),
    );
  }
  const http = scenario.workload.http!;
  actors.push(
    new SessionClients({
      ...httpUsers(http),
      idSlot: 0,
      entryPoints: consumers,
      stopArrivalsAtUs: scenario.duration,
      requestTimeoutUs: http.timeout ?? defaultRequestTimeoutUs,
    }),
  );

  const initialEvents: InitialEvent[] = [
    { atUs: 0, origin: controlPlane, target: controlPlane, message: ControlPlane.start() },
    ...nodeNames.map((_, index) => ({ atUs: 0, origin: firstKubelet + index, target: firstKubelet + index, message: Kubelet.start() })),
    { atUs: 0, origin: client, target: client, message: SessionClients.start() },
  ];
  for (const step of scenario.timeline) {
    const action = step.kubernetes;
    if (action?.rollout !== undefined) initialEvents.push({ atUs: step.at, origin: 0, target: controlPlane, message: { $case: 'kubeCommand', value: { action: KubeAction.ROLLOUT, node: '' } } });
    if (action?.drain !== undefined) initialEvents.push({ atUs: step.at, origin: 0, target: kubectl, message: { $case: 'kubeCommand', value: { action: KubeAction.DRAIN, node: action.drain } } });
  }

  return {
    actors,
    actorNames,
    network: new ScenarioNetwork(toDistribution(scenario.network.latency), scenario.network.minLatency ?? 0),
    servers: pods,
    // Pods and consumers are no targets of the other topologies' steps (maintenance, crash): no names here.
    serverByName: new Map(),
    nodeServers: new Map(),
    routers: [],
    routerByName: new Map(),
    routerNodes: new Map(),
    clusters: new Map([[scenario.cluster.name, pods]]),
    clients: [client],
    initialEvents,
    kubernetes: { bounds, minReadyUs: deployment.minReadySeconds, budget, consumers },
  };
}
