import type { DrainEpisode, TimeSeries } from '../../sim/metrics/series.js';
import { seriesProtocols } from '../../sim/metrics/series.js';
import { droppedAtEntryByCause } from '../../sim/metrics/maintenance-windows.js';
import { markColors, protocolColors, protocolLabels } from './colors.js';
import { createCanvas, drawLegendRow, px, spanUnit, type D3, type Group } from './frame.js';
import { formatCount, formatSpan } from './format.js';

// Beyond this many panels the chart would be a wall: the first ones are drawn, the table lists all.
const maxPanels = 24;
const panelHeight = 200;
const width = 900;

/**
 * One panel per server (or router) that entered maintenance or a drain: its open sessions by
 * protocol from that moment, the drain deadline, and when it drained or had sessions cut.
 */
export function drainChart(series: TimeSeries): string | undefined {
  const drawn = series.episodes.filter((episode) => episode.curve !== undefined && episode.target === 'server').slice(0, maxPanels);
  if (drawn.length === 0) return undefined;
  const total = series.episodes.length + series.episodesLeftOut;
  const columns = drawn.length === 1 ? 1 : 2;
  const rows = Math.ceil(drawn.length / columns);
  const top = 70;
  const height = top + rows * panelHeight + 8;
  const subtitle =
    drawn.length < total
      ? `${drawn.length} of ${total} maintenance windows and drains drawn (the first ones); the report's table lists all`
      : `${total} maintenance window${total === 1 ? '' : 's'} or drain${total === 1 ? '' : 's'}; what happened to the sessions written in each panel`;
  const canvas = createCanvas({ title: 'Drain: open sessions of each server in maintenance', subtitle, width, height });
  const used = seriesProtocols.filter((protocol) => drawn.some((episode) => episode.curve!.open[seriesProtocols.indexOf(protocol)]!.some((open) => open > 0)));
  drawLegendRow(canvas.svg, 16, 48, [
    ...(used.length === 0 ? seriesProtocols.slice(0, 1) : used).map((protocol) => ({ label: `${protocolLabels[protocol]!} sessions`, color: protocolColors[protocol]!, shape: 'line' as const })),
    ...(drawn.some((episode) => episode.deadlineUs !== undefined) ? [{ label: 'drain deadline', color: markColors.deadline, shape: 'dash' as const }] : []),
    { label: 'drained', color: markColors.drained, shape: 'line' },
    { label: 'sessions cut', color: markColors.cut },
  ]);
  const panelWidth = width / columns;
  drawn.forEach((episode, index) => {
    const panel = canvas.svg.append('g').attr('transform', `translate(${(index % columns) * panelWidth},${top + Math.floor(index / columns) * panelHeight})`);
    drawPanel(canvas.d3, panel, episode, panelWidth, used);
  });
  return canvas.node.svgString();
}

