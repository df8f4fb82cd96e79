import { createFrame, drawAxes, drawLegend, palette } from '../charts/frame.js';

export interface SweepLine {
  label: string;
  /** One entry per x value, in x order: each seed's value (the spread) and their mean. */
  points: { x: number; mean: number; seeds: number[] }[];
}

export interface SweepChartInput {
  title: string;
  subtitle: string;
  xLabel: string;
  yLabel: string;
  /** Tick labels when x is a position in a list of non-numeric values. */
  xTicks?: { x: number; label: string }[];
  lines: SweepLine[];
}

// Past this many lines a legend and the bands are unreadable.
export const maxSweepLines = palette.length;

/**
 * A figure against one parameter, one line per value of the other parameters: the line joins
 * the means over seeds, the band spans the lowest to the highest seed, dots are single seeds.
 */
export function sweepChart(input: SweepChartInput): string {
  const frame = createFrame({ title: input.title, subtitle: input.subtitle, width: 1000, marginRight: 270 });
  const { d3, plot, width, height } = frame;
  const xs = input.lines.flatMap((line) => line.points.map((point) => point.x));
  const ys = input.lines.flatMap((line) => line.points.flatMap((point) => point.seeds));
  const xMin = Math.min(...xs);
  const xMax = Math.max(...xs);
  const padding = xMin === xMax ? 1 : 0;
  const x = d3.scaleLinear().domain([xMin - padding, xMax + padding]).range([0, width]);
  const y = d3.scaleLinear().domain([0, Math.max(1, ...ys)]).nice().range([height, 0]);
  drawAxes(frame, x, y, input.xLabel, input.yLabel);
  if (input.xTicks !== undefined) {
    // Replace the numeric ticks by the values' names.
    plot.selectAll('.axis').filter((_, index) => index === 0).selectAll('.tick').remove();
    for (const tick of input.xTicks) {
      plot.append('line').attr('x1', x(tick.x)).attr('x2', x(tick.x)).attr('y1', height).attr('y2', height + 6).attr('stroke', '#888');
      plot.append('text').attr('x', x(tick.x)).attr('y', height + 16).attr('text-anchor', 'middle').text(tick.label);
    }
  }
  const band = d3
    .area<SweepLine['points'][number]>()
    .x((point) => x(point.x))
    .y0((point) => y(Math.min(...point.seeds)))
    .y1((point) => y(Math.max(...point.seeds)));
  const line = d3
    .line<SweepLine['points'][number]>()
    .x((point) => x(point.x))
    .y((point) => y(point.mean));
  const shown = input.lines.slice(0, maxSweepLines);
  shown.forEach((entry, index) => {
    const color = palette[index % palette.length]!;
    plot.append('path').attr('d', band(entry.points) ?? '').attr('fill', color).attr('opacity', 0.15);
    plot.append('path').attr('d', line(entry.points) ?? '').attr('fill', 'none').attr('stroke', color).attr('stroke-width', 2);
    for (const point of entry.points) {
      for (const value of point.seeds) plot.append('circle').attr('cx', x(point.x)).attr('cy', y(value)).attr('r', 2).attr('fill', color).attr('opacity', 0.6);
    }
  });
  const legend = shown.map((entry, index) => ({ label: entry.label, color: palette[index % palette.length]!, shape: 'line' as const }));
  if (input.lines.length > shown.length) legend.push({ label: `(${input.lines.length - shown.length} more not shown)`, color: '#fff', shape: 'line' });
  drawLegend(frame, legend);
  return frame.node.svgString();
}
