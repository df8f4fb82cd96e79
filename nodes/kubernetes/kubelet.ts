import { unexpected, type Message, type NodeActor, type NodeContext } from '../messages.js';

const renewTag = 'renew-lease';
const crashTag = 'node-crash';

/**
 * The kubelet of one node, as the control plane hears it: it renews the node's Lease every
 * interval until the node stops (the scenario's crashNode). The node lifecycle controller reads
 * a lease left unrenewed as the node gone.
 */
export class Kubelet implements NodeActor {
  readonly name: string;

  constructor(
    readonly node: string,
    private readonly controlPlane: number,
    private readonly renewIntervalUs: number,
    private readonly crashAtUs: number,
  ) {
    this.name = `${node}/kubelet`;
  }

  static start(): Message {
    return { $case: 'timer', value: { tag: renewTag, ref: 0 } };
  }

  onMessage(message: Message, context: NodeContext): void {
    if (message.$case !== 'timer') return unexpected(this.name, message);
    if (message.value.tag === crashTag) {
      context.record({ type: 'fault', kind: 'crash', target: this.node, detail: 'node' });
      return;
    }
    if (context.now === 0 && this.crashAtUs < Infinity) context.setTimer(this.crashAtUs, { $case: 'timer', value: { tag: crashTag, ref: 0 } });
    if (context.now >= this.crashAtUs) return;
    context.send(this.controlPlane, { $case: 'kubeNodeLease', value: { node: this.node } });
    context.setTimer(context.now + this.renewIntervalUs, Kubelet.start());
  }
}
