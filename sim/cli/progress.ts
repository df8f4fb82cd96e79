import { formatSpan } from '../../reports/charts/format.js';

export interface ProgressOptions {
  /** Virtual time of the whole run. */
  totalUs: number;
  write: (text: string) => void;
  /** A terminal gets a bar redrawn in place; anything else gets a plain line now and then. */
  isTerminal: boolean;
  /** Wall-clock milliseconds, injected so that tests control time. */
  nowMs: () => number;
  width?: number;
}

export interface Progress {
  update(virtualUs: number, eventsProcessed: number): void;
  /** Clears the bar (on a terminal) so that the next line starts clean. */
  finish(): void;
}

// Plain lines every tenth of the run: enough to see a CI job is alive, few enough to read.
const plainStepPercent = 10;
// A terminal is redrawn at most this often.
const redrawEveryMs = 100;

/** Progress of a run: virtual time done out of total, events per second, time left. */
export function createProgress(options: ProgressOptions): Progress {
  const startedMs = options.nowMs();
  let nextPlainPercent = plainStepPercent;
  let lastDrawMs = Number.NEGATIVE_INFINITY;
  let drawn = false;
  const barWidth = options.width ?? 30;
  return {
    update(virtualUs, eventsProcessed) {
      const nowMs = options.nowMs();
      const fraction = options.totalUs <= 0 ? 1 : Math.min(1, virtualUs / options.totalUs);
      const percent = Math.floor(fraction * 100);
      const elapsedMs = Math.max(1, nowMs - startedMs);
      const eventsPerSecond = Math.round((eventsProcessed * 1000) / elapsedMs);
      const etaMs = fraction > 0 ? (elapsedMs * (1 - fraction)) / fraction : Number.NaN;
      const figures = `${formatSpan(virtualUs)} / ${formatSpan(options.totalUs)} virtual, ${eventsPerSecond.toLocaleString('en-US')} events/s, ETA ${Number.isNaN(etaMs) ? '?' : formatSpan(Math.round(etaMs * 1000))}`;
      if (options.isTerminal) {
        if (nowMs - lastDrawMs < redrawEveryMs && fraction < 1) return;
        lastDrawMs = nowMs;
        const filled = Math.round(fraction * barWidth);
        options.write(`\r\x1b[2K[${'#'.repeat(filled)}${'-'.repeat(barWidth - filled)}] ${String(percent).padStart(3)}% ${figures}`);
        drawn = true;
        return;
      }
      if (percent < nextPlainPercent) return;
      while (nextPlainPercent <= percent) nextPlainPercent += plainStepPercent;
      options.write(`progress: ${percent}% ${figures}\n`);
    },
    finish() {
      if (drawn) options.write('\r\x1b[2K');
    },
  };
}
