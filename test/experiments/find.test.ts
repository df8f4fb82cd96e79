import { describe, expect, it } from 'vitest';
import { answerFind, compareValues, parseFind } from '../../sim/experiments/find.js';
import { parseParameter } from '../../sim/experiments/parameters.js';

const parameters = [parseParameter('workload.http.rate=400/s,800/s'), parseParameter('cluster.nodes.count=8,4,6')];
const summary = (dropped: number, p99Us: number) => ({ sessions: { dropped }, protocols: { http: { sessions: { dropped }, latency: { p99Us } } } });

describe('capacity questions', () => {
  const query = parseFind('min cluster.nodes.count where sessions.dropped == 0 and latency.http.p99 < 300ms', parameters);

  it('parse into a direction, a swept parameter and conditions', () => {
    expect(query).toMatchObject({ direction: 'min', parameter: 'cluster.nodes.count', conditions: ['sessions.dropped == 0', 'latency.http.p99 < 300ms'] });
    expect(() => parseFind('min cluster.routers where sessions.dropped == 0', parameters)).toThrow(/not a parameter of the sweep/);
    expect(() => parseFind('smallest nodes', parameters)).toThrow(/not a question/);
    expect(() => parseFind('min cluster.nodes.count where dropped is zero', parameters)).toThrow(/not an expectation/);
  });

  it('answer per value of the other parameters: the smallest value that holds in every seed', () => {
    const points = [
      { values: ['400/s', 8], summaries: [summary(0, 100_000), summary(0, 110_000)] },
      { values: ['400/s', 4], summaries: [summary(0, 250_000), summary(0, 310_000)] }, // one seed too slow
      { values: ['400/s', 6], summaries: [summary(0, 200_000), summary(0, 210_000)] },
      { values: ['800/s', 8], summaries: [summary(0, 290_000), summary(0, 280_000)] },
      { values: ['800/s', 4], summaries: [summary(9, 900_000), summary(7, 800_000)] },
      { values: ['800/s', 6], summaries: [summary(1, 250_000), summary(0, 260_000)] },
    ];
    const answers = answerFind(query, parameters, points);
    expect(answers.map((answer) => [answer.others, answer.value])).toEqual([
      [{ 'workload.http.rate': '400/s' }, 6],
      [{ 'workload.http.rate': '800/s' }, 8],
    ]);
    expect(answers[0]!.tried.map(({ value, seedsPassing, seeds }) => ({ value, seedsPassing, seeds }))).toEqual([
      { value: 4, seedsPassing: 1, seeds: 2 },
      { value: 6, seedsPassing: 2, seeds: 2 },
      { value: 8, seedsPassing: 2, seeds: 2 },
    ]);
    // Two of two seeds bound the failure rate only loosely: below 1 − 0.05^(1/2), about 78%.
    expect(answers[0]!.tried[1]!.failureRateBound).toBeCloseTo(1 - Math.sqrt(0.05), 10);
    expect(answers[0]!.tried[0]!.failureRateBound).toBeGreaterThan(answers[0]!.tried[1]!.failureRateBound);
    expect(answers.every((answer) => !answer.notMonotone)).toBe(true);
  });

  it('no value, or a value beyond the answer failing again, is said so', () => {
    const points = [
      { values: ['400/s', 4], summaries: [summary(0, 100_000)] },
      { values: ['400/s', 6], summaries: [summary(2, 100_000)] },
      { values: ['400/s', 8], summaries: [summary(0, 100_000)] },
      { values: ['800/s', 4], summaries: [summary(3, 100_000)] },
      { values: ['800/s', 6], summaries: [summary(3, 100_000)] },
      { values: ['800/s', 8], summaries: [summary(3, 100_000)] },
    ];
    const [low, high] = answerFind(query, parameters, points);
    expect(low).toMatchObject({ value: 4, notMonotone: true });
    expect(high!.value).toBeUndefined();
  });

  it('max looks from the top', () => {
    const rateQuery = parseFind('max workload.http.rate where sessions.dropped == 0', parameters);
    const points = [
      { values: ['400/s', 4], summaries: [summary(0, 0)] },
      { values: ['800/s', 4], summaries: [summary(5, 0)] },
    ];
    expect(answerFind(rateQuery, parameters.map((parameter, index) => (index === 1 ? parseParameter('cluster.nodes.count=4') : parameter)), points)[0]!.value).toBe('400/s');
  });

  it('orders values as quantities', () => {
    expect(['1s', '500ms', '2m'].sort(compareValues)).toEqual(['500ms', '1s', '2m']);
    expect(['1000/s', '200/s'].sort(compareValues)).toEqual(['200/s', '1000/s']);
    expect([8, 4, 6].sort(compareValues)).toEqual([4, 6, 8]);
  });
});
