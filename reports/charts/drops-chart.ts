import type { TimeSeries } from '../../sim/metrics/series.js';
import { seriesProtocols } from '../../sim/metrics/series.js';
import { protocolColors, protocolLabels } from './colors.js';
import { createFrame, drawAxes, drawLegend, palette, px, timeAxisUnit } from './frame.js';
import { formatSpan } from './format.js';

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
  const frame = createFrame({ title: 'Dropped sessions by protocol and cause', subtitle: `${grandTotal} sessions dropped in all`, height: 360, marginRight: 220 });
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
      .text(String(base));
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

/** Dropped sessions per window of virtual time, stacked by protocol. */
export function droppedOverTimeChart(series: TimeSeries): string | undefined {
  const protocols = seriesProtocols.filter((protocol) => series.droppedPerWindow.get(protocol)!.some((count) => count > 0));
  if (protocols.length === 0) return undefined;
  const unit = timeAxisUnit(series.durationUs);
  const frame = createFrame({ title: 'Dropped sessions over time', subtitle: `sessions dropped in each ${formatSpan(series.windowUs)} window, by protocol`, height: 320 });
  const { d3, plot, width, height } = frame;
  const x = d3.scaleLinear().domain([0, series.durationUs / unit.divisor]).range([0, width]);
  let peak = 1;
  for (let window = 0; window < series.windows; window++) {
    peak = Math.max(peak, protocols.reduce((sum, protocol) => sum + series.droppedPerWindow.get(protocol)![window]!, 0));
  }
  const y = d3.scaleLinear().domain([0, peak]).nice().range([height, 0]);
  drawAxes(frame, x, y, unit.label, `dropped sessions per ${formatSpan(series.windowUs)}`);
  const barWidth = Math.max(1, width / series.windows - 0.5);
  for (let window = 0; window < series.windows; window++) {
    let base = 0;
    for (const protocol of protocols) {
      const count = series.droppedPerWindow.get(protocol)![window]!;
      if (count === 0) continue;
      plot
        .append('rect')
        .attr('x', px(x((window * series.windowUs) / unit.divisor)))
        .attr('width', px(barWidth))
        .attr('y', px(y(base + count)))
        .attr('height', px(y(base) - y(base + count)))
        .attr('fill', protocolColors[protocol]!);
      base += count;
    }
  }
  drawLegend(
    frame,
    protocols.map((protocol) => ({ label: protocolLabels[protocol]!, color: protocolColors[protocol]! })),
  );
  return frame.node.svgString();
}

function topCauses(all: readonly ReadonlyMap<string, number>[]): string[] {
  const totals = new Map<string, number>();
  for (const causes of all) for (const [cause, count] of causes) totals.set(cause, (totals.get(cause) ?? 0) + count);
  const ranked = [...totals].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([cause]) => cause);
  return ranked.length <= maxCauses ? ranked.sort() : ranked.slice(0, maxCauses - 1).sort();
}
