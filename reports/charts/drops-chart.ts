import type { TimeSeries } from '../../sim/metrics/series.js';
import { otherCauses, seriesProtocols } from '../../sim/metrics/series.js';
import { annotationColors, protocolLabels } from './colors.js';
import { createFrame, drawLegend, palette, px, timeAxisUnit } from './frame.js';
import { formatCount, formatSpan } from './format.js';
import { drawStackedWindows } from './stacked-windows.js';

// More causes than colours would repeat colours: the smallest are summed as "other causes".
const maxCauses = 9;

/** Dropped sessions by protocol, stacked by cause. */
export function droppedByCauseChart(series: TimeSeries): string | undefined {
  const rows = seriesProtocols
    .map((protocol) => ({ protocol, causes: series.droppedByCause.get(protocol) ?? new Map<string, number>() }))
    .filter((row) => [...row.causes.values()].some((count) => count > 0));
  if (rows.length === 0) return undefined;
  const causes = topCauses(rows.map((row) => row.causes));
  const causeOf = (cause: string) => (causes.includes(cause) ? cause : 'other causes');
  const keys = [...causes, ...(rows.some((row) => [...row.causes.keys()].some((cause) => !causes.includes(cause))) ? ['other causes'] : [])];
  const color = (cause: string) => palette[keys.indexOf(cause) % palette.length]!;

  const totalOf = (counts: ReadonlyMap<string, number>) => [...counts.values()].reduce((sum, count) => sum + count, 0);
  const grandTotal = rows.reduce((sum, row) => sum + totalOf(row.causes), 0);
  const frame = createFrame({ title: 'Dropped sessions by protocol and cause', subtitle: `${formatCount(grandTotal)} sessions dropped in all`, height: 360, marginRight: 220 });
  const { d3, plot, width, height } = frame;
  const x = d3
    .scaleBand<number>()
    .domain(rows.map((row) => row.protocol))
    .range([0, width])
    .padding(0.35);
  const y = d3
    .scaleLinear()
    .domain([0, Math.max(1, ...rows.map((row) => totalOf(row.causes)))])
    .nice()
    .range([height, 0]);
  plot.append('g').attr('class', 'grid').call(d3.axisLeft(y).ticks(5).tickSize(-width).tickFormat(() => ''));
  for (const row of rows) {
    const stacked = new Map<string, number>();
    for (const [cause, count] of row.causes) stacked.set(causeOf(cause), (stacked.get(causeOf(cause)) ?? 0) + count);
    let base = 0;
    for (const cause of keys) {
      const count = stacked.get(cause) ?? 0;
      if (count === 0) continue;
      plot
        .append('rect')
        .attr('x', px(x(row.protocol)!))
        .attr('width', px(x.bandwidth()))
        .attr('y', px(y(base + count)))
        .attr('height', px(y(base) - y(base + count)))
        .attr('fill', color(cause))
        .append('title')
        .text(`${protocolLabels[row.protocol]!} ${cause}: ${count}`);
      base += count;
    }
    plot
      .append('text')
      .attr('x', px(x(row.protocol)! + x.bandwidth() / 2))
      .attr('y', px(y(base) - 4))
      .attr('text-anchor', 'middle')
      .text(formatCount(base));
  }
  plot
    .append('g')
    .attr('class', 'axis')
    .attr('transform', `translate(0,${height})`)
    .call(d3.axisBottom(x).tickFormat((protocol) => protocolLabels[protocol]!));
  plot.append('g').attr('class', 'axis').call(d3.axisLeft(y).ticks(5).tickFormat(d3.format('~s')));
  plot.append('text').attr('x', width / 2).attr('y', height + 36).attr('text-anchor', 'middle').text('protocol');
  plot.append('text').attr('transform', `translate(-46,${height / 2}) rotate(-90)`).attr('text-anchor', 'middle').text('dropped sessions');
  drawLegend(
    frame,
    keys.map((cause) => ({ label: cause, color: color(cause) })),
  );
  return frame.node.svgString();
}

/**
 * Dropped sessions per window of virtual time, stacked by cause (why they were dropped is the
 * question), with the run's faults and maintenance steps marked, numbered as on the timeline.
 */
export function droppedOverTimeChart(series: TimeSeries): string | undefined {
  const causes = [...series.droppedPerWindow.keys()].filter((cause) => series.droppedPerWindow.get(cause)!.some((count) => count > 0)).sort(byCauseName);
  if (causes.length === 0) return undefined;
  const color = (cause: string) => palette[causes.indexOf(cause) % palette.length]!;
  const unit = timeAxisUnit(series.durationUs);
  const frame = createFrame({
    title: 'Dropped sessions over time',
    subtitle: `sessions dropped in each ${formatSpan(series.windowUs)} window, by cause; lines: faults (red) and maintenance steps, numbered as on the timeline`,
    height: 320,
    marginRight: 220,
  });
  const { d3, plot, width, height } = frame;
  const x = d3.scaleLinear().domain([0, series.durationUs / unit.divisor]).range([0, width]);
  drawStackedWindows(frame, x, unit, { windowUs: series.windowUs, windows: series.windows, causes, countsOf: (cause) => series.droppedPerWindow.get(cause)! }, color, `dropped sessions per ${formatSpan(series.windowUs)}`);
  series.annotations.forEach((annotation, index) => {
    if ((annotation.kind !== 'fault' && annotation.kind !== 'maintenance') || annotation.timeUs > series.durationUs) return;
    const at = px(x(annotation.timeUs / unit.divisor));
    const mark = plot.append('g').attr('class', `event ${annotation.kind}`);
    mark.append('line').attr('x1', at).attr('x2', at).attr('y1', 0).attr('y2', height).attr('stroke', annotationColors[annotation.kind]).attr('stroke-dasharray', '3,3').attr('opacity', 0.8);
    mark.append('text').attr('x', at + 2).attr('y', 10).attr('font-size', 9).attr('fill', annotationColors[annotation.kind]).text(String(index + 1));
    mark.append('title').text(`${index + 1}. ${formatSpan(annotation.timeUs)}: ${annotation.label}`);
  });
  drawLegend(
    frame,
    causes.map((cause) => ({ label: cause, color: color(cause) })),
  );
  return frame.node.svgString();
}

/** Causes in name order, "other causes" last. */
function byCauseName(a: string, b: string): number {
  if (a === otherCauses || b === otherCauses) return a === otherCauses ? 1 : -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function topCauses(all: readonly ReadonlyMap<string, number>[]): string[] {
  const totals = new Map<string, number>();
  for (const causes of all) for (const [cause, count] of causes) totals.set(cause, (totals.get(cause) ?? 0) + count);
  const ranked = [...totals].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([cause]) => cause);
  return ranked.length <= maxCauses ? ranked.sort() : ranked.slice(0, maxCauses - 1).sort();
}
