import type { TimeSeries } from '../../sim/metrics/series.js';
import { annotationColors } from './colors.js';
import { createCanvas, createFrame, drawAxes, drawLegend, palette, px, timeAxisUnit } from './frame.js';
import { formatSpan } from './format.js';

// Up to this many servers get a line each; more become rows of a heatmap.
const maxLines = 10;
const heatmapLevels = 9;
const maxColumns = 120;
const width = 900;

/** Requests per second routed to each server: lines for a few servers, a heatmap for many. */
export function requestsChart(series: TimeSeries): string | undefined {
  const lanes = series.requestLanes;
  if (lanes.length === 0 || !lanes.some((lane) => lane.accepted.some((count) => count > 0))) return undefined;
  return lanes.length <= maxLines ? requestLines(series) : requestHeatmap(series);
}

function perSecond(series: TimeSeries, count: number, servers: number): number {
  return count / servers / (series.windowUs / 1_000_000);
}

function requestLines(series: TimeSeries): string {
  const unit = timeAxisUnit(series.durationUs);
  const frame = createFrame({ title: 'Requests per second routed to each server', subtitle: `requests accepted, averaged over ${formatSpan(series.windowUs)} windows` });
  const { d3, plot, width: plotWidth, height } = frame;
  // A stopped run has no requests past its stop: the lines end there, at a marker, not at zero.
  const stopped = series.endUs < series.durationUs;
  const windowsRun = stopped ? Math.min(series.windows, Math.ceil(series.endUs / series.windowUs)) : series.windows;
  const rates = series.requestLanes.map((lane) => Array.from(lane.accepted.subarray(0, windowsRun), (count) => perSecond(series, count, lane.servers)));
  const x = d3.scaleLinear().domain([0, series.durationUs / unit.divisor]).range([0, plotWidth]);
  const y = d3
    .scaleLinear()
    .domain([0, Math.max(1, ...rates.flat())])
    .nice()
    .range([height, 0]);
  drawAxes(frame, x, y, unit.label, 'requests per second');
  const line = d3
    .line<number>()
    .digits(1)
    .x((_, window) => x((stopped ? Math.min((window + 0.5) * series.windowUs, series.endUs) : (window + 0.5) * series.windowUs) / unit.divisor))
    .y((rate) => y(rate));
  rates.forEach((values, index) => {
    plot.append('path').attr('d', line(values) ?? '').attr('fill', 'none').attr('stroke', palette[index % palette.length]!).attr('stroke-width', 1.4);
  });
  if (stopped) {
    const at = px(x(series.endUs / unit.divisor));
    plot.append('line').attr('class', 'run-stopped').attr('x1', at).attr('x2', at).attr('y1', 0).attr('y2', height).attr('stroke', annotationColors.fault).attr('stroke-width', 2).attr('stroke-dasharray', '6,3');
    plot.append('text').attr('x', at + 4).attr('y', 12).attr('fill', annotationColors.fault).text(`run stopped at ${formatSpan(series.endUs)}`);
  }
  drawLegend(
    frame,
    series.requestLanes.map((lane, index) => ({ label: lane.name, color: palette[index % palette.length]!, shape: 'line' as const })),
  );
  return frame.node.svgString();
}

