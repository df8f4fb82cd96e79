import { ServerState } from '../../gen/clustersim/v1/cluster.js';
import type { TimeSeries } from '../../sim/metrics/series.js';
import { annotationColors, stateStyles } from './colors.js';
import { createCanvas, drawLegendRow, px, timeAxisUnit, type D3, type Group } from './frame.js';
import { formatSpan } from './format.js';

// Past this many servers, one lane each is unreadable: the chart counts servers by state and
// keeps lanes for the servers that left the running state.
const maxLanes = 40;
// The chart lists the first events; the report's events table lists them all.
const maxListedAnnotations = 40;
const width = 900;
const margin = { left: 130, right: 24 };

/**
 * One lane per server with its state as coloured bands and the requests routed to it as a line,
 * and the scenario's events (faults, maintenance steps, IP takeovers) marked across the lanes.
 */
export function timelineChart(series: TimeSeries): string | undefined {
  const serverCount = series.serverNames.length;
  if (serverCount === 0) return undefined;
  const aggregate = serverCount > maxLanes;
  const lanes = aggregate ? notableServers(series).slice(0, maxLanes) : series.serverNames.map((_, ordinal) => ordinal);
  const laneHeight = lanes.length <= 12 ? 22 : 14;
  const aggregateHeight = aggregate ? 130 : 0;
  const listed = series.annotations.slice(0, maxListedAnnotations);
  const listHeight = listed.length === 0 ? 0 : Math.ceil(listed.length / 2) * 15 + 24;
  const top = 76;
  const plotWidth = width - margin.left - margin.right;
  const lanesTop = top + aggregateHeight + (aggregate ? 24 : 0);
  const axisY = lanesTop + lanes.length * laneHeight;
  const height = axisY + 40 + listHeight;

  const subtitle = aggregate
    ? `${serverCount} servers: top, how many are not running, by state; below, ${lanes.length === 0 ? 'no server left the running state' : `the ${lanes.length} servers that left the running state first`}`
    : `${serverCount} servers; line in each lane: requests/s routed to the server (lane height = busiest server's peak)`;
  const canvas = createCanvas({ title: 'Cluster timeline', subtitle, width, height });
  const { d3, svg } = canvas;
  drawLegendRow(svg, 16, 50, [
    ...stateStyles.map((style) => ({ label: style.label, color: style.color })),
    ...(series.annotations.length > 0 ? [{ label: 'events (numbered below)', color: annotationColors.fault, shape: 'line' as const }] : []),
  ]);
  const unit = timeAxisUnit(series.durationUs);
  const x = d3.scaleLinear().domain([0, series.durationUs / unit.divisor]).range([0, plotWidth]);
  const xOfWindow = (window: number) => px(x((Math.min(window * series.windowUs, series.durationUs)) / unit.divisor));
  const plot = svg.append('g').attr('transform', `translate(${margin.left},0)`);
  // A stopped run has no states past its stop: the bands end there, at a marker.
  const stopped = series.endUs < series.durationUs;
  const lastWindow = stopped ? Math.min(series.windows - 1, Math.floor(series.endUs / series.windowUs)) : series.windows - 1;

  if (aggregate) drawStateCounts(d3, plot, series, top, aggregateHeight, xOfWindow);

  const perServerRequests = series.requestLanes.length === serverCount;
  let peakRequests = 1;
  if (perServerRequests) for (const lane of series.requestLanes) for (const count of lane.accepted) peakRequests = Math.max(peakRequests, count);
  lanes.forEach((ordinal, index) => {
    const laneTop = lanesTop + index * laneHeight;
    const lane = plot.append('g').attr('transform', `translate(0,${laneTop})`);
    for (const band of bandsOf(series, ordinal, lastWindow)) {
      lane
        .append('rect')
        .attr('x', xOfWindow(band.from))
        .attr('width', Math.max(0.5, px(xOfWindow(band.to) - xOfWindow(band.from))))
        .attr('height', laneHeight - 2)
        .attr('fill', stateStyles.find((style) => style.state === band.state)?.color ?? '#fff');
    }
    if (perServerRequests) {
      const accepted = series.requestLanes[ordinal]!.accepted;
      const line = d3
        .line<number>()
        .digits(1)
        .x((_, window) => xOfWindow(window + 0.5))
        .y((count) => (laneHeight - 3) * (1 - count / peakRequests) + 1);
      lane.append('path').attr('d', line(Array.from(accepted.subarray(0, lastWindow + 1))) ?? '').attr('fill', 'none').attr('stroke', '#333').attr('stroke-width', 0.8);
    }
    lane
      .append('text')
      .attr('x', -6)
      .attr('y', laneHeight / 2 + 3)
      .attr('text-anchor', 'end')
      .text(series.serverNames[ordinal]!);
  });

  plot
    .append('g')
    .attr('class', 'axis')
    .attr('transform', `translate(0,${axisY})`)
    .call(d3.axisBottom(x).ticks(8));
  plot.append('text').attr('x', plotWidth / 2).attr('y', axisY + 32).attr('text-anchor', 'middle').text(unit.label);
  if (perServerRequests && lanes.length > 0) {
    svg.append('text').attr('x', 16).attr('y', axisY + 14).attr('class', 'subtitle').text(`peak ${Math.round(peakRequests / (series.windowUs / 1_000_000))} req/s`);
  }

  if (stopped) {
    const at = px(x(series.endUs / unit.divisor));
    plot.append('line').attr('class', 'run-stopped').attr('x1', at).attr('x2', at).attr('y1', lanesTop - 14).attr('y2', axisY).attr('stroke', annotationColors.fault).attr('stroke-width', 2).attr('stroke-dasharray', '6,3');
    // Written in the lanes past the stop, which are empty, clear of the legend above them.
    const beforeMarker = at > plotWidth * 0.6;
    plot
      .append('text')
      .attr('x', beforeMarker ? at - 4 : at + 4)
      .attr('y', lanesTop + 12)
      .attr('text-anchor', beforeMarker ? 'end' : 'start')
      .attr('fill', annotationColors.fault)
      .text(`run stopped at ${formatSpan(series.endUs)} of ${formatSpan(series.durationUs)}`);
  }

  // Events closer than a few pixels share one mark, labelled with the range of their numbers.
  const markTop = aggregate ? top : lanesTop;
  const marks: { at: number; first: number; last: number; kind: keyof typeof annotationColors }[] = [];
  series.annotations.forEach((annotation, index) => {
    if (annotation.timeUs > series.durationUs) return;
    const at = px(x(annotation.timeUs / unit.divisor));
    const previous = marks.at(-1);
    if (previous !== undefined && at - previous.at < 8) {
      previous.last = index;
      if (annotation.kind === 'fault') previous.kind = 'fault';
    } else marks.push({ at, first: index, last: index, kind: annotation.kind });
  });
  const fullHeight = marks.length <= 30;
  let labelledUpTo = Number.NEGATIVE_INFINITY;
  for (const mark of marks) {
    const color = annotationColors[mark.kind];
    plot.append('line').attr('x1', mark.at).attr('x2', mark.at).attr('y1', markTop - 4).attr('y2', fullHeight ? axisY : markTop + 6).attr('stroke', color).attr('stroke-width', 1).attr('opacity', 0.7);
    const label = mark.first === mark.last ? String(mark.first + 1) : `${mark.first + 1}–${mark.last + 1}`;
    if (mark.first < maxListedAnnotations && mark.at > labelledUpTo) {
      labelledUpTo = mark.at + label.length * 6 + 4;
      plot.append('text').attr('x', mark.at + 2).attr('y', markTop - 6).attr('fill', color).attr('font-size', 9).text(label);
    }
  }
  const listTop = axisY + 52;
  listed.forEach((annotation, index) => {
    const column = index < Math.ceil(listed.length / 2) ? 0 : 1;
    const row = column === 0 ? index : index - Math.ceil(listed.length / 2);
    svg
      .append('text')
      .attr('x', 16 + column * (width / 2))
      .attr('y', listTop + row * 15)
      .attr('fill', annotationColors[annotation.kind])
      .text(`${index + 1}. ${formatSpan(annotation.timeUs)}: ${annotation.label}`);
  });
  const leftOut = series.annotations.length - listed.length + series.annotationsLeftOut;
  if (leftOut > 0) svg.append('text').attr('x', 16).attr('y', height - 6).attr('class', 'subtitle').text(`and ${leftOut} more events`);
  return canvas.node.svgString();
}

