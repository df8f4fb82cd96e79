import * as d3 from 'd3';
import { ChartDocument } from './svg-dom.js';

/** What a chart is drawn on: its own SVG element, and the SVG text once drawn. */
export interface ChartNode {
  readonly d3: typeof d3;
  svgString(): string;
}

// Every chart draws in a detached element of one document; the markup is what d3-node wrote.
const chartDocument = new ChartDocument();

function createChartSvg(width: number, height: number): { node: ChartNode; svg: d3.Selection<SVGSVGElement, unknown, null, undefined> } {
  const holder = chartDocument.createElement('div') as unknown as HTMLDivElement;
  const svg = d3
    .select(holder)
    .append('svg')
    .attr('xmlns', 'http://www.w3.org/2000/svg')
    .attr('width', width)
    .attr('height', height)
    .attr('viewBox', `0 0 ${width} ${height}`);
  svg.append('defs').append('style').attr('type', 'text/css').text(`<![CDATA[ ${chartStyle} ]]>`);
  return { node: { d3, svgString: () => svg.node()!.outerHTML }, svg };
}

/** Shared look of every chart: size, margins, title, axes with units, legend. */
export const chartStyle = `
  text { font-family: 'DejaVu Sans', Arial, sans-serif; font-size: 11px; fill: #222; }
  .title { font-size: 14px; font-weight: bold; }
  .subtitle { font-size: 11px; fill: #555; }
  .axis path, .axis line { stroke: #888; }
  .grid line { stroke: #e4e4e4; }
  .grid path { display: none; }
`;

export interface Frame {
  node: ChartNode;
  d3: typeof d3;
  svg: d3.Selection<SVGSVGElement, unknown, null, undefined>;
  plot: d3.Selection<SVGGElement, unknown, null, undefined>;
  width: number;
  height: number;
}

export interface FrameOptions {
  title: string;
  subtitle?: string;
  width?: number;
  height?: number;
  marginRight?: number;
}

export function createFrame(options: FrameOptions): Frame {
  const outerWidth = options.width ?? 900;
  const outerHeight = options.height ?? 420;
  const margin = { top: 52, right: options.marginRight ?? 170, bottom: 46, left: 64 };
  const { node, svg } = createChartSvg(outerWidth, outerHeight);
  svg.append('rect').attr('width', outerWidth).attr('height', outerHeight).attr('fill', '#fff');
  svg.append('text').attr('class', 'title').attr('x', margin.left).attr('y', 22).text(options.title);
  if (options.subtitle !== undefined) svg.append('text').attr('class', 'subtitle').attr('x', margin.left).attr('y', 38).text(options.subtitle);
  const plot = svg.append('g').attr('transform', `translate(${margin.left},${margin.top})`);
  return {
    node,
    d3: node.d3,
    svg,
    plot,
    width: outerWidth - margin.left - margin.right,
    height: outerHeight - margin.top - margin.bottom,
  };
}

/** Draws a bottom and a left axis with their labels (units included in the label). */
export function drawAxes(
  frame: Frame,
  x: d3.AxisScale<number> & d3.ScaleLinear<number, number>,
  y: d3.AxisScale<number> & d3.ScaleLinear<number, number>,
  xLabel: string,
  yLabel: string,
): void {
  const { d3, plot, width, height } = frame;
  plot.append('g').attr('class', 'grid').call(d3.axisLeft(y).ticks(5).tickSize(-width).tickFormat(() => ''));
  plot.append('g').attr('class', 'axis').attr('transform', `translate(0,${height})`).call(d3.axisBottom(x).ticks(8));
  plot.append('g').attr('class', 'axis').call(d3.axisLeft(y).ticks(5));
  plot.append('text').attr('x', width / 2).attr('y', height + 36).attr('text-anchor', 'middle').text(xLabel);
  plot
    .append('text')
    .attr('transform', `translate(-46,${height / 2}) rotate(-90)`)
    .attr('text-anchor', 'middle')
    .text(yLabel);
}

