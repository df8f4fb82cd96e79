import type { z } from 'zod';
import { arrivalRateSchema, countDistributionSchema, durationDistributionSchema, durationSchema, rateSchema, scenarioSchema } from './schema.js';

/** A schema problem in words a person understands, at a path of the document. */
export interface DescribedIssue {
  path: (string | number)[];
  message: string;
  /** Locate the problem at the key itself (an unknown key), not at its value. */
  atKey: boolean;
  /** The key is absent from the document: locate the problem at its parent. */
  missing: boolean;
}

type Issue = z.core.$ZodIssue;
type Path = readonly (string | number)[];

/** Turns zod's issues into messages that say what was expected and what was found. */
export function describeIssues(issues: readonly Issue[], input: unknown): DescribedIssue[] {
  // A mapping with an unknown key also fails its own checks ("give exactly one of ..."): the
  // unknown key is the cause, so only it is reported.
  const withUnknownKeys = new Set(issues.filter((issue) => issue.code === 'unrecognized_keys').map((issue) => issue.path.join('.')));
  return issues
    .filter((issue) => !(issue.code === 'custom' && withUnknownKeys.has(issue.path.join('.'))))
    .filter((issue, index) => !isLooserBound(issue, index, issues))
    .flatMap((issue) => describeIssue(issue, [], input));
}

/**
 * A number over two upper bounds (an integer's safe range and the field's own maximum) fails
 * both: only the tighter one is worth saying, or the message contradicts itself.
 */
function isLooserBound(issue: Issue, index: number, issues: readonly Issue[]): boolean {
  if (issue.code !== 'too_big' && issue.code !== 'too_small') return false;
  const key = issue.path.join('.');
  return issues.some((other, at) => {
    if (at === index || other.code !== issue.code || other.path.join('.') !== key) return false;
    const bound = (each: Issue) => Number((each as { maximum?: unknown; minimum?: unknown })[issue.code === 'too_big' ? 'maximum' : 'minimum']);
    return issue.code === 'too_big' ? bound(other) < bound(issue) : bound(other) > bound(issue);
  });
}

function describeIssue(issue: Issue, prefix: Path, input: unknown): DescribedIssue[] {
  const path = [...prefix, ...issue.path.map((key) => (typeof key === 'symbol' ? String(key) : key))];
  // A value that the schema rewrote before checking it (400/s read as { constant: 400/s }) is
  // reported where the user wrote it, not at a key the file does not have.
  while (path.length > 0 && !isCollection(valueAt(input, path.slice(0, -1)))) path.pop();
  const value = valueAt(input, path);
  const missing = value === undefined && !hasPath(input, path);
  const at = (message: string): DescribedIssue[] => [{ path, message, atKey: false, missing }];
  switch (issue.code) {
    case 'unrecognized_keys': {
      const known = knownKeys(path).filter((key) => !issue.keys.includes(key));
      return issue.keys.map((key) => {
        const suggestion = nearest(key, known);
        const hint = suggestion !== undefined ? ` (did you mean "${suggestion}"?)` : known.length > 0 ? ` (known keys: ${known.join(', ')})` : '';
        return { path: [...path, key], message: `unknown key "${key}"${hint}`, atKey: true, missing: false };
      });
    }
    case 'invalid_type': {
      const expected = expectedAt(path) ?? typePhrase(issue.expected);
      if (path.length === 0 && (value === undefined || value === null)) return at(`the scenario is empty: expected a mapping with ${requiredKeys().join(', ')}`);
      if (missing) return at(`missing key "${String(path[path.length - 1])}": expected ${expected}`);
      return at(`expected ${expected}, got ${describeValue(value)}`);
    }
    case 'invalid_value': {
      const options = issue.values.map((option) => JSON.stringify(option));
      const choice = options.length === 1 ? options[0]! : `one of ${options.join(', ')}`;
      if (missing) return at(`missing key "${String(path[path.length - 1])}": expected ${choice}`);
      const suggestion = typeof value === 'string' ? nearest(value, issue.values.filter((option): option is string => typeof option === 'string')) : undefined;
      return at(`expected ${choice}, got ${describeValue(value)}${suggestion !== undefined ? ` (did you mean "${suggestion}"?)` : ''}`);
    }
    case 'too_small':
    case 'too_big':
      return at(boundMessage(issue, value));
    case 'not_multiple_of':
      return at(`must be a multiple of ${String(issue.divisor)}, got ${describeValue(value)}`);
    case 'invalid_format':
      return at(`${issue.message}, got ${describeValue(value)}`);
    case 'invalid_union': {
      const branch = likelyBranch(issue);
      if (branch !== undefined) return branch.flatMap((inner) => describeIssue(inner, path, input));
      const expected = expectedAt(path) ?? 'another form';
      return at(missing ? `missing key "${String(path[path.length - 1])}": expected ${expected}` : `expected ${expected}, got ${describeValue(value)}`);
    }
    case 'invalid_key':
    case 'invalid_element':
      return issue.issues.flatMap((inner) => describeIssue(inner, path, input));
    case 'custom':
      return at(issue.message);
  }
}

