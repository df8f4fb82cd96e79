import { MaintenanceMode, ServerState } from '../../gen/clustersim/v1/cluster.js';
import type { RecordHandlers } from './record-bus.js';
import { seriesProtocols, slotOfProtocol } from './protocols.js';

// Bounds that keep the windows of a run small whatever the cluster size.
const maxDrainCurves = 48;
const maxDrainEpisodes = 2000;
const maxCurvePoints = 240;

/** Open sessions by protocol (in `seriesProtocols` order) at each change, thinned to a bounded number of points. */
export interface SessionCurve {
  timesUs: number[];
  /** One array per protocol, aligned with timesUs. */
  open: number[][];
}

export type EpisodeEnd = 'drained' | 'expired' | 'exited' | 'stopped' | 'failed' | 'run-end';

/**
 * One maintenance window or drain of a server (or an ODR): from entering it to leaving, drained
 * or cut. A stop-mode window runs from the stop through the restart to the exit.
 */
export interface DrainEpisode {
  actor: number;
  name: string;
  /** An ODR's window holds no sessions: the sprayer moves its traffic to the other ODRs. */
  target: 'server' | 'router';
  kind: 'maintenance' | 'draining';
  /** The maintenance mode on entering (affinity, break, stop), '' for a drain-down period. */
  mode: string;
  startUs: number;
  /** The drain-down deadline, when a drain period applies. */
  deadlineUs?: number;
  endUs: number;
  end: EpisodeEnd;
  /** When the last session left, if it did before the end. */
  drainedAtUs?: number;
  /** Sessions still open when the episode ended (cut at the deadline, lost on failure, or kept). */
  openAtEnd: number;
  /** Sessions the server held just before it entered, by protocol (`seriesProtocols` order). */
  openAtStartByProtocol: number[];
  /** Sessions held just before entering, in all. */
  openAtStart: number;
  /**
   * Sessions the server gave up as it entered (break: HTTP and SIP; stop: all), by protocol, and
   * as it went on from keep-affinity into break or stop mode within the window.
   */
  givenUpAtEntry: number[];
  /** Of those, the sessions stop mode gave up (the rest, break mode). */
  stoppedAtEntry: number;
  /** Of those, the sessions taken over by another server (replicated state), by protocol. */
  failedOverAtEntry: number[];
  curve?: SessionCurve;
}

export interface MaintenanceWindows {
  episodes: DrainEpisode[];
  episodesLeftOut: number;
}

/** Sessions given up at entry end dropped with the cause the client then meets. */
export function droppedAtEntryByCause(episode: DrainEpisode): Record<string, number> {
  const dropped = episode.givenUpAtEntry.reduce((sum, given, slot) => sum + given - episode.failedOverAtEntry[slot]!, 0);
  const stopped = Math.min(dropped, episode.stoppedAtEntry);
  const byCause: Record<string, number> = {};
  if (dropped - stopped > 0) byCause['affinity-broken'] = dropped - stopped;
  if (stopped > 0) byCause['server-stopped'] = stopped;
  return byCause;
}

const modeNames: Readonly<Record<number, string>> = {
  [MaintenanceMode.AFFINITY]: 'affinity',
  [MaintenanceMode.BREAK]: 'break',
  [MaintenanceMode.STOP]: 'stop',
};

interface OpenEpisode {
  episode: DrainEpisode;
  curve?: CurveBuilder;
  /** The maintenance mode the actor is in now. */
  mode: MaintenanceMode;
}

/**
 * Folds the records of maintenance and drains into one window per server (or ODR) and entry:
 * what it held on entering, what it gave up there, when it drained, what was cut. The summary,
 * the drain chart and the report's table all read these windows.
 */
export class MaintenanceWindowRecorder {
  /** Open sessions by protocol of every actor, row-major by actor index. */
  private openSessions: Float64Array;
  /** The same rows as they stood before the last instant that changed them. */
  private openBefore: Float64Array;
  /** When each actor's row last changed. */
  private changedAtUs: Float64Array;
  private readonly openEpisodes = new Map<number, OpenEpisode>();
  /** Each actor's latest episode, open or closed, for failovers that come after the entry. */
  private readonly latestEpisode = new Map<number, DrainEpisode>();
  private readonly episodes: DrainEpisode[] = [];
  private episodesLeftOut = 0;
  private curvesStarted = 0;

  constructor(private readonly actorNames: readonly string[]) {
    const rows = actorNames.length * seriesProtocols.length;
    this.openSessions = new Float64Array(rows);
    this.openBefore = new Float64Array(rows);
    this.changedAtUs = new Float64Array(actorNames.length).fill(-1);
  }

