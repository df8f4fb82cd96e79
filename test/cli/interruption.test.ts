import { describe, expect, it, vi } from 'vitest';
import { secondSignalGraceMs, whileInterruptible } from '../../sim/cli/interruption.js';

describe('signals during a run', () => {
  it('the first stops the work; only a second Ctrl-C after the grace period ends the process at once', async () => {
    let nowMs = 0;
    const exits: number[] = [];
    const exit = vi.spyOn(process, 'exit').mockImplementation(((code: number) => void exits.push(code)) as never);
    try {
      const { value, interruption } = await whileInterruptible(async (signal) => {
        process.emit('SIGTERM');
        expect(signal.reason).toBe('stopped by SIGTERM');
        nowMs = 5;
        process.emit('SIGTERM');
        nowMs = secondSignalGraceMs - 1;
        process.emit('SIGINT');
        nowMs = secondSignalGraceMs + 500;
        process.emit('SIGTERM');
        expect(exits).toEqual([]);
        process.emit('SIGINT');
        expect(exits).toEqual([130]);
        return 'report written';
      }, () => nowMs);
      expect(value).toBe('report written');
      expect(interruption).toEqual({ signal: 'SIGTERM', exitCode: 143, reason: 'stopped by SIGTERM' });
    } finally {
      exit.mockRestore();
    }
  });
});
