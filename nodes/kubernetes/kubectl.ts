import { KubeAction, type KubeCommand, type KubeEvictionResult, type KubePodList } from '../../gen/clustersim/v1/kubernetes.js';
import { unexpected, type Message, type NodeActor, type NodeContext } from '../messages.js';

const retryTag = 'retry-eviction';
/** kubectl drain polls a granted eviction's pod this often until it is gone. */
const deletionPollIntervalUs = 1_000_000;

interface Drain {
  node: string;
  /** Pods of the node not yet gone. */
  remaining: Set<number>;
}

/**
 * `kubectl drain NODE`: cordon the node, then evict each of its pods through the eviction API;
 * an eviction refused (429, a disruption budget would be violated) is tried again after the
 * retry interval, and a granted one is watched until its pod is gone (404). The node is drained
 * when every pod is gone.
 */
export class Kubectl implements NodeActor {
  readonly name = 'kubectl';
  private readonly drains: Drain[] = [];

  constructor(
    private readonly controlPlane: number,
    private readonly retryIntervalUs: number,
  ) {}

  onMessage(message: Message, context: NodeContext): void {
    switch (message.$case) {
      case 'kubeCommand':
        return this.drain(message.value, context);
      case 'kubePodList':
        return this.evictAll(message.value, context);
      case 'kubeEvictionResult':
        return this.evicted(message.value, context);
      case 'timer':
        if (message.value.tag !== retryTag) return unexpected(this.name, message);
        return this.evict(message.value.ref, context);
      default:
        return unexpected(this.name, message);
    }
  }

  private drain(command: KubeCommand, context: NodeContext): void {
    if (command.action !== KubeAction.DRAIN) throw new Error(`kubectl cannot carry out kube action ${command.action}`);
    context.send(this.controlPlane, { $case: 'kubeCommand', value: { action: KubeAction.CORDON, node: command.node } });
  }

  private evictAll(list: KubePodList, context: NodeContext): void {
    this.drains.push({ node: list.node, remaining: new Set(list.pods) });
    for (const pod of list.pods) this.evict(pod, context);
    this.finishDrains(context);
  }

  private evict(pod: number, context: NodeContext): void {
    context.send(this.controlPlane, { $case: 'kubeEviction', value: { pod } });
  }

  private evicted(result: KubeEvictionResult, context: NodeContext): void {
    if (result.code === 404) {
      for (const drain of this.drains) drain.remaining.delete(result.pod);
      return this.finishDrains(context);
    }
    const waitUs = result.code === 429 ? this.retryIntervalUs : deletionPollIntervalUs;
    context.setTimer(context.now + waitUs, { $case: 'timer', value: { tag: retryTag, ref: result.pod } });
  }

  private finishDrains(context: NodeContext): void {
    for (const drain of this.drains.filter((each) => each.remaining.size === 0)) {
      context.record({ type: 'node-condition', node: drain.node, condition: 'drained' });
      this.drains.splice(this.drains.indexOf(drain), 1);
    }
  }
}