function boundMessage(issue: z.core.$ZodIssueTooSmall | z.core.$ZodIssueTooBig, value: unknown): string {
  const small = issue.code === 'too_small';
  const bound = Number(small ? issue.minimum : issue.maximum);
  const inclusive = issue.inclusive !== false;
  if (issue.origin === 'array' || issue.origin === 'set') {
    const count = Array.isArray(value) ? value.length : 0;
    return `${small ? 'needs at least' : 'may have at most'} ${inclusive ? bound : small ? bound + 1 : bound - 1} item${bound === 1 ? '' : 's'}, has ${count}`;
  }
  if (issue.origin === 'string') return `${small ? 'needs at least' : 'may have at most'} ${bound} characters`;
  const relation = small ? (inclusive ? 'at least' : 'more than') : inclusive ? 'at most' : 'less than';
  return `must be ${relation} ${bound.toLocaleString('en-US')}, got ${describeValue(value)}`;
}

// A union's options that failed only because the value has another type are not what the user
// meant; if exactly one option is left, its problems are the useful ones.
function likelyBranch(issue: z.core.$ZodIssueInvalidUnion): Issue[] | undefined {
  const plausible = issue.errors.filter((branch) => !(branch.length === 1 && branch[0]!.code === 'invalid_type' && branch[0]!.path.length === 0));
  return plausible.length === 1 ? plausible[0] : undefined;
}

// Phrases for the value kinds of the scenario format. Compared by definition: `.describe()` and
// `.default()` make new schema objects around the same definition.
const kindPhrases: readonly [unknown, string][] = [
  [durationSchema.def, 'a duration with a unit (us, ms, s, m or h), e.g. 250ms or 5m'],
  [rateSchema.def, 'a rate with a unit (/s, /m or /h), e.g. 400/s'],
  [arrivalRateSchema.def, 'a rate with a unit (/s, /m or /h), e.g. 400/s, or { steps: [{ at: 0s, rate: 100/s }, ...] }'],
  [durationDistributionSchema.def, 'a distribution, e.g. { exponential: 3s } or { uniform: { min: 1ms, max: 9ms } }'],
  [countDistributionSchema.def, 'a distribution of counts, e.g. { uniform: { min: 3, max: 12 } }'],
];

interface SchemaLike {
  def?: { type?: string; innerType?: unknown; in?: unknown; options?: unknown[]; element?: unknown; shape?: Record<string, unknown>; checks?: unknown[] };
}

/** What the schema expects at a path, in words, when it is more than a bare type. */
function expectedAt(path: Path): string | undefined {
  const schema = schemaAt(path);
  return schema === undefined ? undefined : phraseOf(schema);
}

