import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isMap, isScalar, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { z } from 'zod';
import { scenarioSchema, type Scenario } from './schema.js';

/** One problem in a scenario file, at a place a person can find. */
export interface ScenarioProblem {
  file: string;
  line: number;
  column: number;
  /** Path in the document, e.g. `workload.http.rate`. */
  path: string;
  message: string;
}

/** A scenario file that cannot be run. The CLI prints it and exits with code 2. */
export class ScenarioError extends Error {
  constructor(readonly problems: readonly ScenarioProblem[]) {
    super(problems.map(formatProblem).join('\n'));
  }
}

export function formatProblem(problem: ScenarioProblem): string {
  const where = problem.path === '' ? '' : ` at ${problem.path}`;
  return `${problem.file}:${problem.line}:${problem.column}: ${problem.message}${where}`;
}

export interface LoadedScenario {
  scenario: Scenario;
  file: string;
  /** SHA-256 of the file's bytes: part of what reproduces a run. */
  hash: string;
  /** Builds a problem located at a path of the document (for checks made after parsing). */
  problemAt(path: readonly (string | number)[], message: string): ScenarioProblem;
}

export function loadScenarioFile(file: string): LoadedScenario {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String((error as Error).message);
    throw new ScenarioError([{ file, line: 0, column: 0, path: '', message: `cannot read the scenario: ${reason}` }]);
  }
  return parseScenario(text, file);
}

export function parseScenario(text: string, file = '<scenario>'): LoadedScenario {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number) => {
    const position = lineCounter.linePos(offset);
    return { line: position.line, column: position.col };
  };
  if (document.errors.length > 0) {
    throw new ScenarioError(
      document.errors.map((error) => ({ file, ...at(error.pos[0]), path: '', message: `YAML: ${error.message.split('\n')[0]}` })),
    );
  }
  const raw: unknown = document.toJS();
  const result = scenarioSchema.safeParse(raw, { reportInput: true });
  if (!result.success) {
    throw new ScenarioError(result.error.issues.map((issue) => describeIssue(issue, document, file, at)));
  }
  const hash = createHash('sha256').update(text).digest('hex');
  const problemAt = (path: readonly (string | number)[], message: string): ScenarioProblem => ({
    file,
    ...at(nodeAt(document, path)?.range?.[0] ?? 0),
    path: path.join('.'),
    message,
  });
  return { scenario: result.data, file, hash, problemAt };
}

type Issue = z.core.$ZodIssue;

function describeIssue(
  issue: Issue,
  document: Document,
  file: string,
  at: (offset: number) => { line: number; column: number },
): ScenarioProblem {
  const path = issue.path.map((key) => (typeof key === 'symbol' ? String(key) : key));
  let node = nodeAt(document, path);
  let message = issue.message;
  let shownPath = path;
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0]!;
    const known = knownKeys(issue, path);
    const suggestion = nearest(key, known);
    message = `unknown key "${key}"${suggestion === undefined ? '' : ` (did you mean "${suggestion}"?)`}`;
    shownPath = [...path, key];
    const keyNode = keyNodeAt(node, key);
    if (keyNode !== undefined) node = keyNode;
  } else if (issue.code === 'invalid_type') {
    message = `expected ${issue.expected}${issue.input === undefined ? ', but it is missing' : `, got ${describeValue(issue.input)}`}`;
  }
  const offset = node?.range?.[0] ?? 0;
  return { file, ...at(offset), path: shownPath.join('.'), message };
}

function nodeAt(document: Document, path: readonly (string | number)[]): Node | undefined {
  // The deepest node that exists on the path: a missing key is reported at its parent.
  for (let depth = path.length; depth >= 0; depth--) {
    const node = document.getIn(path.slice(0, depth), true);
    if (node !== undefined && node !== null && typeof node === 'object' && 'range' in node) return node as Node;
  }
  return document.contents ?? undefined;
}

function keyNodeAt(node: Node | undefined, key: string): Node | undefined {
  if (!isMap(node)) return undefined;
  for (const pair of node.items) {
    if (isScalar(pair.key) && pair.key.value === key) return pair.key;
  }
  return undefined;
}

function knownKeys(issue: Issue, path: readonly (string | number)[]): string[] {
  let schema: unknown = scenarioSchema;
  for (const key of path) {
    schema = childSchema(schema, key);
    if (schema === undefined) return [];
  }
  const shape = objectShape(schema);
  return shape === undefined ? [] : Object.keys(shape).filter((key) => !(issue.code === 'unrecognized_keys' && issue.keys.includes(key)));
}

// Walks the zod definition through wrappers (default, optional, pipe, array) to the child at `key`.
function childSchema(schema: unknown, key: string | number): unknown {
  const inner = unwrap(schema);
  const definition = (inner as { def?: { type?: string; element?: unknown } } | undefined)?.def;
  if (typeof key === 'number') return definition?.type === 'array' ? definition.element : undefined;
  return objectShape(inner)?.[key];
}

function objectShape(schema: unknown): Record<string, unknown> | undefined {
  const inner = unwrap(schema) as { def?: { type?: string; shape?: Record<string, unknown> } } | undefined;
  return inner?.def?.type === 'object' ? inner.def.shape : undefined;
}

function unwrap(schema: unknown): unknown {
  let current = schema as { def?: { type?: string; innerType?: unknown; in?: unknown; options?: unknown[] } } | undefined;
  for (let guard = 0; guard < 20 && current?.def !== undefined; guard++) {
    const definition = current.def;
    if (definition.innerType !== undefined) current = definition.innerType as typeof current;
    else if (definition.type === 'pipe') current = definition.in as typeof current;
    else if (definition.type === 'union' && Array.isArray(definition.options)) {
      const objectOption = definition.options.find((option) => (option as typeof current)?.def?.type === 'object');
      if (objectOption === undefined) break;
      current = objectOption as typeof current;
    } else break;
  }
  return current;
}

/** The known key closest to a misspelt one, if it is close enough to be a likely typo. */
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

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${JSON.stringify(value)}`;
}