function requestHeatmap(series: TimeSeries): string {
  const lanes = series.requestLanes;
  const grouped = lanes.some((lane) => lane.servers > 1);
  const rowHeight = Math.max(2, Math.min(14, Math.floor(480 / lanes.length)));
  const margin = { top: 80, left: 200, right: 24, bottom: 44 };
  const plotWidth = width - margin.left - margin.right;
  const height = margin.top + lanes.length * rowHeight + margin.bottom;
  const subtitle = grouped
    ? `${series.serverNames.length} servers in ${lanes.length} rows of consecutive servers; colour: mean requests/s per server`
    : `${lanes.length} servers; colour: requests/s accepted, per ${formatSpan(series.windowUs)} window`;
  const canvas = createCanvas({ title: 'Requests per second routed to each server', subtitle, width, height });
  const { d3, svg } = canvas;
  const unit = timeAxisUnit(series.durationUs);
  const x = d3.scaleLinear().domain([0, series.durationUs / unit.divisor]).range([0, plotWidth]);
  let peak = 1;
  for (const lane of lanes) for (const count of lane.accepted) peak = Math.max(peak, perSecond(series, count, lane.servers));
  const rateFormat = d3.format(peak < 10 ? '.2f' : peak < 1000 ? '.0f' : '.3~s');
  const colors = Array.from({ length: heatmapLevels }, (_, level) => d3.interpolateBlues((level + 1) / (heatmapLevels + 1)));
  const level = (rate: number) => (rate <= 0 ? -1 : Math.min(heatmapLevels - 1, Math.floor((rate / peak) * heatmapLevels)));

  // Colour scale as a row of swatches with the rates they stand for.
  const legend = svg.append('g').attr('transform', `translate(${margin.left},50)`);
  legend.append('text').attr('x', -8).attr('y', 10).attr('text-anchor', 'end').text('requests/s:');
  colors.forEach((color, index) => {
    legend.append('rect').attr('x', index * 60).attr('width', 58).attr('height', 10).attr('y', 1).attr('fill', color);
    legend.append('text').attr('x', index * 60).attr('y', 24).attr('font-size', 9).text(`≥${rateFormat((index * peak) / heatmapLevels)}`);
  });

  const plot = svg.append('g').attr('transform', `translate(${margin.left},${margin.top})`);
  plot.append('rect').attr('width', plotWidth).attr('height', lanes.length * rowHeight).attr('fill', '#f7f7f7');
  // One path per colour level, each cell a run of windows with the same level: a few hundred
  // kilobytes at most where one rectangle per cell would weigh megabytes.
  const columns = Math.min(series.windows, maxColumns);
  const windowsPerColumn = series.windows / columns;
  const xOfColumn = (column: number) => Math.round(x(Math.min(column * windowsPerColumn * series.windowUs, series.durationUs) / unit.divisor));
  const cells = colors.map(() => [] as string[]);
  lanes.forEach((lane, row) => {
    const levels = Array.from({ length: columns }, (_, column) => {
      let count = 0;
      for (let window = Math.floor(column * windowsPerColumn); window < Math.floor((column + 1) * windowsPerColumn); window++) count += lane.accepted[window]!;
      return level(perSecond(series, count / windowsPerColumn, lane.servers));
    });
    let runStart = 0;
    for (let column = 1; column <= columns; column++) {
      const current = levels[runStart]!;
      if (column < columns && levels[column] === current) continue;
      if (current >= 0) cells[current]!.push(`M${xOfColumn(runStart)} ${row * rowHeight}h${xOfColumn(column) - xOfColumn(runStart)}v${rowHeight}h${xOfColumn(runStart) - xOfColumn(column)}z`);
      runStart = column;
    }
  });
  cells.forEach((path, index) => {
    if (path.length > 0) plot.append('path').attr('d', path.join('')).attr('fill', colors[index]!);
  });
  const labelEvery = Math.ceil(12 / rowHeight);
  lanes.forEach((lane, row) => {
    if (row % labelEvery !== 0) return;
    const label = lane.servers > 1 ? `${lane.name.split(' … ')[0]!} and ${lane.servers - 1} more` : lane.name;
    plot
      .append('text')
      .attr('x', -6)
      .attr('y', row * rowHeight + Math.min(rowHeight, 12) - 2)
      .attr('text-anchor', 'end')
      .attr('font-size', 9)
      .text(label);
  });
  const bottom = lanes.length * rowHeight;
  plot.append('g').attr('class', 'axis').attr('transform', `translate(0,${bottom})`).call(d3.axisBottom(x).ticks(8));
  plot.append('text').attr('x', plotWidth / 2).attr('y', bottom + 34).attr('text-anchor', 'middle').text(unit.label);
  return canvas.node.svgString();
}