function phraseOf(schema: unknown): string | undefined {
  let current = schema as SchemaLike | undefined;
  for (let guard = 0; guard < 20 && current?.def !== undefined; guard++) {
    const definition = current.def;
    const known = kindPhrases.find(([kind]) => kind === definition);
    if (known !== undefined) return known[1];
    if (definition.type === 'union' && Array.isArray(definition.options)) {
      return definition.options.map((option) => phraseOf(option) ?? 'another form').join(', or ');
    }
    if (definition.innerType === undefined) return typePhrase(definition.type === 'number' && isInteger(current) ? 'int' : (definition.type ?? ''));
    current = definition.innerType as SchemaLike;
  }
  return undefined;
}

function isInteger(schema: SchemaLike): boolean {
  return (schema as { isInt?: boolean }).isInt === true;
}

function typePhrase(type: string): string {
  const phrases: Record<string, string> = {
    number: 'a number',
    int: 'a whole number',
    string: 'text',
    boolean: 'true or false',
    object: 'a mapping (key: value)',
    array: 'a list',
    enum: 'one of the listed words',
  };
  return phrases[type] ?? type;
}

/** The schema at a path of the document, through optional, default and list wrappers. */
function schemaAt(path: Path): unknown {
  let schema: unknown = scenarioSchema;
  for (const key of path) {
    schema = childSchema(schema, key);
    if (schema === undefined) return undefined;
  }
  return schema;
}

function knownKeys(path: Path): string[] {
  const shape = objectShape(schemaAt(path));
  return shape === undefined ? [] : Object.keys(shape);
}

function requiredKeys(): string[] {
  return Object.entries(objectShape(scenarioSchema) ?? {})
    .filter(([, schema]) => (schema as { def?: { type?: string } }).def?.type !== 'optional' && (schema as { def?: { type?: string } }).def?.type !== 'default')
    .map(([key]) => key);
}

function childSchema(schema: unknown, key: string | number): unknown {
  const inner = unwrap(schema);
  const definition = (inner as SchemaLike | undefined)?.def;
  if (typeof key === 'number') return definition?.type === 'array' ? definition.element : undefined;
  return objectShape(inner)?.[key];
}

function objectShape(schema: unknown): Record<string, unknown> | undefined {
  const inner = unwrap(schema) as SchemaLike | undefined;
  return inner?.def?.type === 'object' ? inner.def.shape : undefined;
}

// Through default, optional and pipe wrappers, and into the mapping option of a union.
function unwrap(schema: unknown): unknown {
  let current = schema as SchemaLike | undefined;
  for (let guard = 0; guard < 20 && current?.def !== undefined; guard++) {
    const definition = current.def;
    if (definition.innerType !== undefined) current = definition.innerType as SchemaLike;
    else if (definition.type === 'pipe') current = definition.in as SchemaLike;
    else if (definition.type === 'union' && Array.isArray(definition.options)) {
      const objectOption = definition.options.find((option) => unwrapsToObject(option));
      if (objectOption === undefined) break;
      current = objectOption as SchemaLike;
    } else break;
  }
  return current;
}

function unwrapsToObject(schema: unknown): boolean {
  return (unwrap(schema) as SchemaLike | undefined)?.def?.type === 'object';
}

/** The known word closest to a misspelt one, if it is close enough to be a likely typo. */
export function nearest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length]!;
}

export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'an empty value';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `"${value.length > 40 ? `${value.slice(0, 40)}…` : value}"`;
  return String(value);
}

function valueAt(root: unknown, path: Path): unknown {
  let current = root;
  for (const key of path) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, key)) return undefined;
    current = (current as Record<string | number, unknown>)[key];
  }
  return current;
}

function isCollection(value: unknown): boolean {
  return value !== null && typeof value === 'object';
}

function hasPath(root: unknown, path: Path): boolean {
  if (path.length === 0) return root !== undefined;
  const parent = valueAt(root, path.slice(0, -1));
  return parent !== null && typeof parent === 'object' && Object.hasOwn(parent, path[path.length - 1]!);
}
