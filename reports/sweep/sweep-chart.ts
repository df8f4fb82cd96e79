import { createFrame, drawLegend, palette } from '../charts/frame.js';

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
  /** symlog for counts that span orders of magnitude (16 dropped beside 1,448 must not look like 0). */
  yScale?: 'linear' | 'symlog';
  /** The limit of the sweep's question on this figure, drawn as a dashed line. */
  threshold?: { value: number; label: string };
  /** x takes whole values only (node counts): means are points joined by steps, not slopes. */
  integerX?: boolean;
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
  // Whole values get half a step either side, so the first and last squares are not cut in half.
  const padding = xMin === xMax ? 1 : input.integerX === true ? 0.5 : 0;
  const x = d3.scaleLinear().domain([xMin - padding, xMax + padding]).range([0, width]);
  const top = Math.max(1, ...ys, input.threshold?.value ?? 0);
  const symlog = input.yScale === 'symlog';
  const y = symlog ? d3.scaleSymlog().domain([0, powerOfTenAbove(top)]).range([height, 0]) : d3.scaleLinear().domain([0, top]).nice().range([height, 0]);
  const yTicks = symlog ? [0, ...Array.from({ length: Math.log10(powerOfTenAbove(top)) + 1 }, (_, power) => 10 ** power)] : y.ticks(5);
  plot.append('g').attr('class', 'grid').call(d3.axisLeft(y).tickValues(yTicks).tickSize(-width).tickFormat(() => ''));
  plot.append('g').attr('class', 'axis').attr('transform', `translate(0,${height})`).call(d3.axisBottom(x).ticks(8));
  plot.append('g').attr('class', 'axis y-axis').call(d3.axisLeft(y).tickValues(yTicks).tickFormat(d3.format(',')));
  plot.append('text').attr('x', width / 2).attr('y', height + 36).attr('text-anchor', 'middle').text(input.xLabel);
  plot.append('text').attr('transform', `translate(-50,${height / 2}) rotate(-90)`).attr('text-anchor', 'middle').text(`${input.yLabel}${symlog ? ' (log scale)' : ''}`);
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
    .curve(input.integerX === true ? d3.curveStepAfter : d3.curveLinear)
    .x((point) => x(point.x))
    .y((point) => y(point.mean));
  const shown = input.lines.slice(0, maxSweepLines);
  shown.forEach((entry, index) => {
    const color = palette[index % palette.length]!;
    if (input.integerX === true) {
      // Between two whole values there is nothing to interpolate: a bar spans the seeds, a dot marks the mean.
      for (const point of entry.points) {
        plot.append('line').attr('x1', x(point.x)).attr('x2', x(point.x)).attr('y1', y(Math.min(...point.seeds))).attr('y2', y(Math.max(...point.seeds))).attr('stroke', color).attr('stroke-width', 6).attr('opacity', 0.25);
        plot.append('rect').attr('class', 'mean').attr('x', x(point.x) - 4).attr('y', y(point.mean) - 4).attr('width', 8).attr('height', 8).attr('fill', color);
      }
      plot.append('path').attr('d', line(entry.points) ?? '').attr('fill', 'none').attr('stroke', color).attr('stroke-width', 1).attr('stroke-dasharray', '2,3');
    } else {
      plot.append('path').attr('d', band(entry.points) ?? '').attr('fill', color).attr('opacity', 0.15);
      plot.append('path').attr('d', line(entry.points) ?? '').attr('fill', 'none').attr('stroke', color).attr('stroke-width', 2);
    }
    for (const point of entry.points) {
      for (const value of point.seeds) plot.append('circle').attr('cx', x(point.x)).attr('cy', y(value)).attr('r', 2).attr('fill', color).attr('opacity', 0.6);
    }
  });
  if (input.threshold !== undefined) {
    const at = y(input.threshold.value);
    plot.append('line').attr('class', 'threshold').attr('x1', 0).attr('x2', width).attr('y1', at).attr('y2', at).attr('stroke', '#c62828').attr('stroke-dasharray', '6,3').attr('stroke-width', 1.5);
    plot.append('text').attr('x', width - 4).attr('y', at - 4).attr('text-anchor', 'end').attr('fill', '#c62828').text(input.threshold.label);
  }
  const legend = shown.map((entry, index) => ({ label: entry.label, color: palette[index % palette.length]!, shape: 'line' as const }));
  if (input.lines.length > shown.length) legend.push({ label: `(${input.lines.length - shown.length} more not shown)`, color: '#fff', shape: 'line' });
  drawLegend(frame, legend);
  return frame.node.svgString();
}

function powerOfTenAbove(value: number): number {
  return 10 ** Math.max(1, Math.ceil(Math.log10(value + 1)));
}
