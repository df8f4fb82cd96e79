import type { KubeCommand, KubeEndpoint, KubeEviction, KubePodStatus } from '../../gen/clustersim/v1/kubernetes.js';
import { KubeAction, KubePodAction } from '../../gen/clustersim/v1/kubernetes.js';
import { unexpected, type Message, type NodeActor, type NodeContext } from '../messages.js';
import { decideEviction, type DisruptionBudget } from './disruption-budget.js';
import { nextRolloutStep, type OwnedPod, type RollingUpdateBounds } from './rolling-update.js';
import { chooseNode, type SchedulableNode } from './scheduler.js';

export interface ControlPlaneConfig {
  /** Pod actors, by slot: a slot holds one pod for the whole run. */
  podSlots: readonly number[];
  nodes: readonly string[];
  consumers: readonly number[];
  /** The kubectl that drains nodes: cordon and eviction answers go to it. */
  kubectl: number;
  bounds: RollingUpdateBounds;
  minReadyUs: number;
  budget: DisruptionBudget | undefined;
  nodeMonitorPeriodUs: number;
  nodeMonitorGracePeriodUs: number;
  unreachableTolerationUs: number;
}

interface PodEntry extends OwnedPod {
  node: string;
  readySinceUs: number;
  deleted: boolean;
}

interface NodeEntry extends SchedulableNode {
  leaseRenewedAtUs: number;
  notReadySinceUs: number;
}

const startTag = 'start';
const monitorTag = 'node-monitor';
const availableTag = 'min-ready';

/**
 * The API server with the controllers a Deployment behind a Service needs: the Deployment and
 * ReplicaSet controllers (rolling update), the scheduler, the EndpointSlice controller (it
 * publishes every change to each consumer), the node lifecycle controller (leases, NotReady,
 * deletion of the pods of a node gone for longer than the toleration) and the eviction API
 * guarded by the PodDisruptionBudget.
 */
export class ControlPlane implements NodeActor {
  readonly name = 'control-plane';
  private readonly pods = new Map<number, PodEntry>();
  private readonly nodes: NodeEntry[];
  private nextSlot = 0;
  private revision = 1;
  private rollout: { revision: number } | undefined;
  private endpointsVersion = 0;
  private publishedEndpoints = '';

  constructor(private readonly config: ControlPlaneConfig) {
    this.nodes = config.nodes.map((name) => ({ name, ready: true, cordoned: false, leaseRenewedAtUs: 0, notReadySinceUs: 0 }));
  }

  static start(): Message {
    return { $case: 'timer', value: { tag: startTag, ref: 0 } };
  }

  onMessage(message: Message, context: NodeContext): void {
    switch (message.$case) {
      case 'timer':
        if (message.value.tag === startTag) context.setTimer(context.now + this.config.nodeMonitorPeriodUs, timer(monitorTag));
        else if (message.value.tag === monitorTag) this.monitorNodes(context);
        else if (message.value.tag !== availableTag) return unexpected(this.name, message);
        break;
      case 'kubePodStatus':
        this.podStatus(message.value, context);
        break;
      case 'kubeCommand':
        this.command(message.value, context);
        break;
      case 'kubeEviction':
        this.evict(message.value, context);
        break;
      case 'kubeNodeLease':
        this.renewLease(message.value.node, context);
        break;
      default:
        return unexpected(this.name, message);
    }
    this.reconcile(context);
    this.publishEndpoints(context);
  }

  /** The Deployment's pods not deleted, as its controller counts them. */
  private ownedPods(): PodEntry[] {
    return [...this.pods.values()].filter((pod) => !pod.deleted);
  }

  private podStatus(status: KubePodStatus, context: NodeContext): void {
    const pod = this.pods.get(status.pod);
    if (pod === undefined) return;
    pod.started = status.started;
    if (status.exited) {
      this.pods.delete(status.pod); // deleted and its containers gone: the API object goes
      return;
    }
    const node = this.nodes.find((each) => each.name === pod.node);
    // The node lifecycle controller has marked the pods of a NotReady node not ready; a late report does not undo it.
    const ready = status.ready && node?.ready !== false;
    if (ready && !pod.ready) {
      pod.readySinceUs = context.now;
      if (this.config.minReadyUs > 0) context.setTimer(context.now + this.config.minReadyUs, timer(availableTag));
    }
    pod.ready = ready;
  }

  private command(command: KubeCommand, context: NodeContext): void {
    switch (command.action) {
      case KubeAction.ROLLOUT:
        this.revision++;
        this.rollout = { revision: this.revision };
        context.record({ type: 'rollout', revision: this.revision, phase: 'started' });
        return;
      case KubeAction.CORDON: {
        const node = this.node(command.node);
        node.cordoned = true;
        context.record({ type: 'node-condition', node: node.name, condition: 'cordoned' });
        const pods = [...this.pods.values()].filter((pod) => pod.node === node.name && !pod.deleted).map((pod) => pod.pod);
        context.send(this.config.kubectl, { $case: 'kubePodList', value: { node: node.name, pods } });
        return;
      }
      default:
        throw new Error(`the control plane cannot carry out kube action ${command.action}`);
    }
  }

  /** The eviction API: a pod still running is deleted if the disruption budget allows it (201), else 429; a pod gone is 404. */
  private evict(eviction: KubeEviction, context: NodeContext): void {
    const pod = this.pods.get(eviction.pod);
    const answer = (code: number) => context.send(this.config.kubectl, { $case: 'kubeEvictionResult', value: { pod: eviction.pod, code } });
    if (pod === undefined) return answer(404);
    if (pod.deleted) return answer(201); // already being deleted: nothing more to decide
    const healthy = this.ownedPods().filter((each) => each.ready).length;
    const decision = decideEviction(this.config.budget, healthy, this.config.bounds.replicas, pod.ready);
    context.record({ type: 'eviction', pod: pod.pod, granted: decision.granted, healthy, desiredHealthy: decision.desiredHealthy });
    if (!decision.granted) return answer(429);
    this.deletePod(pod, 'eviction', context);
    answer(201);
  }

