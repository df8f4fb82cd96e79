import type { Series } from '../../sim/metrics/collector.js';
import { createFrame, drawAxes, drawLegend, palette, timeAxisUnit } from './frame.js';

// Past this many servers, lines are unreadable: the chart shows the busiest ones and the rest summed.
const maxLanes = 10;

/**
 * Open sessions per server over virtual time, with each server's maintenance windows shaded
 * in its colour: the first picture of what a maintenance does to users.
 */
export function sessionsChart(series: Series, durationUs: number): string {
  const unit = timeAxisUnit(durationUs);
  const lines = selectLines(series);
  const frame = createFrame({
    title: 'Open sessions per server',
    subtitle: `${series.openSessions.size} servers; shaded: maintenance windows`,
  });
  const { d3, plot, width, height } = frame;
  const x = d3.scaleLinear().domain([0, durationUs / unit.divisor]).range([0, width]);
  const peak = Math.max(1, ...lines.flatMap((line) => line.values));
  const y = d3.scaleLinear().domain([0, peak]).nice().range([height, 0]);

  lines.forEach((line, index) => {
    for (const window of series.maintenance.get(line.name) ?? []) {
      plot
        .append('rect')
        .attr('x', x(window.startUs / unit.divisor))
        .attr('width', Math.max(1, x(window.endUs / unit.divisor) - x(window.startUs / unit.divisor)))
        .attr('y', 0)
        .attr('height', height)
        .attr('fill', palette[index % palette.length]!)
        .attr('opacity', 0.12)
        .append('title')
        .text(`${line.name}: maintenance (${window.mode})`);
    }
  });
  drawAxes(frame, x, y, unit.label, 'open sessions');
  const path = d3
    .line<number>()
    .x((_, index) => x(series.timesUs[index]! / unit.divisor))
    .y((value) => y(value));
  lines.forEach((line, index) => {
    plot.append('path').attr('d', path(line.values) ?? '').attr('fill', 'none').attr('stroke', palette[index % palette.length]!).attr('stroke-width', 1.5);
  });
  drawLegend(
    frame,
    lines.map((line, index) => ({ label: line.name, color: palette[index % palette.length]!, shape: 'line' as const })),
  );
  return frame.node.svgString();
}

function selectLines(series: Series): { name: string; values: number[] }[] {
  const all = [...series.openSessions].map(([name, values]) => ({ name, values }));
  if (all.length <= maxLanes) return all;
  const inMaintenance = (name: string) => (series.maintenance.get(name)?.length ?? 0) > 0;
  const peak = (values: number[]) => Math.max(0, ...values);
  const ranked = [...all].sort((a, b) => Number(inMaintenance(b.name)) - Number(inMaintenance(a.name)) || peak(b.values) - peak(a.values) || (a.name < b.name ? -1 : 1));
  const shown = ranked.slice(0, maxLanes - 1);
  const rest = ranked.slice(maxLanes - 1);
  const others = series.timesUs.map((_, index) => rest.reduce((total, line) => total + line.values[index]!, 0) / rest.length);
  return [...shown, { name: `mean of ${rest.length} others`, values: others }];
}
