import type { TimeSeries } from '../../sim/metrics/series.js';
import { createCanvas, drawLegendRow, px, timeAxisUnit } from './frame.js';

const width = 900;
const panelHeight = 200;
const margin = { top: 28, right: 24, bottom: 40, left: 64 };
const colors = { running: '#1f77b4', maintenance: '#fd8d3c', bound: '#555', start: '#2e7d32', stop: '#c62828' } as const;

/** Running instances of each dynamic cluster against its minimum and maximum, with the placement controller's actions. */
export function placementChart(series: TimeSeries): string | undefined {
  const clusters = series.placement;
  if (clusters.length === 0) return undefined;
  const top = 66;
  const canvas = createCanvas({
    title: 'Placement: running instances per dynamic cluster',
    subtitle: 'servers in maintenance do not count toward min/max; triangles: controller starts (up) and stops (down)',
    width,
    height: top + clusters.length * panelHeight,
  });
  const { d3, svg } = canvas;
  drawLegendRow(svg, 16, 46, [
    { label: 'running', color: colors.running, shape: 'line' },
    { label: 'in maintenance', color: colors.maintenance, shape: 'line' },
    { label: 'min / max', color: colors.bound, shape: 'dash' },
    { label: 'start', color: colors.start },
    { label: 'stop', color: colors.stop },
  ]);
  const unit = timeAxisUnit(series.durationUs);
  const plotWidth = width - margin.left - margin.right;
  const plotHeight = panelHeight - margin.top - margin.bottom;
  clusters.forEach((cluster, index) => {
    const panel = svg.append('g').attr('transform', `translate(${margin.left},${top + index * panelHeight + margin.top})`);
    const bounds = [...cluster.max, ...cluster.min].filter((bound) => !Number.isNaN(bound));
    const peak = Math.max(1, ...cluster.running, ...cluster.inMaintenance, ...bounds, ...cluster.actions.map((action) => action.countedInstances));
    const x = d3.scaleLinear().domain([0, series.durationUs / unit.divisor]).range([0, plotWidth]);
    const y = d3
      .scaleLinear()
      .domain([0, peak + 1])
      .nice()
      .range([plotHeight, 0]);
    panel.append('text').attr('x', 0).attr('y', -10).attr('font-weight', 'bold').text(`dynamic cluster ${cluster.cluster}`);
    const wholeTicks = y.ticks(5).filter((tick) => Number.isInteger(tick));
    panel.append('g').attr('class', 'grid').call(d3.axisLeft(y).tickValues(wholeTicks).tickSize(-plotWidth).tickFormat(() => ''));
    panel.append('g').attr('class', 'axis').attr('transform', `translate(0,${plotHeight})`).call(d3.axisBottom(x).ticks(8));
    panel.append('g').attr('class', 'axis').call(d3.axisLeft(y).tickValues(wholeTicks).tickFormat(d3.format('d')));
    panel.append('text').attr('x', plotWidth / 2).attr('y', plotHeight + 32).attr('text-anchor', 'middle').text(unit.label);
    panel.append('text').attr('transform', `translate(-40,${plotHeight / 2}) rotate(-90)`).attr('text-anchor', 'middle').text('instances');
    const step = (values: ArrayLike<number>) =>
      d3
        .line<number>()
        .digits(1)
        .curve(d3.curveStepAfter)
        .defined((value) => !Number.isNaN(value))
        .x((_, window) => x((Math.min(window * series.windowUs, series.durationUs)) / unit.divisor))
        .y((value) => y(value))([...Array.from(values), values[values.length - 1]!]) ?? '';
    panel.append('path').attr('d', step(cluster.min)).attr('fill', 'none').attr('stroke', colors.bound).attr('stroke-dasharray', '5,3');
    panel.append('path').attr('d', step(cluster.max)).attr('fill', 'none').attr('stroke', colors.bound).attr('stroke-dasharray', '5,3');
    panel.append('path').attr('d', step(cluster.inMaintenance)).attr('fill', 'none').attr('stroke', colors.maintenance).attr('stroke-width', 1.5);
    panel.append('path').attr('d', step(cluster.running)).attr('fill', 'none').attr('stroke', colors.running).attr('stroke-width', 2);
    for (const action of cluster.actions) {
      const ax = px(x(action.timeUs / unit.divisor));
      const ay = px(y(action.countedInstances));
      const points = action.action === 'start' ? `${ax - 4},${ay + 4} ${ax + 4},${ay + 4} ${ax},${ay - 4}` : `${ax - 4},${ay - 4} ${ax + 4},${ay - 4} ${ax},${ay + 4}`;
      panel
        .append('polygon')
        .attr('points', points)
        .attr('fill', action.action === 'start' ? colors.start : colors.stop)
        .append('title')
        .text(`${action.action} ${action.server}`);
    }
  });
  return canvas.node.svgString();
}
