import type { ScaleLinear } from 'd3';
import { drawAxes, px, type Frame } from './frame.js';

/** Counts per window of virtual time, by cause: what a stacked-bar chart over time draws. */
export interface CountsPerWindow {
  windowUs: number;
  windows: number;
  causes: readonly string[];
  countsOf(cause: string): ArrayLike<number>;
}

/**
 * Draws the axes and one bar per window, stacked by cause (each part titled with its count), with
 * the y axis scaled to the tallest stack; `x` maps virtual time in `unit`.
 */
export function drawStackedWindows(
  frame: Frame,
  x: ScaleLinear<number, number>,
  unit: { divisor: number; label: string },
  counts: CountsPerWindow,
  color: (cause: string) => string,
  yLabel: string,
): void {
  const { d3, plot, width, height } = frame;
  let peak = 1;
  for (let window = 0; window < counts.windows; window++) {
    peak = Math.max(peak, counts.causes.reduce((sum, cause) => sum + counts.countsOf(cause)[window]!, 0));
  }
  const y = d3.scaleLinear().domain([0, peak]).nice().range([height, 0]);
  drawAxes(frame, x, y, unit.label, yLabel);
  const barWidth = Math.max(1, width / counts.windows - 0.5);
  for (let window = 0; window < counts.windows; window++) {
    let base = 0;
    for (const cause of counts.causes) {
      const count = counts.countsOf(cause)[window]!;
      if (count === 0) continue;
      plot
        .append('rect')
        .attr('x', px(x((window * counts.windowUs) / unit.divisor)))
        .attr('width', px(barWidth))
        .attr('y', px(y(base + count)))
        .attr('height', px(y(base) - y(base + count)))
        .attr('fill', color(cause))
        .append('title')
        .text(`${cause}: ${count}`);
      base += count;
    }
  }
}
