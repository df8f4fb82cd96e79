import { unexpected, type Message, type NodeActor, type NodeContext } from '../../nodes/messages.js';

/**
 * Actor 0: the scenario's timeline. It handles nothing itself; the timeline's steps are
 * scheduled in its name, so that they have a fixed place in the canonical event order.
 */
export class TimelineActor implements NodeActor {
  readonly name = 'timeline';
  onMessage(message: Message, _context: NodeContext): void {
    unexpected(this.name, message);
  }
}
