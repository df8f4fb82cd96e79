import { unexpected, type LoadReport, type Message, type NodeActor, type NodeContext } from '../messages.js';

export interface LoadPublisherConfig {
  name: string;
  /** Routers that receive the cell's load table. */
  routers: readonly number[];
  publishIntervalUs: number;
}

const publishTag = 'publish';

/**
 * The cell's on-demand configuration service: servers report their load here, and every
 * interval each router gets one table of the reports that arrived since the last one. A change
 * of state (maintenance, stop, failure) goes out at once. Routers thus see load that is up to
 * an interval old, as they do in the product, and a cell of thousands of servers costs one
 * message per router and interval instead of one per server and router.
 */
export class LoadPublisher implements NodeActor {
  readonly name: string;
  private readonly latest = new Map<number, LoadReport>();
  /** Servers whose latest report the routers have not had yet, in the order they reported. */
  private readonly unpublished = new Set<number>();

  constructor(private readonly config: LoadPublisherConfig) {
    this.name = config.name;
  }

  static start(): Message {
    return { $case: 'timer', value: { tag: publishTag, ref: 0 } };
  }

  onMessage(message: Message, context: NodeContext): void {
    switch (message.$case) {
      case 'loadReport':
        return this.receive(message.value, context);
      case 'timer':
        if (message.value.tag === publishTag) return this.publish(context);
        return unexpected(this.name, message);
      default:
        return unexpected(this.name, message);
    }
  }

  private receive(report: LoadReport, context: NodeContext): void {
    const previous = this.latest.get(report.server);
    this.latest.set(report.server, report);
    if (previous !== undefined && (previous.state !== report.state || previous.mode !== report.mode)) {
      this.unpublished.delete(report.server);
      this.send([report], context);
      return;
    }
    this.unpublished.add(report.server);
  }

  private publish(context: NodeContext): void {
    if (this.unpublished.size > 0) {
      this.send(
        [...this.unpublished].map((server) => this.latest.get(server)!),
        context,
      );
      this.unpublished.clear();
    }
    context.setTimer(context.now + this.config.publishIntervalUs, LoadPublisher.start());
  }

  /** One table per router; in-process they share it, so routers must treat it as read-only. */
  private send(reports: LoadReport[], context: NodeContext): void {
    for (const router of this.config.routers) context.send(router, { $case: 'loadTable', value: { reports } });
  }
}
