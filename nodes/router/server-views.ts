import { MaintenanceMode, ServerState, type LoadReport, type Request } from '../messages.js';
import type { RandomStream } from '../../sim/kernel/random.js';
import { maintenanceRefusal } from '../server/maintenance-rules.js';
import type { PolicyServerView } from './external-policy.js';

/** Which servers a choice is made among: running ones (new sessions), only those in maintenance (permitMM), or both (JMS). */
export const enum ServerPool {
  running,
  inMaintenance,
  available,
}

type Mutable<T> = { -readonly [Key in keyof T]: T[Key] };

// One server's picture: six numbers side by side.
const stride = 6;
const stateField = 0;
const modeField = 1;
/** Requests this router has sent there and not yet seen answered. */
const outstandingField = 2;
/**
 * Balancing weight: the server's threads. Not scaled by the load in its reports: those are up to
 * an interval old, while the requests outstanding are this router's exact knowledge, and a
 * stale headroom weighed more than that knowledge (one report at 100% made a server look ten
 * times as loaded for a whole interval).
 */
const weightField = 3;
/** Other routers' requests at the server (in service and queued) when it last answered this router, as its answer said. */
const othersField = 4;
/** When the server last answered this router. */
const heardAtField = 5;
/** Weight of the newest answer in the router's moving averages. */
const movingAverageWeight = 0.01;
/** The state field of an actor that is not a server this router knows. */
const unknown = -1;

/**
 * A router's possibly stale picture of the servers it can send to, built from the load reports
 * and answers that reach it. One server's state, mode, outstanding requests, weight and what it last
 * told of other routers' requests lie side by side in
 * one typed array, by actor index: with 10,000 servers behind each of 100 routers, a request
 * then costs one cache line per server it looks at, where an object per view cost several.
 */
export class ServerViews {
  private readonly fields: Float64Array;
  /** Groups that list each server (by actor), to refresh their eligible lists when its state changes. */
  private readonly groupsOf: ServerGroup[][] = [];
  /** `policyViews` of each group, by its list of actors. */
  private readonly policyViewLists = new Map<readonly number[], Mutable<PolicyServerView>[]>();

  constructor(servers: readonly { actor: number; threads: number; state: ServerState }[]) {
    const size = servers.reduce((largest, server) => Math.max(largest, server.actor + 1), 0);
    this.fields = new Float64Array(size * stride).fill(unknown);
    for (const server of servers) {
      const base = server.actor * stride;
      this.fields[base + stateField] = server.state;
      this.fields[base + modeField] = MaintenanceMode.UNSPECIFIED;
      this.fields[base + outstandingField] = 0;
      this.fields[base + weightField] = server.threads;
      this.fields[base + othersField] = 0;
      this.fields[base + heardAtField] = 0;
      this.groupsOf[server.actor] = [];
    }
  }

  knows(actor: number): boolean {
    return actor >= 0 && actor * stride < this.fields.length && this.fields[actor * stride + stateField]! !== unknown;
  }

  state(actor: number): ServerState {
    return this.fields[actor * stride + stateField]!;
  }

  mode(actor: number): MaintenanceMode {
    return this.fields[actor * stride + modeField]!;
  }

  outstanding(actor: number): number {
    return this.fields[actor * stride + outstandingField]!;
  }

  weight(actor: number): number {
    return this.fields[actor * stride + weightField]!;
  }

  /** Counts a request sent to `actor` (+1) or answered by it (-1). */
  addOutstanding(actor: number, change: number): void {
    this.fields[actor * stride + outstandingField]! += change;
  }

  /** Mean of the other routers' requests heard at a server, over the answers (a moving average). */
  private othersMean = 0;
  /** Mean time from a request's sending to its answer (a moving average): how long what was heard stays telling. */
  private responseTimeMeanUs = 0;

  /**
   * The server's count of other routers' requests (in service and queued), on its answer at
   * `nowUs` to a request sent at `sentAtUs`. The server counts them apart from this router's own:
   * an answer overtaken in the network by a later one would otherwise count as others' the
   * requests whose answers already arrived.
   */
  heard(actor: number, others: number, nowUs: number, sentAtUs: number): void {
    const base = actor * stride;
    this.fields[base + othersField] = others;
    this.fields[base + heardAtField] = nowUs;
    this.othersMean += (others - this.othersMean) * movingAverageWeight;
    const responseTimeUs = Math.max(0, nowUs - sentAtUs);
    this.responseTimeMeanUs = this.responseTimeMeanUs === 0 ? responseTimeUs : this.responseTimeMeanUs + (responseTimeUs - this.responseTimeMeanUs) * movingAverageWeight;
  }

  /**
   * Requests at the server as estimated here: this router's own, exactly, plus the other routers'
   * as the server last told this router, decayed toward their mean with a time constant of half
   * a response time (what was heard grows less telling as those requests finish and others
   * arrive; half to two response times measured alike, eight routers on eight servers 0.93-1.01
   * of power-of-two-choices' wait; with no decay a stale high count kept a server shunned, and
   * decaying to zero rather than the mean made idle-looking servers draw everyone, 1.12-1.16).
   * With no other router this is the router's own count, exactly.
   */
  estimate(actor: number, nowUs: number): number {
    const base = actor * stride;
    const fields = this.fields;
    const own = fields[base + outstandingField]!;
    const others = fields[base + othersField]!;
    if (others === 0 && this.othersMean === 0) return own;
    const ageUs = nowUs - fields[base + heardAtField]!;
    const decay = this.responseTimeMeanUs > 0 ? Math.exp((-2 * ageUs) / this.responseTimeMeanUs) : 0;
    return own + this.othersMean + (others - this.othersMean) * decay;
  }

