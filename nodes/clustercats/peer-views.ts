import { ServerState, type MemberReport } from '../messages.js';
import type { FailureDetector } from '../membership/failure-detector.js';

/** A member's picture of a peer, from its reports (so possibly stale). */
export interface PeerView {
  actor: number;
  address: string;
  state: ServerState;
  loadPercent: number;
  peakPercent: number;
  threads: number;
  addresses: readonly string[];
  conflict: boolean;
}

/** A ClusterCATS member's pictures of its peers, and its choice of the most available one. */
export class PeerViews {
  private readonly views = new Map<number, PeerView>();
  private rotation = 0;

  constructor(
    private readonly peers: readonly number[],
    private readonly detector: FailureDetector,
  ) {}

  get(member: number): PeerView | undefined {
    return this.views.get(member);
  }

  /** A crash wipes the member's memory: it knows its peers again from their next reports. */
  forgetAll(): void {
    this.views.clear();
  }

  /** Takes in a peer's report; returns its updated view. */
  update(report: MemberReport): PeerView {
    const load = report.load!;
    let view = this.views.get(load.server);
    if (view === undefined) {
      view = { actor: load.server, address: report.address, state: load.state, loadPercent: 0, peakPercent: 0, threads: load.threads, addresses: [], conflict: false };
      this.views.set(load.server, view);
    }
    view.state = load.state;
    view.loadPercent = load.loadPercent;
    view.peakPercent = report.peakThresholdPercent;
    view.threads = load.threads;
    view.addresses = report.addresses;
    view.conflict = report.addressConflict;
    return view;
  }

  /**
   * The peer with the lowest reported load among those running, not suspected, under their
   * peak threshold (unless `pastPeak`), below `belowPercent` when it is not negative, and
   * answering at their own address; ties go round in turn. Each choice adds one request's share
   * to the chosen peer's load until its next report.
   */
  mostAvailable(belowPercent: number, pastPeak = false): PeerView | undefined {
    const peers = this.peers;
    let best: PeerView | undefined;
    const start = this.rotation++ % Math.max(1, peers.length);
    for (let offset = 0; offset < peers.length; offset++) {
      const view = this.views.get(peers[(start + offset) % peers.length]!);
      if (view === undefined || view.state !== ServerState.RUNNING || this.detector.isSuspected(view.actor)) continue;
      if ((!pastPeak && view.loadPercent >= view.peakPercent) || !view.addresses.includes(view.address)) continue;
      if (belowPercent >= 0 && view.loadPercent >= belowPercent) continue;
      if (best === undefined || view.loadPercent < best.loadPercent) best = view;
    }
    if (best !== undefined) best.loadPercent += 100 / Math.max(1, best.threads);
    return best;
  }
}
