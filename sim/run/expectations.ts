import { formatDuration, parseDuration } from '../scenario/units.js';

/** The outcome of one `expect:` line of a scenario. */
export interface ExpectationResult {
  expectation: string;
  passed: boolean;
  actual: number | null;
  limit: number;
  message: string;
}

const operators = {
  '==': (a: number, b: number) => a === b,
  '!=': (a: number, b: number) => a !== b,
  '<=': (a: number, b: number) => a <= b,
  '>=': (a: number, b: number) => a >= b,
  '<': (a: number, b: number) => a < b,
  '>': (a: number, b: number) => a > b,
} as const;
type Operator = keyof typeof operators;

const expectationPattern = /^\s*([A-Za-z0-9_.\-/]+)\s*(==|!=|<=|>=|<|>)\s*(-?\d+(?:\.\d+)?)\s*([a-z%]*)\s*$/;

export interface ParsedExpectation {
  path: string[];
  operator: Operator;
  limit: number;
  /** True when the limit was written as a duration: the figure is looked up in microseconds. */
  isDuration: boolean;
}

/** Parses `latency.http.p99 < 250ms`; returns an error text when the line is not an expectation. */
export function parseExpectation(text: string): ParsedExpectation | string {
  const match = expectationPattern.exec(text);
  if (match === null) return `"${text}" is not an expectation: write <figure> <op> <number>, e.g. "sessions.http.dropped == 0"`;
  const [, path, operator, number, unit] = match as unknown as [string, string, Operator, string, string];
  if (unit === '' || unit === '%') return { path: path.split('.'), operator, limit: Number(number), isDuration: false };
  const limit = parseDuration(`${number}${unit}`);
  if (typeof limit === 'string') return limit;
  return { path: path.split('.'), operator, limit, isDuration: true };
}

/**
 * Checks each expectation against a summary. A figure is looked up by its path as written;
 * `<figure>.<protocol>.<rest>` also finds `protocols.<protocol>.<figure>.<rest>`, and a limit
 * written as a duration finds the figure's microsecond field (`p99` → `p99Us`).
 */
export function evaluateExpectations(lines: readonly string[], summary: unknown): ExpectationResult[] {
  return lines.map((line) => {
    const parsed = parseExpectation(line);
    if (typeof parsed === 'string') return { expectation: line, passed: false, actual: null, limit: NaN, message: parsed };
    const actual = lookUp(summary, parsed);
    if (actual === undefined) {
      return { expectation: line, passed: false, actual: null, limit: parsed.limit, message: missingFigureMessage(summary, parsed.path) };
    }
    const passed = operators[parsed.operator](actual, parsed.limit);
    const show = (value: number) => (parsed.isDuration ? formatDuration(value) : String(value));
    return {
      expectation: line,
      passed,
      actual,
      limit: parsed.limit,
      // A passing line says its figure too: how close to the limit it came is the point.
      message: `${parsed.path.join('.')} is ${show(actual)}, the limit is ${parsed.operator} ${show(parsed.limit)}`,
    };
  });
}

/** Counts by cause or work class hold only the keys that occurred: an absent key counts zero. */
const countsByKey = /By[A-Z][A-Za-z]*$/;

export function lookUp(summary: unknown, expectation: ParsedExpectation): number | undefined {
  const path = expectation.path;
  const candidates: string[][] = [path];
  if (path.length >= 2) candidates.push(['protocols', path[1]!, path[0]!, ...path.slice(2)]);
  for (const candidate of candidates) {
    const withUnit = expectation.isDuration && !candidate[candidate.length - 1]!.endsWith('Us') ? [...candidate.slice(0, -1), `${candidate[candidate.length - 1]}Us`] : candidate;
    for (const attempt of [withUnit, candidate]) {
      const value = valueAt(summary, attempt);
      if (typeof value === 'number') return value;
    }
    const counts = valueAt(summary, candidate.slice(0, -1));
    if (candidate.length >= 2 && countsByKey.test(candidate[candidate.length - 2]!) && isRecord(counts)) return 0;
  }
  return undefined;
}

/** Says which figures there are where the path stops matching, so a typo is easy to fix. */
function missingFigureMessage(summary: unknown, path: readonly string[]): string {
  const candidates = path.length >= 2 ? [path, ['protocols', path[1]!, path[0]!, ...path.slice(2)]] : [path];
  let best: { matched: string[]; keys: string[] } = { matched: [], keys: isRecord(summary) ? Object.keys(summary) : [] };
  for (const candidate of candidates) {
    let current = summary;
    for (let depth = 0; depth < candidate.length && isRecord(current); depth++) {
      const key = candidate[depth]!;
      if (!Object.hasOwn(current, key)) {
        if (depth >= best.matched.length) best = { matched: candidate.slice(0, depth), keys: Object.keys(current) };
        break;
      }
      current = current[key];
    }
  }
  const where = best.matched.length === 0 ? 'the summary' : best.matched.join('.');
  return `no figure "${path.join('.')}" in the summary (${where} has: ${best.keys.join(', ')})`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function valueAt(root: unknown, path: readonly string[]): unknown {
  let current = root;
  for (const key of path) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}
