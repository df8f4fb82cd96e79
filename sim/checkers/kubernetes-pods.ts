import type { PodPhase } from '../metrics/records.js';

interface TrackedPod {
  node: string;
  phase: PodPhase;
  readySinceUs: number;
  terminating: boolean;
  /** The node's loss is not yet known to the control plane: the pod still counts as it stood. */
  lostUnnoticed: boolean;
}

/**
 * The Deployment's pods as the records tell them, for the Kubernetes rules: which are Ready,
 * which terminating. A pod lost with its node counts as it stood until the node is marked
 * NotReady, since until then the control plane cannot know better.
 */
export class PodTracker {
  private readonly pods = new Map<number, TrackedPod>();

  phase(pod: number, node: string, phase: PodPhase, timeUs: number): void {
    const tracked = this.pods.get(pod) ?? { node, phase, readySinceUs: 0, terminating: false, lostUnnoticed: false };
    if (node !== '') tracked.node = node;
    if (phase === 'terminating') tracked.terminating = true;
    else if (phase === 'lost') tracked.lostUnnoticed = true;
    else {
      if (phase === 'ready' && tracked.phase !== 'ready') tracked.readySinceUs = timeUs;
      tracked.phase = phase;
    }
    this.pods.set(pod, tracked);
    if (phase === 'exited') this.pods.delete(pod);
  }

  nodeNotReady(node: string): void {
    for (const [pod, tracked] of this.pods) if (tracked.node === node && tracked.lostUnnoticed) this.pods.delete(pod);
  }

  /** Pods not being deleted (the ones a rollout's surge bound counts). */
  notTerminating(): number {
    let count = 0;
    for (const tracked of this.pods.values()) if (!tracked.terminating) count++;
    return count;
  }

  /** Ready, not terminating pods (healthy to a disruption budget); available too when Ready for `minReadyUs`. */
  ready(timeUs: number, minReadyUs = 0): number {
    let count = 0;
    for (const tracked of this.pods.values()) if (this.isReady(tracked, timeUs, minReadyUs)) count++;
    return count;
  }

  isPodReady(pod: number, timeUs: number, minReadyUs = 0): boolean {
    const tracked = this.pods.get(pod);
    return tracked !== undefined && this.isReady(tracked, timeUs, minReadyUs);
  }

  private isReady(tracked: TrackedPod, timeUs: number, minReadyUs: number): boolean {
    return tracked.phase === 'ready' && !tracked.terminating && timeUs - tracked.readySinceUs >= minReadyUs;
  }
}
