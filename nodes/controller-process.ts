import { FaultKind, type Message, type NodeActor, type NodeContext } from './messages.js';

/**
 * The process a controller runs in (placement controller, health controller, load publisher):
 * a crash makes it deaf until it restarts. Messages that arrive meanwhile are lost, except its
 * own timers, which are kept and fired at the restart so that its periodic work resumes.
 */
export class ControllerProcess implements NodeActor {
  readonly name: string;
  private crashed = false;
  private readonly heldTimers: Message[] = [];

  constructor(readonly controller: NodeActor) {
    this.name = controller.name;
  }

  onMessage(message: Message, context: NodeContext): void {
    if (message.$case === 'fault') {
      if (message.value.kind === FaultKind.CRASH) this.crashed = true;
      else if (message.value.kind === FaultKind.RESTART && this.crashed) this.restart(context);
      return;
    }
    if (!this.crashed) return this.controller.onMessage(message, context);
    if (message.$case === 'timer') this.heldTimers.push(message);
  }

  private restart(context: NodeContext): void {
    this.crashed = false;
    for (const timer of this.heldTimers.splice(0)) this.controller.onMessage(timer, context);
  }
}
