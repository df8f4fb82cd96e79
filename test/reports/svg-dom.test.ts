import * as d3 from 'd3';
import { describe, expect, it } from 'vitest';
import { ChartDocument } from '../../reports/charts/svg-dom.js';

function newSvg() {
  const holder = new ChartDocument().createElement('div') as unknown as HTMLDivElement;
  return d3.select(holder).append('svg').attr('xmlns', 'http://www.w3.org/2000/svg');
}

describe('the chart DOM', () => {
  it('writes the markup of an HTML serializer: attributes in the order first set, escaping, raw style text', () => {
    const svg = newSvg().attr('width', 10);
    svg.append('text').attr('title', 'a "b" & c\u00a0').text('x < y & z > 0');
    svg.append('style').text('a > b { fill: "red" }');
    svg.append('a').attr('xlink:href', '#t');
    svg.attr('width', 20).attr('height', null);
    expect(svg.node()!.outerHTML).toBe(
      '<svg xmlns="http://www.w3.org/2000/svg" width="20"><text title="a &quot;b&quot; &amp; c&nbsp;">x &lt; y &amp; z &gt; 0</text>' +
        '<style>a > b { fill: "red" }</style><a xlink:href="#t"></a></svg>',
    );
  });

  it('lets d3-axis join, reorder and remove its ticks when the scale changes', () => {
    const svg = newSvg();
    const axis = svg.append('g');
    axis.call(d3.axisBottom(d3.scaleLinear().domain([0, 4]).range([0, 100])).ticks(4));
    axis.call(d3.axisBottom(d3.scaleLinear().domain([2, 5]).range([0, 100])).ticks(3));
    const labels = axis.selectAll('.tick').select('text').nodes().map((node) => (node as Element).textContent);
    expect(labels).toEqual(['2', '3', '4', '5']);
    expect(axis.selectAll('.domain').size()).toBe(1);
    const markup = svg.node()!.outerHTML;
    expect(markup).toContain('<g class="tick" opacity="1" transform="translate(0.5,0)"><line stroke="currentColor" y2="6"></line><text fill="currentColor" y="9" dy="0.71em">2</text></g>');
    expect(markup.indexOf('class="domain"')).toBeLessThan(markup.indexOf('class="tick"'));
  });

  it('refuses a selector it does not understand rather than match it wrongly', () => {
    const svg = newSvg();
    svg.append('g').attr('class', 'a b');
    expect(svg.selectAll('g.b').size()).toBe(1);
    expect(() => svg.selectAll('g > .b')).toThrow(/unsupported selector/);
  });
});
