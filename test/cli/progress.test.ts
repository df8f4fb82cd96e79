import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { main } from '../../sim/cli/main.js';
import { createProgress } from '../../sim/cli/progress.js';

const minuteUs = 60_000_000;

function drive(isTerminal: boolean): string[] {
  const written: string[] = [];
  let nowMs = 0;
  const progress = createProgress({ totalUs: 10 * minuteUs, write: (text) => written.push(text), isTerminal, nowMs: () => nowMs });
  for (let slice = 1; slice <= 100; slice++) {
    nowMs += 50;
    progress.update(slice * 6_000_000, slice * 10_000);
  }
  progress.finish();
  return written;
}

describe('progress of a run', () => {
  it('on a terminal: a bar redrawn in place with virtual time done and total, events/s and ETA, cleared at the end', () => {
    const written = drive(true);
    // Redrawn at most every 100 ms of wall time: 50 of 100 updates, plus the last one.
    expect(written.length).toBeLessThanOrEqual(52);
    expect(written[0]).toBe('\r\x1b[2K[------------------------------]   1% 6s / 10m 00s virtual, 200,000 events/s, ETA 5s');
    expect(written.at(-2)).toBe('\r\x1b[2K[##############################] 100% 10m 00s / 10m 00s virtual, 200,000 events/s, ETA 0µs');
    expect(written.at(-1)).toBe('\r\x1b[2K');
  });

  it('not on a terminal: a plain line every 10%, no control characters', () => {
    const written = drive(false);
    expect(written).toHaveLength(10);
    expect(written[0]).toBe('progress: 10% 1m 00s / 10m 00s virtual, 200,000 events/s, ETA 4.5s\n');
    expect(written.join('')).not.toMatch(/\r|\x1b/);
  });
});

describe('clustersim run', () => {
  async function runCapturingStderr(extra: string[]): Promise<string> {
    const directory = mkdtempSync(join(tmpdir(), 'clustersim-progress-'));
    let stderr = '';
    const errorWrite = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      stderr += String(chunk);
      return true;
    });
    const outputWrite = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      expect(await main(['run', 'scenarios/quickstart.yaml', '--out', join(directory, 'out'), ...extra])).toBe(0);
    } finally {
      errorWrite.mockRestore();
      outputWrite.mockRestore();
      rmSync(directory, { recursive: true, force: true });
    }
    return stderr;
  }

  it('prints plain progress lines on stderr when it is not a terminal, and nothing with --quiet', async () => {
    const progress = await runCapturingStderr([]);
    expect(progress.split('\n').filter((line) => line.startsWith('progress: '))).toHaveLength(10);
    expect(await runCapturingStderr(['--quiet'])).toBe('');
  });
});
