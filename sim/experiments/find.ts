import { evaluateExpectations, parseExpectation } from '../run/expectations.js';
import { parseDuration, parseRate } from '../scenario/units.js';
import { formatValue, type Parameter } from './parameters.js';
import { failureRateUpperBound } from './statistics.js';

/**
 * A capacity question over a sweep: `min cluster.nodes.count where sessions.dropped == 0 and
 * latency.http.p99 < 300ms` asks, for each combination of the other parameters, for the
 * smallest value of one parameter at which every condition holds in every seed.
 */
export interface FindQuery {
  text: string;
  direction: 'min' | 'max';
  parameter: string;
  conditions: string[];
}

export class FindError extends Error {}

const queryPattern = /^\s*(min|max)\s+(\S+)\s+where\s+(.+)$/;

export function parseFind(text: string, parameters: readonly Parameter[]): FindQuery {
  const match = queryPattern.exec(text);
  if (match === null) throw new FindError(`"${text}" is not a question: write "min|max PARAMETER where CONDITION and CONDITION ...", e.g. "min cluster.nodes.count where sessions.dropped == 0"`);
  const [, direction, parameter, where] = match as unknown as [string, 'min' | 'max', string, string];
  if (!parameters.some((candidate) => candidate.name === parameter)) {
    throw new FindError(`"${parameter}" is not a parameter of the sweep (${parameters.map((candidate) => candidate.name).join(', ') || 'none'})`);
  }
  const conditions = where.split(/\s+and\s+/).map((condition) => condition.trim());
  for (const condition of conditions) {
    const parsed = parseExpectation(condition);
    if (typeof parsed === 'string') throw new FindError(parsed);
  }
  return { text: text.trim(), direction, parameter, conditions };
}

/** The runs of one grid point, as the question sees them. */
export interface PointRuns {
  values: readonly unknown[];
  summaries: readonly unknown[];
}

export interface FindAnswer {
  /** Values of the other parameters, by name. */
  others: Record<string, unknown>;
  /** The answer, or undefined when no value of the sweep satisfies the conditions. */
  value: unknown;
  /**
   * For each value tried, in the question's order: in how many seeds all conditions held, and the
   * exact 95% upper bound on the rate at which they fail at that value (Clopper-Pearson).
   */
  tried: { value: unknown; seedsPassing: number; seeds: number; failureRateBound: number }[];
  /** True when a value beyond the answer fails again: the answer may be luck, widen the sweep or add seeds. */
  notMonotone: boolean;
}

export function answerFind(query: FindQuery, parameters: readonly Parameter[], points: readonly PointRuns[]): FindAnswer[] {
  const target = parameters.findIndex((parameter) => parameter.name === query.parameter);
  const others = parameters.map((_, index) => index).filter((index) => index !== target && parameters[index]!.values.length > 1);
  const groups = new Map<string, PointRuns[]>();
  for (const point of points) {
    const key = JSON.stringify(others.map((index) => point.values[index]));
    groups.set(key, [...(groups.get(key) ?? []), point]);
  }
  const answers: FindAnswer[] = [];
  for (const group of groups.values()) {
    const ordered = [...group].sort((a, b) => compareValues(a.values[target], b.values[target]) * (query.direction === 'min' ? 1 : -1));
    const tried = ordered.map((point) => {
      const seedsPassing = point.summaries.filter((summary) => evaluateExpectations(query.conditions, summary).every((result) => result.passed)).length;
      const seeds = point.summaries.length;
      return { value: point.values[target], seedsPassing, seeds, failureRateBound: failureRateUpperBound(seeds - seedsPassing, seeds) };
    });
    // A value no seed ran at (a sweep stopped early) holds nothing, not everything.
    const first = tried.findIndex((entry) => entry.seeds > 0 && entry.seedsPassing === entry.seeds);
    answers.push({
      others: Object.fromEntries(others.map((index) => [parameters[index]!.name, group[0]!.values[index]])),
      value: first === -1 ? undefined : tried[first]!.value,
      tried,
      notMonotone: first !== -1 && tried.slice(first).some((entry) => entry.seedsPassing < entry.seeds),
    });
  }
  return answers;
}

/** Orders values as quantities (`500ms` before `1s`, `100/s` before `1000/s`), then as text. */
export function compareValues(a: unknown, b: unknown): number {
  const numberA = quantity(a);
  const numberB = quantity(b);
  if (!Number.isNaN(numberA) && !Number.isNaN(numberB) && numberA !== numberB) return numberA - numberB;
  const textA = formatValue(a);
  const textB = formatValue(b);
  return textA < textB ? -1 : textA > textB ? 1 : 0;
}

/** A value as a number: durations in microseconds, rates per second, other numbers as written. */
export function quantity(value: unknown): number {
  if (typeof value === 'number') return value;
  const text = String(value);
  const duration = parseDuration(text);
  if (typeof duration === 'number') return duration;
  const rate = parseRate(text);
  if (typeof rate === 'number') return rate;
  return Number.parseFloat(text);
}
