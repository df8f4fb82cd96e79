import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../helpers/browser.js';
import { htmlReport } from '../../reports/html.js';
import { renderReport } from '../../reports/report.js';
import { writeReportFiles } from '../../reports/write.js';
import { runScenario } from '../../sim/run/run.js';
import { loadScenarioFile } from '../../sim/scenario/load.js';
import { syntheticReport } from './synthetic.js';

// Reports and screenshots stay for people to look at; the folder is ignored by git.
const outputDirectory = resolve('test-output/reports');

let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
});

function writeReport(name: string, files: ReadonlyMap<string, string>): string {
  const directory = join(outputDirectory, name);
  rmSync(directory, { recursive: true, force: true });
  writeReportFiles(directory, files);
  return join(directory, 'index.html');
}

/** Opens a report from disk as a user would, and returns what a user would see go wrong. */
async function openReport(indexFile: string, screenshot: string) {
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') problems.push(`console ${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('request', (request) => {
    if (!request.url().startsWith('file://')) problems.push(`network request: ${request.url()}`);
  });
  await page.goto(`file://${indexFile}`);
  const figures = await page.$$eval('figure', (elements) =>
    elements.map((figure) => {
      const svg = figure.querySelector('svg');
      const box = svg?.getBoundingClientRect();
      return { id: figure.id, width: box?.width ?? 0, height: box?.height ?? 0, shapes: svg?.querySelectorAll('path, rect, line, circle, polygon').length ?? 0 };
    }),
  );
  mkdirSync(outputDirectory, { recursive: true });
  await page.screenshot({ path: join(outputDirectory, screenshot), fullPage: true });
  await page.close();
  return { figures, problems };
}

describe('the report in a real browser', () => {
  it('quickstart: every chart renders with a size, no console errors, no network', async () => {
    const loaded = loadScenarioFile('scenarios/quickstart.yaml');
    const report = renderReport(runScenario(loaded), []);
    const { figures, problems } = await openReport(writeReport('quickstart', report.files), 'quickstart.png');
    expect(problems).toEqual([]);
    const svgFiles = [...report.files.keys()].filter((file) => file.endsWith('.svg')).sort();
    expect(figures.map((figure) => figure.id).sort()).toEqual(svgFiles);
    expect(figures.map((figure) => figure.id)).toEqual(expect.arrayContaining(['timeline.svg', 'drain.svg', 'latency.svg', 'requests.svg']));
    for (const figure of figures) {
      expect(figure.width, figure.id).toBeGreaterThan(300);
      expect(figure.height, figure.id).toBeGreaterThan(100);
      expect(figure.shapes, figure.id).toBeGreaterThan(5);
    }
  });

  it.each([2, 500])('a run with drains, drops, faults and placement on %i servers renders every chart', async (serverCount) => {
    const input = syntheticReport(serverCount);
    const files = new Map([...input.charts.map((chart) => [chart.file, chart.svg] as const), ['index.html', htmlReport(input)], ['summary.json', '{}\n']]);
    const { figures, problems } = await openReport(writeReport(`synthetic-${serverCount}`, files), `synthetic-${serverCount}.png`);
    expect(problems).toEqual([]);
    expect(figures).toHaveLength(7);
    for (const figure of figures) {
      expect(figure.width, figure.id).toBeGreaterThan(300);
      expect(figure.height, figure.id).toBeGreaterThan(100);
    }
  });
});
