import type { TimeSeries } from '../../sim/metrics/series.js';
import { seriesProtocols } from '../../sim/metrics/series.js';
import { protocolLabels } from './colors.js';
import { createCanvas, drawLegendRow, timeAxisUnit } from './frame.js';
import { formatSpan } from './format.js';

const percentiles = [
  { key: 'p50Us', label: 'p50', color: '#74c476' },
  { key: 'p90Us', label: 'p90', color: '#fd8d3c' },
  { key: 'p99Us', label: 'p99', color: '#cb181d' },
] as const;
const width = 900;
const panelHeight = 190;
const margin = { top: 26, right: 24, bottom: 40, left: 64 };

/** Latency percentiles of successful requests per window of virtual time, one panel per protocol. */
export function latencyChart(series: TimeSeries): string | undefined {
  const protocols = seriesProtocols.filter((protocol) => series.latency.get(protocol)!.count.some((count) => count > 0));
  if (protocols.length === 0) return undefined;
  const top = 64;
  const height = top + protocols.length * panelHeight;
  const canvas = createCanvas({
    title: 'Latency percentiles over time',
    subtitle: `successful requests, percentiles of each ${formatSpan(series.windowUs)} window; gaps: no request completed`,
    width,
    height,
  });
  const { d3, svg } = canvas;
  drawLegendRow(
    svg,
    16,
    46,
    percentiles.map((percentile) => ({ label: percentile.label, color: percentile.color, shape: 'line' as const })),
  );
  const unit = timeAxisUnit(series.durationUs);
  const plotWidth = width - margin.left - margin.right;
  const plotHeight = panelHeight - margin.top - margin.bottom;
  protocols.forEach((protocol, index) => {
    const windows = series.latency.get(protocol)!;
    let peakUs = 1;
    for (let window = 0; window < series.windows; window++) if (windows.count[window]! > 0) peakUs = Math.max(peakUs, windows.p99Us[window]!);
    const inSeconds = peakUs >= 2_000_000;
    const divisor = inSeconds ? 1_000_000 : 1_000;
    const panel = svg.append('g').attr('transform', `translate(${margin.left},${top + index * panelHeight + margin.top})`);
    const x = d3.scaleLinear().domain([0, series.durationUs / unit.divisor]).range([0, plotWidth]);
    const y = d3.scaleLinear().domain([0, peakUs / divisor]).nice().range([plotHeight, 0]);
    panel.append('text').attr('x', 0).attr('y', -8).attr('font-weight', 'bold').text(protocolLabels[protocol]!);
    panel.append('g').attr('class', 'grid').call(d3.axisLeft(y).ticks(4).tickSize(-plotWidth).tickFormat(() => ''));
    panel.append('g').attr('class', 'axis').attr('transform', `translate(0,${plotHeight})`).call(d3.axisBottom(x).ticks(8));
    panel.append('g').attr('class', 'axis').call(d3.axisLeft(y).ticks(4));
    panel.append('text').attr('x', plotWidth / 2).attr('y', plotHeight + 32).attr('text-anchor', 'middle').text(unit.label);
    panel.append('text').attr('transform', `translate(-46,${plotHeight / 2}) rotate(-90)`).attr('text-anchor', 'middle').text(`latency (${inSeconds ? 's' : 'ms'})`);
    for (const percentile of percentiles) {
      const values = windows[percentile.key];
      const line = d3
        .line<number>()
        .digits(1)
        .defined((_, window) => windows.count[window]! > 0)
        .x((_, window) => x(((window + 0.5) * series.windowUs) / unit.divisor))
        .y((valueUs) => y(valueUs / divisor));
      panel.append('path').attr('d', line(Array.from(values)) ?? '').attr('fill', 'none').attr('stroke', percentile.color).attr('stroke-width', 1.5);
    }
  });
  return canvas.node.svgString();
}