function drawPanel(
  d3: D3,
  panel: Group,
  episode: DrainEpisode,
  panelWidth: number,
  protocols: readonly number[],
): void {
  const margin = { top: 34, right: 20, bottom: 36, left: 56 };
  const plotWidth = panelWidth - margin.left - margin.right;
  const plotHeight = panelHeight - margin.top - margin.bottom;
  const curve = episode.curve!;
  // The axis spans what happened to the sessions: up to the drain, or to the deadline or the end.
  const lastUs = episode.drainedAtUs ?? Math.max(episode.endUs, episode.deadlineUs ?? 0);
  const spanUs = Math.max(1_000_000, Math.ceil((lastUs - episode.startUs) * 1.15));
  const unit = spanUnit(spanUs);
  const x = d3.scaleLinear().domain([0, spanUs / unit.divisor]).range([0, plotWidth]);
  const peak = Math.max(1, ...curve.open.flat());
  const y = d3.scaleLinear().domain([0, peak]).nice().range([plotHeight, 0]);
  // Sessions are whole: no fractional ticks.
  const yTicks = y.ticks(4).filter(Number.isInteger);
  // Whatever comes after the span (a window that goes on long after its drain) is drawn at its edge.
  const at = (timeUs: number) => px(x(Math.min(timeUs - episode.startUs, spanUs) / unit.divisor));

  panel.append('text').attr('x', margin.left).attr('y', 14).attr('font-weight', 'bold').text(`${episode.name}: ${episode.mode === '' ? episode.kind : `${episode.mode} maintenance`} from ${formatSpan(episode.startUs)}`);
  const outcome = outcomeText(episode);
  panel.append('text').attr('x', margin.left).attr('y', 28).attr('fill', outcome.color).text(outcome.text);

  const plot = panel.append('g').attr('transform', `translate(${margin.left},${margin.top})`);
  plot.append('g').attr('class', 'grid').call(d3.axisLeft(y).tickValues(yTicks).tickSize(-plotWidth).tickFormat(() => ''));
  plot.append('g').attr('class', 'axis').attr('transform', `translate(0,${plotHeight})`).call(d3.axisBottom(x).ticks(6));
  plot.append('g').attr('class', 'axis').call(d3.axisLeft(y).tickValues(yTicks).tickFormat(d3.format(',')));
  plot.append('text').attr('x', plotWidth / 2).attr('y', plotHeight + 30).attr('text-anchor', 'middle').text(`time since entering (${unit.label})`);
  plot.append('text').attr('transform', `translate(-40,${plotHeight / 2}) rotate(-90)`).attr('text-anchor', 'middle').text('open sessions');

  const line = d3
    .line<number>()
    .curve(d3.curveStepAfter)
    .digits(1)
    .x((_, index) => at(curve.timesUs[index]!))
    .y((open) => y(open));
  for (const protocol of protocols) {
    const values = curve.open[seriesProtocols.indexOf(protocol as (typeof seriesProtocols)[number])]!;
    if (!values.some((open) => open > 0)) continue;
    plot.append('path').attr('d', line(values) ?? '').attr('fill', 'none').attr('stroke', protocolColors[protocol]!).attr('stroke-width', 1.6);
  }
  const droppedAtEntry = Object.values(droppedAtEntryByCause(episode)).reduce((sum, count) => sum + count, 0);
  if (droppedAtEntry > 0) {
    // The fall at the start is on the axis itself: a mark says what it was.
    plot.append('circle').attr('class', 'dropped-at-entry').attr('cx', 0).attr('cy', px(y(episode.openAtStart))).attr('r', 4).attr('fill', markColors.cut);
    plot.append('text').attr('x', 6).attr('y', px(y(episode.openAtStart)) + 4).attr('fill', markColors.cut).text(`${formatCount(droppedAtEntry)} dropped on entering`);
  }
  if (episode.deadlineUs !== undefined && episode.deadlineUs - episode.startUs <= spanUs) {
    const deadline = at(episode.deadlineUs);
    plot.append('line').attr('x1', deadline).attr('x2', deadline).attr('y1', 0).attr('y2', plotHeight).attr('stroke', markColors.deadline).attr('stroke-dasharray', '5,3').attr('stroke-width', 1.5);
    plot.append('text').attr('x', deadline - 4).attr('y', 10).attr('text-anchor', 'end').attr('fill', markColors.deadline).text('deadline');
  }
  if (episode.drainedAtUs !== undefined) {
    const drained = at(episode.drainedAtUs);
    plot.append('line').attr('x1', drained).attr('x2', drained).attr('y1', 0).attr('y2', plotHeight).attr('stroke', markColors.drained).attr('stroke-width', 1.5);
    plot.append('text').attr('x', drained + 4).attr('y', 22).attr('fill', markColors.drained).text('drained');
  } else if (episode.openAtEnd > 0 && (episode.end === 'expired' || episode.end === 'failed' || episode.end === 'stopped')) {
    const cut = at(episode.endUs);
    plot.append('circle').attr('cx', cut).attr('cy', px(y(0))).attr('r', 4).attr('fill', markColors.cut);
    plot.append('text').attr('x', cut + 6).attr('y', px(y(0)) - 6).attr('fill', markColors.cut).text(`${episode.openAtEnd} cut`);
  }
}

/** What happened to the sessions, in words: the figure people look for first. */
export function outcomeText(episode: DrainEpisode): { text: string; color: string } {
  const since = (timeUs: number) => formatSpan(timeUs - episode.startUs);
  if (episode.target === 'router') return { text: `ODR out of service for ${since(episode.endUs)}: the sprayer sent its traffic to the other ODRs`, color: '#555' };
  const atEntry = entryText(episode);
  const left = episode.openAtStart - episode.givenUpAtEntry.reduce((sum, given) => sum + given, 0);
  const prefix = atEntry === '' ? '' : `${atEntry}; `;
  if (episode.drainedAtUs !== undefined) {
    if (left === 0) return { text: `${prefix}nothing left to drain`, color: atEntry === '' ? markColors.drained : markColors.cut };
    return { text: `${prefix}${formatCount(left)} session${left === 1 ? '' : 's'} drained in ${since(episode.drainedAtUs)}`, color: atEntry === '' ? markColors.drained : markColors.cut };
  }
  switch (episode.end) {
    case 'expired':
      return { text: `${prefix}${formatCount(episode.openAtEnd)} sessions cut at the deadline, after ${since(episode.endUs)}`, color: markColors.cut };
    case 'failed':
      return { text: `${prefix}failed after ${since(episode.endUs)} with ${formatCount(episode.openAtEnd)} sessions open`, color: markColors.cut };
    case 'stopped':
      return { text: `${prefix}stopped after ${since(episode.endUs)} with ${formatCount(episode.openAtEnd)} sessions open`, color: markColors.cut };
    case 'exited':
      return { text: `${prefix}back in service after ${since(episode.endUs)}, ${formatCount(episode.openAtEnd)} sessions never drained`, color: '#555' };
    default:
      return { text: `${prefix}not drained: ${formatCount(episode.openAtEnd)} sessions open at the end of the run`, color: '#555' };
  }
}

/** The sessions given up on entering (break and stop modes): dropped with their cause, or failed over. */
function entryText(episode: DrainEpisode): string {
  const parts = Object.entries(droppedAtEntryByCause(episode)).map(([cause, count]) => `${formatCount(count)} of ${formatCount(episode.openAtStart)} sessions dropped on entering (${cause})`);
  const failedOver = episode.failedOverAtEntry.reduce((sum, count) => sum + count, 0);
  if (failedOver > 0) parts.push(`${formatCount(failedOver)} failed over on entering`);
  return parts.join(', ');
}