/** A legend to the right of the plot: one coloured swatch per entry. */
export function drawLegend(frame: Frame, entries: readonly { label: string; color: string; shape?: 'line' | 'box' }[]): void {
  const legend = frame.plot.append('g').attr('transform', `translate(${frame.width + 16},0)`);
  entries.forEach((entry, index) => {
    const row = legend.append('g').attr('transform', `translate(0,${index * 16})`);
    if (entry.shape === 'line') row.append('line').attr('x1', 0).attr('x2', 14).attr('y1', 6).attr('y2', 6).attr('stroke', entry.color).attr('stroke-width', 2);
    else row.append('rect').attr('width', 14).attr('height', 10).attr('y', 1).attr('fill', entry.color);
    row.append('text').attr('x', 20).attr('y', 10).text(entry.label);
  });
}

/** Minutes are the natural unit on a time axis for runs of minutes to hours. */
export function timeAxisUnit(durationUs: number): { divisor: number; label: string } {
  if (durationUs >= 2 * 3_600_000_000) return { divisor: 3_600_000_000, label: 'virtual time (h)' };
  if (durationUs >= 120_000_000) return { divisor: 60_000_000, label: 'virtual time (min)' };
  return { divisor: 1_000_000, label: 'virtual time (s)' };
}

export const palette = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

/** A chart made of several panels: the canvas, its title and subtitle; panels are drawn by the caller. */
export function createCanvas(options: { title: string; subtitle?: string; width: number; height: number }): Pick<Frame, 'node' | 'd3' | 'svg'> {
  const { node, svg } = createChartSvg(options.width, options.height);
  svg.append('rect').attr('width', options.width).attr('height', options.height).attr('fill', '#fff');
  svg.append('text').attr('class', 'title').attr('x', 16).attr('y', 22).text(options.title);
  if (options.subtitle !== undefined) svg.append('text').attr('class', 'subtitle').attr('x', 16).attr('y', 38).text(options.subtitle);
  return { node, d3: node.d3, svg };
}

/** Legend entries in a row, for multi-panel charts where the right margin is taken. */
export function drawLegendRow(
  parent: d3.Selection<SVGGElement, unknown, null, undefined> | d3.Selection<SVGSVGElement, unknown, null, undefined>,
  x: number,
  y: number,
  entries: readonly { label: string; color: string; shape?: 'line' | 'box' | 'dash' }[],
): void {
  const legend = parent.append('g').attr('class', 'legend').attr('transform', `translate(${x},${y})`);
  let offset = 0;
  for (const entry of entries) {
    const row = legend.append('g').attr('transform', `translate(${offset},0)`);
    if (entry.shape === 'line' || entry.shape === 'dash') {
      row.append('line').attr('x1', 0).attr('x2', 14).attr('y1', 6).attr('y2', 6).attr('stroke', entry.color).attr('stroke-width', 2).attr('stroke-dasharray', entry.shape === 'dash' ? '4,3' : null);
    } else row.append('rect').attr('width', 14).attr('height', 10).attr('y', 1).attr('fill', entry.color);
    row.append('text').attr('x', 18).attr('y', 10).text(entry.label);
    offset += 28 + entry.label.length * 6.5;
  }
}

/** A time unit for a span of virtual time: ms, s, min or h, with its axis label. */
export function spanUnit(spanUs: number): { divisor: number; label: string } {
  if (spanUs < 2_000_000) return { divisor: 1_000, label: 'ms' };
  const unit = timeAxisUnit(spanUs);
  return { divisor: unit.divisor, label: unit.divisor === 1_000_000 ? 's' : unit.divisor === 60_000_000 ? 'min' : 'h' };
}

/** Rounds a coordinate so that the SVG text stays short. */
export function px(value: number): number {
  return Math.round(value * 10) / 10;
}

export type D3 = typeof d3;
export type Group = d3.Selection<SVGGElement, unknown, null, undefined>;
