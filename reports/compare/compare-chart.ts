import { createFrame } from '../charts/frame.js';
import type { FigureComparison } from '../../sim/experiments/compare.js';
import { allowedChange } from '../../sim/experiments/tolerance.js';

const verdictColors = { ok: '#2e7d32', inconclusive: '#ef6c00', worse: '#c62828', none: '#555' } as const;

/**
 * One row per figure: the difference candidate − baseline as a dot with its 95% interval as a
 * bar, around a zero line, and the tolerance as a dashed mark. Figures differ in scale, so each
 * row has its own; the numbers are printed beside it.
 */
export function compareChart(figures: readonly FigureComparison[], title: string, subtitle: string, format: (figure: string, value: number) => string): string {
  const rowHeight = 34;
  const frame = createFrame({ title, subtitle, height: 52 + 46 + figures.length * rowHeight, marginRight: 330 });
  const { plot, width } = frame;
  const labelWidth = 170;
  const plotLeft = labelWidth;
  const plotWidth = width - labelWidth;
  const center = plotLeft + plotWidth / 2;
  plot.append('line').attr('x1', center).attr('x2', center).attr('y1', 0).attr('y2', figures.length * rowHeight).attr('stroke', '#888');
  plot.append('text').attr('x', center).attr('y', figures.length * rowHeight + 16).attr('text-anchor', 'middle').text('candidate − baseline (0 = no change; each row on its own scale)');
  figures.forEach((figure, index) => {
    const y = index * rowHeight + rowHeight / 2;
    const difference = figure.difference;
    const allowed = figure.tolerance === undefined ? undefined : allowedChange(figure.tolerance, figure.baselineMean) * figure.tolerance.worseDirection;
    const reach = Math.max(...[difference.low, difference.high, difference.mean, allowed ?? 0].filter(Number.isFinite).map(Math.abs), 1e-9) * 1.15;
    const x = (value: number) => center + (Math.max(-reach, Math.min(reach, value)) / reach) * (plotWidth / 2);
    const color = verdictColors[figure.verdict ?? 'none'];
    if (index % 2 === 0) plot.append('rect').attr('x', 0).attr('y', y - rowHeight / 2).attr('width', width).attr('height', rowHeight).attr('fill', '#f6f6f6');
    plot.append('text').attr('x', 0).attr('y', y + 4).text(figure.figure);
    if (allowed !== undefined) {
      plot.append('line').attr('x1', x(allowed)).attr('x2', x(allowed)).attr('y1', y - 12).attr('y2', y + 12).attr('stroke', '#c62828').attr('stroke-dasharray', '3,2');
    }
    const low = Number.isFinite(difference.low) ? difference.low : -reach;
    const high = Number.isFinite(difference.high) ? difference.high : reach;
    plot.append('line').attr('x1', x(low)).attr('x2', x(high)).attr('y1', y).attr('y2', y).attr('stroke', color).attr('stroke-width', 3);
    plot.append('circle').attr('cx', x(difference.mean)).attr('cy', y).attr('r', 4.5).attr('fill', color);
    const verdict = figure.verdict === undefined ? '' : `  ${figure.verdict.toUpperCase()}`;
    plot
      .append('text')
      .attr('x', width + 10)
      .attr('y', y + 4)
      .text(`${format(figure.figure, difference.mean)} [${format(figure.figure, difference.low)}, ${format(figure.figure, difference.high)}]${verdict}`);
  });
  return frame.node.svgString();
}