  readonly handlers: RecordHandlers = {
    'server-sessions': (timeUs, _actor, record) => this.sessionsChanged(timeUs, record.server, record.protocol, record.open, record.total),
    'server-state': (timeUs, _actor, record) => this.stateChanged(timeUs, record.server, 'server', record.state, record.mode),
    'router-state': (timeUs, _actor, record) => this.stateChanged(timeUs, record.router, 'router', record.state, record.mode),
    'drain-started': (timeUs, _actor, record) => {
      const open = this.openEpisodes.get(record.server) ?? this.startEpisode(timeUs, record.server, 'server', 'draining', MaintenanceMode.UNSPECIFIED);
      open.episode.deadlineUs = record.deadlineUs;
    },
    'drain-ended': (timeUs, _actor, record) => {
      // A drain cancelled by a start is the server back in service, as a maintenance exit is.
      this.endEpisode(timeUs, record.server, record.reason === 'cancelled' ? 'exited' : record.reason, record.openSessions);
    },
    'session-failover': (_timeUs, _actor, record) => {
      const episode = this.latestEpisode.get(record.from);
      const slot = slotOfProtocol[record.protocol] ?? -1;
      if (episode === undefined || slot < 0) return;
      if (episode.failedOverAtEntry[slot]! < episode.givenUpAtEntry[slot]!) episode.failedOverAtEntry[slot]!++;
    },
  };

  /** Ends the windows still open and returns them all, in order of entry. */
  finish(endUs: number): MaintenanceWindows {
    for (const actor of [...this.openEpisodes.keys()].sort((a, b) => a - b)) this.endEpisode(endUs, actor, 'run-end', this.totalOpen(actor));
    this.episodes.sort((a, b) => a.startUs - b.startUs || a.actor - b.actor);
    return { episodes: this.episodes, episodesLeftOut: this.episodesLeftOut };
  }

  private stateChanged(timeUs: number, actor: number, target: DrainEpisode['target'], state: ServerState, mode: MaintenanceMode): void {
    const inWindow = mode !== MaintenanceMode.UNSPECIFIED || state === ServerState.MAINTENANCE || state === ServerState.DRAINING;
    const open = this.openEpisodes.get(actor);
    if (open === undefined) {
      // A server already down (a dynamic cluster's spare slot) that is put into maintenance holds
      // nothing and serves nothing: no window, unless stop mode is what stopped it.
      const down = state === ServerState.FAILED || (state === ServerState.STOPPED && mode !== MaintenanceMode.STOP);
      if (inWindow && !down) this.startEpisode(timeUs, actor, target, state === ServerState.DRAINING && mode === MaintenanceMode.UNSPECIFIED ? 'draining' : 'maintenance', mode);
      return;
    }
    if (state === ServerState.FAILED) return this.endEpisode(timeUs, actor, 'failed', this.totalOpen(actor));
    // A stop-mode window goes on through the stop and the restart, until the mode is cleared.
    if (inWindow) return this.modeChanged(timeUs, actor, open, mode);
    this.endEpisode(timeUs, actor, state === ServerState.STOPPED ? 'stopped' : 'exited', this.totalOpen(actor));
  }

  /**
   * Going on from keep-affinity into break or stop mode gives up sessions within the window, as
   * entering in that mode does: they count with those given up on entering.
   */
  private modeChanged(timeUs: number, actor: number, open: OpenEpisode, mode: MaintenanceMode): void {
    const previous = open.mode;
    open.mode = mode;
    if (previous !== MaintenanceMode.AFFINITY || (mode !== MaintenanceMode.BREAK && mode !== MaintenanceMode.STOP)) return;
    if (this.changedAtUs[actor] !== timeUs) return;
    const before = this.openByProtocol(this.openBefore, actor);
    const now = this.openByProtocol(this.openSessions, actor);
    const episode = open.episode;
    for (let slot = 0; slot < before.length; slot++) {
      const given = Math.max(0, before[slot]! - now[slot]!);
      episode.givenUpAtEntry[slot]! += given;
      if (mode === MaintenanceMode.STOP) episode.stoppedAtEntry += given;
    }
    open.curve?.add(timeUs, now, true);
  }

  private sessionsChanged(timeUs: number, actor: number, protocol: number, open: number, total: number): void {
    const slot = slotOfProtocol[protocol] ?? -1;
    if (slot < 0) return;
    if (actor >= this.changedAtUs.length) this.holdActor(actor);
    const row = actor * seriesProtocols.length;
    if (this.changedAtUs[actor] !== timeUs) {
      // A plain copy: a subarray view would be an allocation per record on this hot path.
      for (let slot = 0; slot < seriesProtocols.length; slot++) this.openBefore[row + slot] = this.openSessions[row + slot]!;
      this.changedAtUs[actor] = timeUs;
    }
    this.openSessions[row + slot] = open;
    // Episodes are few and rare: most records need not look.
    if (this.openEpisodes.size === 0) return;
    const episode = this.openEpisodes.get(actor);
    if (episode === undefined) return;
    episode.curve?.add(timeUs, this.openByProtocol(this.openSessions, actor));
    if (total === 0) episode.episode.drainedAtUs ??= timeUs;
    else delete episode.episode.drainedAtUs;
  }

