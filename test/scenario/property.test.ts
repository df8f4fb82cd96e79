import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { runScenario } from '../../sim/run/run.js';
import { parseScenario, ScenarioError } from '../../sim/scenario/load.js';

/**
 * Whatever a scenario file holds, clustersim either runs it or refuses it with a ScenarioError:
 * no other exception escapes. The files are the shipped scenarios, mutated: keys deleted, values
 * of another type, values swapped, random durations, rates and numbers, unknown keys, and bytes
 * of the text itself changed.
 */

const shipped = readdirSync('scenarios')
  .filter((file) => file.endsWith('.yaml'))
  .map((file) => readFileSync(join('scenarios', file), 'utf8'));

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = (string | number)[];

function pathsOf(value: Json, prefix: Path = []): Path[] {
  if (value === null || typeof value !== 'object') return [prefix];
  const children = Array.isArray(value) ? value.map((child, index) => [index, child] as const) : Object.entries(value);
  return [prefix, ...children.flatMap(([key, child]) => pathsOf(child, [...prefix, key]))];
}

function getAt(root: Json, path: Path): Json | undefined {
  let current: Json | undefined = root;
  for (const key of path) current = current !== null && typeof current === 'object' ? (current as Record<string | number, Json>)[key] : undefined;
  return current;
}

function setAt(root: Json, path: Path, value: Json | undefined): Json {
  if (path.length === 0) return value ?? null;
  const parent = getAt(root, path.slice(0, -1));
  if (parent === null || typeof parent !== 'object') return root;
  const key = path[path.length - 1]!;
  if (value === undefined) {
    if (Array.isArray(parent)) parent.splice(Number(key), 1);
    else delete parent[key];
  } else (parent as Record<string | number, Json>)[key] = value;
  return root;
}

const durations = fc.oneof(
  fc.tuple(fc.oneof(fc.nat(100_000), fc.double({ min: 0, max: 1000, noNaN: true })), fc.constantFrom('us', 'ms', 's', 'm', 'h')).map(([number, unit]) => `${number}${unit}`),
  fc.constantFrom('-5m', '0s', '0us', '1.5h', '5 minutes', '99999999999h', '1e3ms', '5', 'ms', '', ' 3 s ', '0.0001us'),
);
const rates = fc.oneof(
  fc.tuple(fc.oneof(fc.nat(100_000), fc.double({ min: 0, max: 1e6, noNaN: true })), fc.constantFrom('/s', '/m', '/h')).map(([number, unit]) => `${number}${unit}`),
  fc.constantFrom('0/s', '1e3/s', '5/ms', '-3/s', 'fast', '10', '/s', '99999999999999999999999/s'),
);
// Boundary values first: they are where a run goes wrong.
const numbers = fc.oneof(
  { arbitrary: fc.constantFrom(0, 1, 2, -1, 0.5), weight: 3 },
  { arbitrary: fc.integer({ min: -10, max: 100 }), weight: 1 },
  { arbitrary: fc.constantFrom(1000, 100_000, 2 ** 31, 2 ** 53, 1e300), weight: 1 },
);
const anyValue: fc.Arbitrary<Json> = fc.oneof(
  durations,
  rates,
  numbers,
  fc.boolean(),
  fc.constant(null),
  fc.string({ maxLength: 12 }),
  fc.constantFrom<Json>([], {}, ['x'], { constant: '5ms' }, { uniform: { min: 3, max: 1 } }, { lognormal: { median: '20ms', p99: '10ms' } }, 'node1/app-1', 'node9', 'affinity', 'break'),
);

type Mutation = (document: Json, pick: (paths: Path[]) => Path) => Json;
interface LabelledMutation {
  label: string;
  mutate: Mutation;
}

const isDuration = (value: Json | undefined) => typeof value === 'string' && /^\d+(\.\d+)?(us|ms|s|m|h)$/.test(value);
const isRate = (value: Json | undefined) => typeof value === 'string' && /^\d+(\.\d+)?\/[smh]$/.test(value);
const isNumber = (value: Json | undefined) => typeof value === 'number';