/** Servers in the order they first left the running state; the others are not notable. */
function notableServers(series: TimeSeries): number[] {
  const firstChange: { ordinal: number; window: number }[] = [];
  series.serverNames.forEach((_, ordinal) => {
    for (let window = 0; window < series.windows; window++) {
      if (series.states[ordinal * series.windows + window] !== ServerState.RUNNING) {
        firstChange.push({ ordinal, window });
        return;
      }
    }
  });
  return firstChange.sort((a, b) => a.window - b.window || a.ordinal - b.ordinal).map((change) => change.ordinal);
}

/** The state bands of a server up to `lastWindow` (the run's last, or the one it was stopped in). */
function bandsOf(series: TimeSeries, ordinal: number, lastWindow: number): { from: number; to: number; state: number }[] {
  const bands: { from: number; to: number; state: number }[] = [];
  for (let window = 0; window <= lastWindow; window++) {
    const state = series.states[ordinal * series.windows + window]!;
    const last = bands.at(-1);
    if (last !== undefined && last.state === state) last.to = window + 1;
    else bands.push({ from: window, to: window + 1, state });
  }
  return bands;
}

/** Stacked areas: how many servers are out of the running state, by state, over time. */
function drawStateCounts(d3: D3, plot: Group, series: TimeSeries, top: number, height: number, xOfWindow: (window: number) => number): void {
  const shown = stateStyles.filter((style) => style.state !== ServerState.RUNNING);
  const counts = shown.map(() => new Uint32Array(series.windows));
  const slotOf = new Map(shown.map((style, slot) => [style.state as number, slot]));
  for (let ordinal = 0; ordinal < series.serverNames.length; ordinal++) {
    for (let window = 0; window < series.windows; window++) {
      const slot = slotOf.get(series.states[ordinal * series.windows + window]!);
      if (slot !== undefined) counts[slot]![window]!++;
    }
  }
  let peak = 1;
  for (let window = 0; window < series.windows; window++) peak = Math.max(peak, counts.reduce((sum, perWindow) => sum + perWindow[window]!, 0));
  const y = d3.scaleLinear().domain([0, peak]).nice().range([top + height, top]);
  const group = plot.append('g');
  group.append('g').attr('class', 'grid').call(d3.axisLeft(y).ticks(4).tickSize(-xOfWindow(series.windows)).tickFormat(() => ''));
  const base = new Float64Array(series.windows);
  counts.forEach((perWindow, slot) => {
    if (!perWindow.some((count) => count > 0)) return;
    // The step curve needs one point past the last window to draw that window.
    const closedBase = Float64Array.from(base);
    const last = series.windows - 1;
    const area = d3
      .area<number>()
      .digits(1)
      .curve(d3.curveStepAfter)
      .x((_, window) => xOfWindow(window))
      .y0((_, window) => y(closedBase[Math.min(window, last)]!))
      .y1((count, window) => y(closedBase[Math.min(window, last)]! + count));
    group.append('path').attr('d', area([...perWindow, perWindow[last]!]) ?? '').attr('fill', shown[slot]!.color);
    for (let window = 0; window < series.windows; window++) base[window]! += perWindow[window]!;
  });
  group.append('g').attr('class', 'axis').call(d3.axisLeft(y).ticks(4).tickFormat(d3.format('~s')));
  group.append('text').attr('transform', `translate(-46,${top + height / 2}) rotate(-90)`).attr('text-anchor', 'middle').text('servers not running');
}
