import { describe, expect, it } from 'vitest';
import { PodTracker } from '../../sim/checkers/kubernetes-pods.js';

describe('the Kubernetes checkers’ picture of the pods', () => {
  it('counts a pod available only once it has been Ready for minReadySeconds, counted from its last turn to Ready', () => {
    const pods = new PodTracker();
    pods.phase(1, 'node1', 'pending', 0);
    pods.phase(1, 'node1', 'ready', 1_000);
    expect(pods.ready(1_000)).toBe(1);
    expect(pods.ready(10_999, 10_000)).toBe(0);
    expect(pods.ready(11_000, 10_000)).toBe(1); // Ready for exactly minReadySeconds: available
    pods.phase(1, 'node1', 'ready', 5_000); // still Ready: the clock does not restart
    expect(pods.isPodReady(1, 11_000, 10_000)).toBe(true);
    pods.phase(1, 'node1', 'not-ready', 12_000);
    expect(pods.ready(12_000)).toBe(0);
    pods.phase(1, 'node1', 'ready', 20_000);
    expect(pods.isPodReady(1, 29_999, 10_000)).toBe(false);
    expect(pods.isPodReady(1, 30_000, 10_000)).toBe(true);
    expect(pods.isPodReady(2, 30_000)).toBe(false); // never seen
  });

  it('forgets an exited pod, and a terminating one no longer counts toward the surge', () => {
    const pods = new PodTracker();
    for (const pod of [1, 2, 3]) pods.phase(pod, 'node1', 'ready', 0);
    pods.phase(1, 'node1', 'exited', 5); // its process ended without a deletion (a crash)
    expect(pods.notTerminating()).toBe(2);
    pods.phase(2, 'node1', 'terminating', 6);
    expect(pods.notTerminating()).toBe(1);
    expect(pods.ready(6)).toBe(1);
  });

  it('keeps a lost pod counted as it stood until its own node is NotReady, and keeps the node it knows when a record names none', () => {
    const pods = new PodTracker();
    pods.phase(1, 'node1', 'ready', 0);
    pods.phase(2, 'node2', 'ready', 0);
    pods.phase(1, '', 'lost', 5); // a record that names no node leaves the known one
    pods.phase(2, 'node2', 'lost', 5);
    expect(pods.ready(5)).toBe(2);
    pods.nodeNotReady('node2');
    expect(pods.ready(6)).toBe(1);
    expect(pods.isPodReady(1, 6)).toBe(true);
    pods.nodeNotReady('node1');
    expect(pods.ready(7)).toBe(0);
  });
});