/** Replaces a value of one kind (a duration, a rate, a number) by another of the same kind: the file often stays valid and runs. */
function replaceOfKind(kind: string, matches: (value: Json | undefined) => boolean, values: fc.Arbitrary<Json>): fc.Arbitrary<LabelledMutation> {
  return values.map((value) => ({
    label: `replace a ${kind} with ${JSON.stringify(value)}`,
    mutate: (document, pick) => {
      const matching = pathsOf(document).filter((path) => matches(getAt(document, path)));
      return matching.length === 0 ? document : setAt(document, pick(matching), value);
    },
  }));
}

const mutation: fc.Arbitrary<LabelledMutation> = fc.oneof(
  { weight: 3, arbitrary: replaceOfKind('number', isNumber, numbers) },
  { weight: 2, arbitrary: replaceOfKind('duration', isDuration, durations) },
  { weight: 2, arbitrary: replaceOfKind('rate', isRate, rates) },
  {
    weight: 1,
    arbitrary: fc.constant<LabelledMutation>({ label: 'delete a key', mutate: (document, pick) => setAt(document, pick(pathsOf(document).filter((path) => path.length > 0)), undefined) }),
  },
  { weight: 1, arbitrary: anyValue.map<LabelledMutation>((value) => ({ label: `set ${JSON.stringify(value)}`, mutate: (document, pick) => setAt(document, pick(pathsOf(document)), value) })) },
  {
    weight: 1,
    arbitrary: fc.constant<LabelledMutation>({
      label: 'swap two values',
      mutate: (document, pick) => {
        const leaves = pathsOf(document).filter((path) => path.length > 0);
        const [a, b] = [pick(leaves), pick(leaves)];
        const [valueA, valueB] = [structuredClone(getAt(document, a)), structuredClone(getAt(document, b))];
        if (valueA === undefined || valueB === undefined) return document;
        return setAt(setAt(document, a, valueB), b, valueA);
      },
    }),
  },
  {
    weight: 1,
    arbitrary: fc.tuple(fc.string({ minLength: 1, maxLength: 10 }), anyValue).map<LabelledMutation>(([key, value]) => ({
      label: `add key ${key}`,
      mutate: (document, pick) => {
        const mappings = pathsOf(document).filter((path) => {
          const found = getAt(document, path);
          return found !== null && typeof found === 'object' && !Array.isArray(found);
        });
        return setAt(document, [...pick(mappings), key], value);
      },
    })),
  },
);

/** Runs a scenario briefly: short virtual time and a small event budget keep thousands of runs fast. */
function runBriefly(text: string): 'ran' | 'refused' {
  try {
    const loaded = parseScenario(text, 'mutated.yaml');
    const scenario = loaded.scenario;
    scenario.duration = Math.min(scenario.duration, 2_000_000);
    scenario.limits = { ...scenario.limits, maxEvents: Math.min(scenario.limits.maxEvents, 3_000) };
    if (scenario.cluster.nodes.count * scenario.cluster.nodes.servers > 2_000) return 'refused';
    runScenario(loaded);
    return 'ran';
  } catch (error) {
    if (error instanceof ScenarioError) return 'refused';
    throw error;
  }
}

describe('any scenario file either runs or is refused with a ScenarioError', () => {
  it('mutated shipped scenarios', () => {
    const outcomes = { ran: 0, refused: 0 };
    fc.assert(
      fc.property(fc.constantFrom(...shipped), fc.array(mutation, { minLength: 1, maxLength: 3 }), fc.infiniteStream(fc.nat()), (text, mutations, choices) => {
        const pick = (paths: Path[]) => paths[choices.next().value % paths.length] ?? [];
        let document = parse(text) as Json;
        for (const { mutate } of mutations) document = mutate(document, pick);
        outcomes[runBriefly(stringify(document))]++;
      }),
      { numRuns: 2_000, seed: 20251123 },
    );
    // Both outcomes occur: the mutations neither always break nor never break a file.
    expect(outcomes.ran).toBeGreaterThan(100);
    expect(outcomes.refused).toBeGreaterThan(100);
  });

  it('text with bytes deleted, inserted or replaced', () => {
    fc.assert(
      fc.property(fc.constantFrom(...shipped), fc.nat(), fc.nat(20), fc.string({ maxLength: 8 }), (text, start, length, inserted) => {
        const at = start % (text.length + 1);
        runBriefly(`${text.slice(0, at)}${inserted}${text.slice(at + length)}`);
      }),
      { numRuns: 500, seed: 20251124 },
    );
  });
});
