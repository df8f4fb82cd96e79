/**
 * A one-line progress display for commands that run many simulations: redrawn in place on a
 * terminal, silent otherwise (a log file wants the result, not a hundred progress lines).
 */
export function progressLine(enabled: boolean, unit: string): { update: (done: number, total: number) => void; end: () => void } {
  const show = enabled && process.stderr.isTTY === true;
  const width = 30;
  let drawn = false;
  return {
    update(done, total) {
      if (!show) return;
      const filled = Math.round((done / total) * width);
      process.stderr.write(`\r  [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${unit}`);
      drawn = true;
    },
    end() {
      if (drawn) process.stderr.write('\n');
    },
  };
}