  /** Forgets every outstanding request (the router crashed and lost them) and what it heard of the servers' loads. */
  clearOutstanding(): void {
    for (let base = 0; base < this.fields.length; base += stride) {
      if (this.fields[base + stateField]! === unknown) continue;
      this.fields[base + outstandingField] = 0;
      this.fields[base + othersField] = 0;
      this.fields[base + heardAtField] = 0;
    }
    this.othersMean = 0;
    this.responseTimeMeanUs = 0;
  }

  /** Applies a load report; returns true when the server's state or mode changed. A server not known here is ignored. */
  apply(report: LoadReport): boolean {
    const actor = report.server;
    if (!this.knows(actor)) return false;
    const base = actor * stride;
    const fields = this.fields;
    fields[base + weightField] = Math.max(1, report.threads);
    if (fields[base + stateField] === report.state && fields[base + modeField] === report.mode) return false;
    fields[base + stateField] = report.state;
    fields[base + modeField] = report.mode;
    for (const group of this.groupsOf[actor]!) group.markStale();
    return true;
  }

  /** A group of known servers (a cluster), whose eligible lists follow their states. */
  group(actors: readonly number[]): ServerGroup {
    const group = new ServerGroup(this, actors);
    for (const actor of actors) {
      const groups = this.groupsOf[actor];
      if (groups === undefined) throw new Error(`server ${actor} has no view`);
      groups.push(group);
    }
    return group;
  }

  /** The picture of `actor` as an object, for an external routing policy. */
  policyView(actor: number): PolicyServerView {
    return { actor, state: this.state(actor), mode: this.mode(actor), outstanding: this.outstanding(actor) };
  }

  /**
   * The pictures of a group's servers as objects, for a routing policy asked in-process at every
   * new session: one object per server, refreshed in place, so that asking allocates none.
   */
  policyViews(actors: readonly number[]): readonly PolicyServerView[] {
    let views = this.policyViewLists.get(actors);
    if (views === undefined) {
      views = actors.map((actor) => this.policyView(actor));
      this.policyViewLists.set(actors, views);
    }
    for (const view of views) {
      view.state = this.state(view.actor);
      view.mode = this.mode(view.actor);
      view.outstanding = this.outstanding(view.actor);
    }
    return views;
  }
}

// Groups at most this large are scanned in full; larger ones are sampled (best of a few).
const fullScanLimit = 32;
const sampledCandidates = 4;
/** What `choose` answers when no server is eligible. */
export const noServer = -1;

/**
 * The servers of one cluster as a router sees them, with the lists of running servers and of
 * servers in maintenance kept apart, so a choice never looks at ineligible servers. The lists
 * are rebuilt only when a server's state changes, not per request.
 */
export class ServerGroup {
  private running: number[] = [];
  private inMaintenance: number[] = [];
  private available: number[] = [];
  private stale = true;

  constructor(
    private readonly views: ServerViews,
    readonly actors: readonly number[],
  ) {}

  markStale(): void {
    this.stale = true;
  }

  /**
   * Weighted least estimated requests (see `ServerViews.estimate`, at `nowUs`) over the servers of `pool` that may take a request without
   * affinity. Servers in `excluded` (already tried) are skipped. `noServer` when none is eligible.
   */
  choose(request: Request, pool: ServerPool, excluded: readonly number[], random: RandomStream, nowUs = 0): number {
    if (this.stale) this.refresh();
    const candidates = pool === ServerPool.running ? this.running : pool === ServerPool.inMaintenance ? this.inMaintenance : this.available;
    const count = candidates.length;
    if (count === 0) return noServer;
    const fullScan = count <= fullScanLimit;
    // A full scan starts at a random offset so that ties do not always go to the same server.
    const offset = fullScan ? Math.floor(random() * count) : 0;
    const draws = fullScan ? count : sampledCandidates;
    let best = noServer;
    let bestScore = Infinity;
    for (let draw = 0; draw < draws; draw++) {
      const actor = candidates[fullScan ? (offset + draw) % count : Math.floor(random() * count)]!;
      const score = this.eligibleScore(actor, request, excluded, nowUs);
      if (score < bestScore) {
        best = actor;
        bestScore = score;
      }
    }
    if (best !== noServer || fullScan) return best;
    for (const actor of candidates) {
      const score = this.eligibleScore(actor, request, excluded, nowUs);
      if (score < bestScore) {
        best = actor;
        bestScore = score;
      }
    }
    return best;
  }

  /** Load score of a server for a request (lower is better), or Infinity when it may not take it. */
  private eligibleScore(actor: number, request: Request, excluded: readonly number[], nowUs: number): number {
    if (excluded.length > 0 && excluded.includes(actor)) return Infinity;
    const views = this.views;
    if (maintenanceRefusal(views.state(actor), views.mode(actor), request, actor) !== undefined) return Infinity;
    return (views.estimate(actor, nowUs) + 1) / views.weight(actor);
  }

  private refresh(): void {
    const views = this.views;
    this.running = this.actors.filter((actor) => views.state(actor) === ServerState.RUNNING);
    this.inMaintenance = this.actors.filter((actor) => views.state(actor) === ServerState.MAINTENANCE);
    this.available = this.actors.filter((actor) => views.state(actor) === ServerState.RUNNING || views.state(actor) === ServerState.MAINTENANCE);
    this.stale = false;
  }
}
