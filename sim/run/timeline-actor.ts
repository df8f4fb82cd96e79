import { FaultKind, unexpected, type Message, type NodeActor, type NodeContext } from '../../nodes/messages.js';

export const faultKindNames: Readonly<Record<number, string>> = {
  [FaultKind.CRASH]: 'crash',
  [FaultKind.RESTART]: 'restart',
  [FaultKind.SLOW]: 'slow',
  [FaultKind.PARTITION]: 'partition',
  [FaultKind.HEAL]: 'heal',
  [FaultKind.DEGRADE]: 'degrade',
};

/**
 * Actor 0: the scenario's timeline. The timeline's steps are scheduled in its name, so that
 * they have a fixed place in the canonical event order; it records each fault as it strikes.
 */
export class TimelineActor implements NodeActor {
  readonly name = 'timeline';
  onMessage(message: Message, context: NodeContext): void {
    if (message.$case !== 'fault') return unexpected(this.name, message);
    const fault = message.value;
    context.record({ type: 'fault', kind: faultKindNames[fault.kind] ?? 'unknown', target: fault.target, detail: fault.detail });
  }
}
