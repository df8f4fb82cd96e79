import { droppedAtEntryByCause, type DrainEpisode, type MaintenanceWindows } from '../sim/metrics/maintenance-windows.js';
import { seriesProtocolNames } from '../sim/metrics/protocols.js';

/** One maintenance window or drain-down period, as summary.json gives it to `expect:` lines, sweeps and comparisons. */
export interface MaintenanceWindowSummary {
  /** The server or ODR. */
  target: string;
  /** `server` or `router` (an ODR). */
  targetKind: DrainEpisode['target'];
  kind: DrainEpisode['kind'];
  /** affinity, break or stop; '' for a drain-down period. */
  mode: string;
  startUs: number;
  /** When it left the window; null when the run ended first. */
  endUs: number | null;
  /** How it ended: exited, drained, expired (cut at the deadline), stopped, failed, run-end. */
  end: string;
  deadlineUs: number | null;
  /** Sessions held just before entering, in all and by protocol. */
  sessionsAtStart: number;
  sessionsAtStartByProtocol: Record<string, number>;
  /** Sessions given up on entering (break: HTTP and SIP; stop: all) that did not fail over, and the cause they end with. */
  droppedAtEntry: number;
  droppedAtEntryByCause: Record<string, number>;
  /** Sessions given up on entering and taken over by another server (replicated). */
  failedOverAtEntry: number;
  /** From entering to the last session gone; null when it never drained. */
  timeToDrainUs: number | null;
  /** Sessions cut when the drain-down deadline came. */
  sessionsCutAtDeadline: number;
  /** Sessions still held when the window ended. */
  openAtEnd: number;
}

export interface MaintenanceSummary {
  /** Windows and drains counted, including any left out of the list. */
  count: number;
  /** The longest time to drain over the windows that drained (0 when none did). */
  maxTimeToDrainUs: number;
  /** Windows that ended, or the run ended, with sessions still held. */
  notDrained: number;
  droppedAtEntry: number;
  droppedAtEntryByCause: Record<string, number>;
  sessionsCutAtDeadline: number;
  /** Every window in order of entry (the first 2,000). */
  windows: MaintenanceWindowSummary[];
  windowsLeftOut: number;
}

export function summarizeMaintenance(windows: MaintenanceWindows, runEndUs: number): MaintenanceSummary {
  const list = windows.episodes.map((episode) => summarizeWindow(episode, runEndUs));
  const droppedByCause: Record<string, number> = {};
  for (const window of list) for (const [cause, count] of Object.entries(window.droppedAtEntryByCause)) droppedByCause[cause] = (droppedByCause[cause] ?? 0) + count;
  return {
    count: list.length + windows.episodesLeftOut,
    maxTimeToDrainUs: Math.max(0, ...list.map((window) => window.timeToDrainUs ?? 0)),
    notDrained: list.filter((window) => window.timeToDrainUs === null && window.targetKind === 'server').length,
    droppedAtEntry: list.reduce((sum, window) => sum + window.droppedAtEntry, 0),
    droppedAtEntryByCause: Object.fromEntries(Object.keys(droppedByCause).sort().map((cause) => [cause, droppedByCause[cause]!])),
    sessionsCutAtDeadline: list.reduce((sum, window) => sum + window.sessionsCutAtDeadline, 0),
    windows: list,
    windowsLeftOut: windows.episodesLeftOut,
  };
}

function summarizeWindow(episode: DrainEpisode, runEndUs: number): MaintenanceWindowSummary {
  const dropped = droppedAtEntryByCause(episode);
  const drained = episode.target === 'server' && episode.drainedAtUs !== undefined;
  return {
    target: episode.name,
    targetKind: episode.target,
    kind: episode.kind,
    mode: episode.mode,
    startUs: episode.startUs,
    endUs: episode.end === 'run-end' && episode.endUs >= runEndUs ? null : episode.endUs,
    end: episode.end,
    deadlineUs: episode.deadlineUs ?? null,
    sessionsAtStart: episode.openAtStart,
    sessionsAtStartByProtocol: byProtocol(episode.openAtStartByProtocol),
    droppedAtEntry: Object.values(dropped).reduce((sum, count) => sum + count, 0),
    droppedAtEntryByCause: dropped,
    failedOverAtEntry: episode.failedOverAtEntry.reduce((sum, count) => sum + count, 0),
    timeToDrainUs: drained ? episode.drainedAtUs! - episode.startUs : null,
    sessionsCutAtDeadline: episode.end === 'expired' ? episode.openAtEnd : 0,
    openAtEnd: episode.openAtEnd,
  };
}

/** Counts by protocol name, the protocols with none left out. */
function byProtocol(counts: readonly number[]): Record<string, number> {
  const result: Record<string, number> = {};
  counts.forEach((count, slot) => {
    if (count > 0) result[seriesProtocolNames[slot]!] = count;
  });
  return result;
}