  private renewLease(name: string, context: NodeContext): void {
    const node = this.node(name);
    node.leaseRenewedAtUs = context.now;
    if (node.ready) return;
    node.ready = true;
    context.record({ type: 'node-condition', node: name, condition: 'ready' });
  }

  /**
   * The node lifecycle controller: a node whose lease is older than the grace period is NotReady
   * and its pods not ready; its pods are deleted once the NotReady taint outlasts their toleration.
   */
  private monitorNodes(context: NodeContext): void {
    context.setTimer(context.now + this.config.nodeMonitorPeriodUs, timer(monitorTag));
    for (const node of this.nodes) {
      if (node.ready && context.now - node.leaseRenewedAtUs > this.config.nodeMonitorGracePeriodUs) {
        node.ready = false;
        node.notReadySinceUs = context.now;
        context.record({ type: 'node-condition', node: node.name, condition: 'not-ready' });
        for (const pod of this.pods.values()) if (pod.node === node.name) pod.ready = false;
      }
      if (node.ready || context.now - node.notReadySinceUs < this.config.unreachableTolerationUs) continue;
      for (const pod of this.ownedPods()) if (pod.node === node.name) this.deletePod(pod, 'node-lost', context);
    }
  }

  /** The Deployment and ReplicaSet controllers, synced until they have nothing more to do; then the scheduler. */
  private reconcile(context: NodeContext): void {
    for (const pod of this.pods.values()) pod.available = pod.ready && context.now - pod.readySinceUs >= this.config.minReadyUs;
    for (;;) {
      const step = nextRolloutStep(this.ownedPods(), this.revision, this.config.bounds);
      if (step.create === 0 && step.delete.length === 0) break;
      for (let count = 0; count < step.create; count++) this.createPod(context);
      for (const pod of step.delete) this.deletePod(this.pods.get(pod)!, 'rollout', context);
    }
    for (const pod of this.pods.values()) if (pod.node === '' && !pod.deleted) this.schedule(pod, context);
    this.checkRolloutDone(context);
    const { replicas, maxSurge } = this.config.bounds;
    if (this.ownedPods().length > replicas + maxSurge) throw new Error(`control plane at ${context.now}us: ${this.ownedPods().length} pods not being deleted, above replicas ${replicas} + maxSurge ${maxSurge}`);
  }

  private createPod(context: NodeContext): void {
    const slot = this.config.podSlots[this.nextSlot++];
    if (slot === undefined) throw new Error(`the run has no pod slot left (${this.config.podSlots.length} planned): more pods were replaced than the timeline foresees`);
    const pod: PodEntry = { pod: slot, revision: this.revision, available: false, ready: false, started: false, createdAtUs: context.now, node: '', readySinceUs: 0, deleted: false };
    this.pods.set(slot, pod);
    context.record({ type: 'pod-phase', pod: slot, node: '', revision: this.revision, phase: 'pending', reason: this.rollout === undefined ? 'replace' : 'rollout' });
  }

  private schedule(pod: PodEntry, context: NodeContext): void {
    const node = chooseNode(this.nodes, (name) => this.ownedPods().filter((each) => each.node === name).length);
    if (node === undefined) return;
    pod.node = node;
    context.send(pod.pod, { $case: 'kubePodCommand', value: { action: KubePodAction.CREATE, node, revision: pod.revision } });
  }

  private deletePod(pod: PodEntry, reason: string, context: NodeContext): void {
    pod.deleted = true;
    context.record({ type: 'pod-phase', pod: pod.pod, node: pod.node, revision: pod.revision, phase: 'terminating', reason });
    if (pod.node === '') {
      this.pods.delete(pod.pod); // never bound: nothing to stop
      return;
    }
    context.send(pod.pod, { $case: 'kubePodCommand', value: { action: KubePodAction.DELETE, node: pod.node, revision: pod.revision } });
  }

  private checkRolloutDone(context: NodeContext): void {
    if (this.rollout === undefined) return;
    const owned = this.ownedPods();
    const done = owned.length === this.config.bounds.replicas && owned.every((pod) => pod.revision === this.rollout!.revision && pod.available);
    if (!done) return;
    context.record({ type: 'rollout', revision: this.rollout.revision, phase: 'ended' });
    this.rollout = undefined;
  }

  /**
   * The EndpointSlice controller: every pod with an address is listed, ready when Ready and not
   * terminating, serving when Ready whatever its termination, terminating once deleted.
   */
  private publishEndpoints(context: NodeContext): void {
    const endpoints: KubeEndpoint[] = [...this.pods.values()]
      .filter((pod) => pod.started)
      .sort((a, b) => a.pod - b.pod)
      .map((pod) => ({ pod: pod.pod, ready: pod.ready && !pod.deleted, serving: pod.ready, terminating: pod.deleted }));
    const signature = JSON.stringify(endpoints);
    if (signature === this.publishedEndpoints) return;
    this.publishedEndpoints = signature;
    const version = ++this.endpointsVersion;
    for (const consumer of this.config.consumers) context.send(consumer, { $case: 'kubeEndpointSlice', value: { version, publishedAtUs: context.now, endpoints } });
  }

  private node(name: string): NodeEntry {
    const node = this.nodes.find((each) => each.name === name);
    if (node === undefined) throw new Error(`the control plane has no node ${name}`);
    return node;
  }
}

function timer(tag: string): Message {
  return { $case: 'timer', value: { tag, ref: 0 } };
}
