import { MaintenanceMode, ServerState, type LoadReport, type Request } from '../messages.js';
import type { RandomStream } from '../../sim/kernel/random.js';
import { maintenanceRefusal } from '../server/maintenance-rules.js';

/** A router's possibly stale picture of one server, built from the load reports that reach it. */
export interface ServerView {
  readonly actor: number;
  state: ServerState;
  mode: MaintenanceMode;
  /** Requests this router has sent there and not yet seen answered. */
  outstanding: number;
  /** Balancing weight: the server's threads scaled by the headroom of its last report. */
  weight: number;
  /** Groups that list this server, to refresh their eligible lists when its state changes. */
  readonly groups: ServerGroup[];
}

/** Which servers a choice is made among: running ones (new sessions), only those in maintenance (permitMM), or both (JMS). */
export const enum ServerPool {
  running,
  inMaintenance,
  available,
}

// Groups at most this large are scanned in full; larger ones are sampled (best of a few).
const fullScanLimit = 32;
const sampledCandidates = 4;

/**
 * The servers of one cluster as a router sees them, with the lists of running servers and of
 * servers in maintenance kept apart, so a choice never looks at ineligible servers. The lists
 * are rebuilt only when a server's state changes, not per request.
 */
export class ServerGroup {
  private running: ServerView[] = [];
  private inMaintenance: ServerView[] = [];
  private available: ServerView[] = [];
  private stale = true;

  constructor(readonly views: readonly ServerView[]) {
    for (const view of views) view.groups.push(this);
  }

  markStale(): void {
    this.stale = true;
  }

  /**
   * Weighted least outstanding over the servers of `pool` that may take a request without
   * affinity. Servers in `excluded` (already tried) are skipped. Undefined when none is eligible.
   */
  choose(request: Request, pool: ServerPool, excluded: readonly number[], random: RandomStream): ServerView | undefined {
    if (this.stale) this.refresh();
    const candidates = pool === ServerPool.running ? this.running : pool === ServerPool.inMaintenance ? this.inMaintenance : this.available;
    const count = candidates.length;
    if (count === 0) return undefined;
    const fullScan = count <= fullScanLimit;
    // A full scan starts at a random offset so that ties do not always go to the same server.
    const offset = fullScan ? Math.floor(random() * count) : 0;
    const draws = fullScan ? count : sampledCandidates;
    let best: ServerView | undefined;
    let bestScore = Infinity;
    for (let draw = 0; draw < draws; draw++) {
      const view = candidates[fullScan ? (offset + draw) % count : Math.floor(random() * count)]!;
      const score = eligibleScore(view, request, excluded);
      if (score < bestScore) {
        best = view;
        bestScore = score;
      }
    }
    if (best !== undefined || fullScan) return best;
    for (const view of candidates) {
      const score = eligibleScore(view, request, excluded);
      if (score < bestScore) {
        best = view;
        bestScore = score;
      }
    }
    return best;
  }

  private refresh(): void {
    this.running = this.views.filter((view) => view.state === ServerState.RUNNING);
    this.inMaintenance = this.views.filter((view) => view.state === ServerState.MAINTENANCE);
    this.available = this.views.filter((view) => view.state === ServerState.RUNNING || view.state === ServerState.MAINTENANCE);
    this.stale = false;
  }
}

/** Load score of a server for a request (lower is better), or Infinity when it may not take it. */
function eligibleScore(view: ServerView, request: Request, excluded: readonly number[]): number {
  if (excluded.length > 0 && excluded.includes(view.actor)) return Infinity;
  if (maintenanceRefusal(view.state, view.mode, request, view.actor) !== undefined) return Infinity;
  return (view.outstanding + 1) / view.weight;
}

export function newServerView(actor: number, initialState: ServerState, threads: number): ServerView {
  return { actor, state: initialState, mode: MaintenanceMode.UNSPECIFIED, outstanding: 0, weight: threads, groups: [] };
}

/** Applies a load report; returns true when the server's state or mode changed. */
export function applyLoadReport(view: ServerView, report: LoadReport): boolean {
  view.weight = Math.max(0.1, (report.threads * (110 - report.loadPercent)) / 110);
  if (view.state === report.state && view.mode === report.mode) return false;
  view.state = report.state;
  view.mode = report.mode;
  for (const group of view.groups) group.markStale();
  return true;
}
