import { describe, expect, it } from 'vitest';
import { ControllerProcess } from '../../nodes/controller-process.js';
import { FaultKind, type Message, type NodeActor, type NodeContext } from '../../nodes/messages.js';
import { FakeContext } from '../helpers/fake-context.js';

/** A controller that notes what reaches it. */
class Recorder implements NodeActor {
  readonly name = 'placement';
  readonly heard: Message[] = [];
  onMessage(message: Message, _context: NodeContext): void {
    this.heard.push(message);
  }
}

const fault = (kind: FaultKind): Message => ({ $case: 'fault', value: { kind, target: 'placement', factor: 1, detail: '' } });
const timer = (ref: number): Message => ({ $case: 'timer', value: { tag: 'decide', ref } });
const report: Message = { $case: 'loadTable', value: { reports: [] } };

describe('controller process: the process a controller runs in', () => {
  it('passes every message to its controller while it runs, and takes the controller’s name', () => {
    const controller = new Recorder();
    const process = new ControllerProcess(controller);
    process.onMessage(report, new FakeContext(1));
    process.onMessage(timer(1), new FakeContext(1));
    expect(process.name).toBe('placement');
    expect(controller.heard).toEqual([report, timer(1)]);
  });

  it('crashed, it loses what arrives but keeps its own timers, and fires them in order at the restart', () => {
    const controller = new Recorder();
    const process = new ControllerProcess(controller);
    const context = new FakeContext(1);
    process.onMessage(fault(FaultKind.CRASH), context);
    process.onMessage(report, context);
    process.onMessage(timer(1), context);
    process.onMessage(timer(2), context);
    expect(controller.heard).toEqual([]);
    process.onMessage(fault(FaultKind.RESTART), context);
    expect(controller.heard).toEqual([timer(1), timer(2)]);
    process.onMessage(report, context);
    expect(controller.heard).toEqual([timer(1), timer(2), report]);
  });

  it('a restart of a running process changes nothing, and timers are fired once only', () => {
    const controller = new Recorder();
    const process = new ControllerProcess(controller);
    const context = new FakeContext(1);
    process.onMessage(fault(FaultKind.RESTART), context);
    expect(controller.heard).toEqual([]);
    process.onMessage(fault(FaultKind.CRASH), context);
    process.onMessage(timer(1), context);
    process.onMessage(fault(FaultKind.RESTART), context);
    process.onMessage(fault(FaultKind.RESTART), context);
    process.onMessage(fault(FaultKind.CRASH), context);
    process.onMessage(fault(FaultKind.RESTART), context);
    expect(controller.heard).toEqual([timer(1)]);
  });

  it('faults are the process’s own: the controller never sees them, and other kinds change nothing', () => {
    const controller = new Recorder();
    const process = new ControllerProcess(controller);
    const context = new FakeContext(1);
    process.onMessage(fault(FaultKind.SLOW), context);
    process.onMessage(report, context);
    expect(controller.heard).toEqual([report]);
    process.onMessage(fault(FaultKind.CRASH), context);
    process.onMessage(timer(1), context);
    process.onMessage(fault(FaultKind.SLOW), context); // not a restart: still deaf
    process.onMessage(report, context);
    expect(controller.heard).toEqual([report]);
  });
});
