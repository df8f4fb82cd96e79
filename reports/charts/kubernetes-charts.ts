import type { KubernetesSeries, KubernetesSummary } from '../../sim/metrics/kubernetes-figures.js';
import { createFrame, drawAxes, drawLegend, palette, px, timeAxisUnit } from './frame.js';
import { formatSpan } from './format.js';
import { drawStackedWindows } from './stacked-windows.js';

const podColors = { current: '#2ca02c', old: '#1f77b4', terminating: '#d62728' } as const;

/**
 * The Deployment's pods over the run, stacked: of the revision rolled out last, of older ones,
 * terminating; each rollout's start and end marked.
 */
export function rolloutChart(series: KubernetesSeries, summary: KubernetesSummary, durationUs: number): string | undefined {
  if (series.pods.length === 0) return undefined;
  const unit = timeAxisUnit(durationUs);
  const frame = createFrame({
    title: 'Pods of the Deployment',
    subtitle: `pods at each ${formatSpan(series.windowUs)} sample: new revision, old revision, terminating; dashed: a rollout's start and end`,
    height: 300,
    marginRight: 220,
  });
  const { d3, plot, width, height } = frame;
  const x = d3.scaleLinear().domain([0, durationUs / unit.divisor]).range([0, width]);
  const peak = Math.max(1, ...series.pods.map((sample) => sample.current + sample.old + sample.terminating));
  const y = d3.scaleLinear().domain([0, peak]).nice().range([height, 0]);
  drawAxes(frame, x, y, unit.label, 'pods');
  const barWidth = Math.max(1, width / series.pods.length - 0.5);
  for (const sample of series.pods) {
    let base = 0;
    for (const key of ['current', 'old', 'terminating'] as const) {
      const count = sample[key];
      if (count === 0) continue;
      plot
        .append('rect')
        .attr('x', px(x(sample.atUs / unit.divisor)))
        .attr('width', px(barWidth))
        .attr('y', px(y(base + count)))
        .attr('height', px(y(base) - y(base + count)))
        .attr('fill', podColors[key])
        .append('title')
        .text(`${formatSpan(sample.atUs)}: ${count} ${key}`);
      base += count;
    }
  }
  for (const rollout of summary.rollouts) {
    // The end's label goes below the start's: a short rollout would write one over the other.
    for (const [atUs, label, labelY] of [[rollout.startedAtUs, 'start', 10], [rollout.endedAtUs, 'end', 22]] as const) {
      if (atUs === null) continue;
      const at = px(x(atUs / unit.divisor));
      plot.append('line').attr('x1', at).attr('x2', at).attr('y1', 0).attr('y2', height).attr('stroke', '#333').attr('stroke-dasharray', '3,3');
      plot.append('text').attr('x', at + 2).attr('y', labelY).attr('font-size', 9).text(`rollout ${rollout.revision} ${label}`);
    }
  }
  drawLegend(frame, [
    { label: 'new revision', color: podColors.current },
    { label: 'old revision', color: podColors.old },
    { label: 'terminating', color: podColors.terminating },
  ]);
  return frame.node.svgString();
}

/** Failed requests per window of virtual time, stacked by cause (a 502's cause is the pod's). */
export function errorsOverTimeChart(series: KubernetesSeries, durationUs: number): string | undefined {
  const causes = [...series.errorsByCause.keys()].sort();
  if (causes.length === 0) return undefined;
  const windows = series.errorsByCause.get(causes[0]!)!.length;
  const color = (cause: string) => palette[causes.indexOf(cause) % palette.length]!;
  const unit = timeAxisUnit(durationUs);
  const frame = createFrame({ title: 'Failed requests over time', subtitle: `requests failed in each ${formatSpan(series.windowUs)} window, by cause`, height: 300, marginRight: 220 });
  const { d3, width } = frame;
  const x = d3.scaleLinear().domain([0, durationUs / unit.divisor]).range([0, width]);
  drawStackedWindows(frame, x, unit, { windowUs: series.windowUs, windows, causes, countsOf: (cause) => series.errorsByCause.get(cause)! }, color, `failed requests per ${formatSpan(series.windowUs)}`);
  drawLegend(
    frame,
    causes.map((cause) => ({ label: cause, color: color(cause) })),
  );
  return frame.node.svgString();
}

/** Each consumer's endpoint updates: when it applied a slice, and how long after the control plane published it. */
export function propagationChart(series: KubernetesSeries, durationUs: number): string | undefined {
  const consumers = [...series.propagation.keys()];
  if (consumers.length === 0) return undefined;
  const color = (consumer: string) => palette[consumers.indexOf(consumer) % palette.length]!;
  const unit = timeAxisUnit(durationUs);
  const frame = createFrame({ title: 'Endpoint propagation per consumer', subtitle: 'each slice a consumer applied: when, and its lag behind the control plane', height: 300, marginRight: 220 });
  const { d3, plot, width, height } = frame;
  const x = d3.scaleLinear().domain([0, durationUs / unit.divisor]).range([0, width]);
  const peakUs = Math.max(1, ...[...series.propagation.values()].flatMap((points) => points.map((point) => point.lagUs)));
  const y = d3.scaleLinear().domain([0, peakUs / 1_000]).nice().range([height, 0]);
  drawAxes(frame, x, y, unit.label, 'lag (ms)');
  for (const [consumer, points] of series.propagation) {
    for (const point of points) {
      plot
        .append('circle')
        .attr('cx', px(x(point.atUs / unit.divisor)))
        .attr('cy', px(y(point.lagUs / 1_000)))
        .attr('r', 2.5)
        .attr('fill', color(consumer))
        .append('title')
        .text(`${consumer} at ${formatSpan(point.atUs)}: ${formatSpan(point.lagUs)} behind`);
    }
  }
  drawLegend(
    frame,
    consumers.map((consumer) => ({ label: consumer, color: color(consumer) })),
  );
  return frame.node.svgString();
}
