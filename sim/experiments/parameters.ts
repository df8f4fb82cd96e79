import { parse as parseYamlValue } from 'yaml';

/**
 * Parameters of an experiment: a path into the scenario document and the values it takes,
 * written `workload.http.rate=100/s..1000/s:100/s`, `cluster.nodes.count=4,6,8` or `seed=7`.
 */
export interface Parameter {
  /** As written, e.g. `cluster.nodes.count`. */
  name: string;
  /** Keys into the YAML document; numbers index lists (`timeline.0.at`). */
  path: (string | number)[];
  /** Values as YAML scalars: numbers stay numbers, `100/s` stays text. */
  values: unknown[];
}

export class ParameterError extends Error {}

// A grid is a product: a bound keeps a typo like `1..100000:1` from planning a year of runs.
export const maxValuesPerParameter = 1000;

const pathPattern = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;
const numberWithUnit = /^\s*(-?\d+(?:\.\d+)?)\s*(\S*?)\s*$/;

/** Parses `PATH=SPEC`. */
export function parseParameter(text: string): Parameter {
  const equals = text.indexOf('=');
  if (equals <= 0) throw new ParameterError(`"${text}" is not a parameter: write PATH=VALUES, e.g. cluster.nodes.count=4,6,8`);
  return parameterOf(text.slice(0, equals).trim(), text.slice(equals + 1));
}

/** A parameter from a path and either a spec text or a list of values (as in a `sweep:` section). */
export function parameterOf(name: string, spec: string | number | boolean | readonly unknown[]): Parameter {
  if (!pathPattern.test(name)) throw new ParameterError(`"${name}" is not a path into the scenario: write keys separated by dots, e.g. workload.http.rate`);
  const path = name.split('.').map((key) => (/^\d+$/.test(key) ? Number(key) : key));
  const values = Array.isArray(spec) ? [...(spec as unknown[])] : typeof spec === 'string' ? expandSpec(spec, name) : [spec];
  if (values.length === 0) throw new ParameterError(`${name}: no values`);
  if (values.length > maxValuesPerParameter) throw new ParameterError(`${name}: ${values.length} values, more than the ${maxValuesPerParameter} allowed`);
  return { name, path, values };
}

/**
 * Expands `FROM..TO:STEP` or a comma-separated list. A range may carry a unit, the same on
 * each part (`100/s..1000/s:100/s`, `250ms..1000ms:250ms`); `FROM..TO` steps by 1.
 */
export function expandSpec(spec: string, name = 'parameter'): unknown[] {
  const range = /^(.+?)\.\.(.+?)(?::(.+))?$/.exec(spec.trim());
  if (range === null) return spec.split(',').map((item) => scalar(item.trim(), name));
  const [, fromText, toText, stepText] = range as unknown as [string, string, string, string | undefined];
  const from = numberAndUnit(fromText, name);
  const to = numberAndUnit(toText, name);
  const step = stepText === undefined ? { value: 1, unit: from.unit } : numberAndUnit(stepText, name);
  if (to.unit !== from.unit) throw new ParameterError(`${name}: range "${spec}" mixes units "${from.unit}" and "${to.unit}"`);
  if (step.unit !== '' && step.unit !== from.unit) throw new ParameterError(`${name}: step of "${spec}" is in "${step.unit}", the range in "${from.unit}"`);
  if (!(step.value > 0)) throw new ParameterError(`${name}: the step of "${spec}" must be positive`);
  if (to.value < from.value) throw new ParameterError(`${name}: range "${spec}" ends before it starts`);
  const count = Math.floor((to.value - from.value) / step.value + 1e-9) + 1;
  if (count > maxValuesPerParameter) throw new ParameterError(`${name}: "${spec}" has ${count} values, more than the ${maxValuesPerParameter} allowed`);
  return Array.from({ length: count }, (_, index) => {
    // toPrecision keeps 0.1 + 0.2 from showing as 0.30000000000000004 in a scenario and a plot.
    const value = Number((from.value + index * step.value).toPrecision(12));
    return from.unit === '' ? value : `${value}${from.unit}`;
  });
}

function numberAndUnit(text: string, name: string): { value: number; unit: string } {
  const match = numberWithUnit.exec(text);
  if (match === null) throw new ParameterError(`${name}: "${text}" is not a number with an optional unit (e.g. 100/s, 250ms, 4)`);
  return { value: Number(match[1]), unit: match[2]! };
}

function scalar(text: string, name: string): unknown {
  if (text === '') throw new ParameterError(`${name}: empty value in the list`);
  return parseYamlValue(text) as unknown;
}

/** One point of a grid: a value for each parameter, in the parameters' order. */
export interface GridPoint {
  index: number;
  values: unknown[];
}

/** Every combination of the parameters' values; the last parameter varies fastest. */
export function expandGrid(parameters: readonly Parameter[]): GridPoint[] {
  let combinations: unknown[][] = [[]];
  for (const parameter of parameters) combinations = combinations.flatMap((prefix) => parameter.values.map((value) => [...prefix, value]));
  return combinations.map((values, index) => ({ index, values }));
}

/** How a value appears in a label, a CSV cell or a legend. */
export function formatValue(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}
