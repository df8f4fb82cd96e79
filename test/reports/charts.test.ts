import { describe, expect, it } from 'vitest';
import { htmlReport } from '../../reports/html.js';
import { seriesCharts } from '../../reports/report.js';
import { TimeSeriesRecorder } from '../../sim/metrics/series.js';
import { clusterNames, minuteUs, syntheticReport, syntheticSeries } from './synthetic.js';

const allCharts = ['timeline.svg', 'drain.svg', 'dropped-by-cause.svg', 'dropped-over-time.svg', 'latency.svg', 'requests.svg', 'placement.svg'];

describe('charts', () => {
  it.each([2, 500])('every chart is drawn for %i servers, with a title, axis labels with units and a legend', (serverCount) => {
    const charts = seriesCharts(syntheticSeries(serverCount));
    expect(charts.map((chart) => chart.file)).toEqual(allCharts);
    for (const chart of charts) {
      expect(chart.svg, chart.file).toMatch(/^<svg [^>]*viewBox="0 0 \d+ \d+"/);
      expect(chart.svg, chart.file).toMatch(/class="title"/);
      expect(chart.svg, chart.file).toMatch(/\((ms|s|min|h)\)|protocol/);
      // Nothing drawn at an invalid coordinate.
      expect(chart.svg, chart.file).not.toMatch(/NaN|undefined|Infinity/);
      expect(chart.svg.length, chart.file).toBeLessThan(400_000);
    }
  });

  it('a run with no drain, drop or placement gets no empty chart for them', () => {
    const { actorNames, servers } = clusterNames(2);
    const recorder = new TimeSeriesRecorder({ actorNames, servers, durationUs: minuteUs, windows: 12 });
    const files = seriesCharts(recorder.finish(minuteUs)).map((chart) => chart.file);
    expect(files).toEqual(['timeline.svg']);
  });

  it('the drain chart writes the time to drain, the deadline and the sessions cut', () => {
    const drain = seriesCharts(syntheticSeries(2)).find((chart) => chart.file === 'drain.svg')!.svg;
    expect(drain).toContain('162 sessions drained in 2m 00s');
    expect(drain).toContain('20 sessions cut at the deadline, after 2m 00s');
    expect(drain).toContain('>deadline<');
  });

  it('500 servers become a heatmap of 100 rows and a timeline of the servers that left running', () => {
    const charts = seriesCharts(syntheticSeries(500));
    const requests = charts.find((chart) => chart.file === 'requests.svg')!.svg;
    expect(requests).toContain('500 servers in 100 rows');
    const timeline = charts.find((chart) => chart.file === 'timeline.svg')!.svg;
    expect(timeline).toContain('the 40 servers that left the running state first');
    expect(timeline).toContain('servers not running');
    expect(charts.find((chart) => chart.file === 'drain.svg')!.svg).toContain('24 of 50 maintenance windows');
  });

  it('rendering the same run twice gives identical bytes', () => {
    const first = htmlReport(syntheticReport(500));
    const second = htmlReport(syntheticReport(500));
    expect(second).toBe(first);
    expect(first).toContain('<svg');
  });
});
