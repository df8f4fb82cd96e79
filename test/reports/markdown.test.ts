import { describe, expect, it } from 'vitest';
import { htmlReport } from '../../reports/html.js';
import { markdownSummary } from '../../reports/markdown.js';
import { syntheticReport } from './synthetic.js';

describe('report text', () => {
  it('the Markdown summary gives the verdict, figures, failed expectations, violations and drains', () => {
    const markdown = markdownSummary(syntheticReport(2));
    expect(markdown).toMatch(/^## ❌ synthetic-2: FAIL\n/);
    expect(markdown).toContain('| HTTP | 5,000 | 4,950 | 27 | 3 | 20 | 40,000 | 18ms | 310ms |');
    expect(markdown).toContain('| ❌ | `sessions.http.dropped == 0` | is 27 |');
    expect(markdown).toContain('### Invariant violations: 2');
    // A pipe in a detail must not break the table.
    expect(markdown).toContain('new HTTP session \\| opened in maintenance');
    expect(markdown).toContain('| node1/app-2 | drain | 6m 00s | 0 | — | 20 sessions cut at the deadline, after 2m 00s |');
  });

  it('index.html lists violations, drains and key figures, and loads nothing from the network', () => {
    const html = htmlReport(syntheticReport(2));
    expect(html).toContain('<code>maintenance-no-new-http-session</code>');
    expect(html).toContain('<td>node1/app-1</td><td>maintenance (affinity)</td><td>5m 00s</td><td>12m 00s</td><td></td><td>162</td><td>0</td><td>2m 00s</td>');
    expect(html).toContain('<b>2m 00s</b>longest time to drain');
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    expect(html).not.toMatch(/<script/);
  });

  it('a failing report wraps long details within the page, says each passing figure, and separates thousands', () => {
    const html = htmlReport(syntheticReport(2));
    expect(html).toMatch(/td\.text \{[^}]*white-space: normal;/);
    expect(html).toMatch(/td\.detail \{[^}]*overflow-wrap: anywhere/);
    expect(html).toContain('<td>FAILS</td><td class="text detail">is 27</td>');
    expect(html).toContain('<td>holds</td><td class="text detail">latency.http.p99 is 310ms, the limit is &lt; 500ms</td>');
    expect(html).toContain('<td>5,000</td><td>4,950</td>');
    expect(html).toContain('123,456 events');
  });
});