  /** Makes room for an actor beyond the named ones (a stream without a topology). */
  private holdActor(actor: number): void {
    const actors = Math.max(actor + 1, 2 * this.changedAtUs.length);
    const grow = (from: Float64Array, fill: number, perActor: number) => {
      const larger = new Float64Array(actors * perActor).fill(fill);
      larger.set(from);
      return larger;
    };
    this.openSessions = grow(this.openSessions, 0, seriesProtocols.length);
    this.openBefore = grow(this.openBefore, 0, seriesProtocols.length);
    this.changedAtUs = grow(this.changedAtUs, -1, 1);
  }

  /** The actor's open sessions by protocol, as a list of its own. */
  private openByProtocol(rows: Float64Array, actor: number): number[] {
    return seriesProtocols.map((_, slot) => rows[actor * seriesProtocols.length + slot] ?? 0);
  }

  private totalOpen(actor: number): number {
    return this.openByProtocol(this.openSessions, actor).reduce((sum, open) => sum + open, 0);
  }

  private startEpisode(timeUs: number, actor: number, target: DrainEpisode['target'], kind: DrainEpisode['kind'], mode: MaintenanceMode): OpenEpisode {
    // Entering break or stop mode closes sessions just before the state changes, at the same instant.
    // A window that follows one ended at this instant (a drained member then stopped) starts with
    // what is held now: the session whose end closed the previous one was not given up.
    const now = this.openByProtocol(this.openSessions, actor);
    const follows = this.latestEpisode.get(actor)?.endUs === timeUs;
    const before = this.changedAtUs[actor] === timeUs && !follows ? this.openByProtocol(this.openBefore, actor) : now;
    const openAtStart = before.reduce((sum, open) => sum + open, 0);
    const givenUpAtEntry = before.map((open, slot) => Math.max(0, open - now[slot]!));
    const episode: DrainEpisode = {
      actor,
      name: this.actorNames[actor] ?? `actor ${actor}`,
      target,
      kind,
      mode: modeNames[mode] ?? '',
      startUs: timeUs,
      endUs: timeUs,
      end: 'run-end',
      openAtEnd: openAtStart,
      openAtStartByProtocol: before,
      openAtStart,
      givenUpAtEntry,
      stoppedAtEntry: mode === MaintenanceMode.STOP ? givenUpAtEntry.reduce((sum, given) => sum + given, 0) : 0,
      failedOverAtEntry: before.map(() => 0),
    };
    if (now.every((open) => open === 0)) episode.drainedAtUs = timeUs;
    const open: OpenEpisode = { episode, mode };
    if (this.curvesStarted < maxDrainCurves) {
      this.curvesStarted++;
      open.curve = new CurveBuilder();
      open.curve.add(timeUs, before);
      // The sessions given up on entering show as a fall at the start.
      if (episode.givenUpAtEntry.some((given) => given > 0)) open.curve.add(timeUs, now, true);
    }
    this.openEpisodes.set(actor, open);
    this.latestEpisode.set(actor, episode);
    return open;
  }

  private endEpisode(timeUs: number, actor: number, end: EpisodeEnd, openAtEnd: number): void {
    const open = this.openEpisodes.get(actor);
    if (open === undefined) return;
    this.openEpisodes.delete(actor);
    const episode = open.episode;
    episode.endUs = timeUs;
    episode.end = end;
    episode.openAtEnd = openAtEnd;
    if (openAtEnd > 0) delete episode.drainedAtUs;
    if (open.curve !== undefined) {
      // A drain that ends cuts what is left: the curve falls to zero there.
      const after = end === 'exited' || end === 'run-end' ? this.openByProtocol(this.openSessions, actor) : [0, 0, 0, 0];
      open.curve.add(timeUs, after, true);
      episode.curve = open.curve.build();
    }
    if (this.episodes.length < maxDrainEpisodes) this.episodes.push(episode);
    else this.episodesLeftOut++;
  }
}

/**
 * A step curve of open sessions kept to at most `maxCurvePoints` points: when full, every other
 * point is dropped and changes closer than the new spacing overwrite the last point.
 */
class CurveBuilder {
  private timesUs: number[] = [];
  private open: number[][] = [];
  private spacingUs = 0;

  /** Adds a point; the curve keeps `byProtocol`, which must be a list of the caller's own. */
  add(timeUs: number, byProtocol: number[], final = false): void {
    const last = this.timesUs.length - 1;
    if (last >= 1 && !final && timeUs - this.timesUs[last - 1]! < this.spacingUs) {
      this.open[last] = byProtocol;
      this.timesUs[last] = timeUs;
      return;
    }
    if (this.timesUs.length >= maxCurvePoints) this.thin();
    this.timesUs.push(timeUs);
    this.open.push(byProtocol);
  }

  private thin(): void {
    const lastIndex = this.timesUs.length - 1;
    const keep = (_: unknown, index: number) => index % 2 === 0 || index === lastIndex;
    this.timesUs = this.timesUs.filter(keep);
    this.open = this.open.filter(keep);
    this.spacingUs = Math.max(1, (this.timesUs.at(-1)! - this.timesUs[0]!) / maxCurvePoints) * 2;
  }

  build(): SessionCurve {
    return { timesUs: this.timesUs, open: seriesProtocols.map((_, slot) => this.open.map((point) => point[slot]!)) };
  }
}
