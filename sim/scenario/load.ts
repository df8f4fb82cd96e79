import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { isMap, isScalar, LineCounter, parseDocument, visit, type Document, type ErrorCode, type Node } from 'yaml';
import { describeIssues, type DescribedIssue } from './issues.js';
import { scenarioSchema, type Scenario } from './schema.js';
import { ScenarioError, type ScenarioProblem } from './scenario-error.js';
import { checkSemantics } from './semantics.js';

export { ScenarioError, formatProblem, type ScenarioProblem } from './scenario-error.js';

export interface LoadedScenario {
  scenario: Scenario;
  file: string;
  /** SHA-256 of the file's bytes: part of what reproduces a run. */
  hash: string;
  /** Builds a problem located at a path of the document (for checks made after parsing). */
  problemAt(path: readonly (string | number)[], message: string): ScenarioProblem;
}

// Scenario files are short; a huge file is a mistake (a log, a binary), not a scenario.
const maxScenarioBytes = 4 * 1024 * 1024;

export function loadScenarioFile(file: string): LoadedScenario {
  const bytes = readScenarioBytes(file);
  return parseScenario(decodeUtf8(bytes, file), file, createHash('sha256').update(bytes).digest('hex'));
}

/** A scenario's text, read as `run` reads it: a regular file, bounded, UTF-8, every failure a ScenarioError. */
export function readScenarioText(file: string): string {
  return decodeUtf8(readScenarioBytes(file), file);
}

function readScenarioBytes(file: string): Buffer {
  const fileProblem = (message: string) => new ScenarioError([{ file, line: 0, column: 0, path: '', message }]);
  let bytes: Buffer;
  try {
    // stat, not open: opening a FIFO with no writer would block for ever.
    const stats = statSync(file);
    if (stats.isDirectory()) throw fileProblem('is a directory: give a scenario file (YAML)');
    if (!stats.isFile()) throw fileProblem('is not a regular file (a device, pipe or socket): save the scenario to a file');
    bytes = readBounded(file, fileProblem);
  } catch (error) {
    if (error instanceof ScenarioError) throw error;
    throw fileProblem(`cannot read the scenario: ${readFailure(error as NodeJS.ErrnoException)}`);
  }
  return bytes;
}

/** Reads at most the cap and one byte more, whatever size the file claims (it may grow while read). */
function readBounded(file: string, fileProblem: (message: string) => ScenarioError): Buffer {
  const descriptor = openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(maxScenarioBytes + 1);
    let length = 0;
    for (;;) {
      const read = readSync(descriptor, buffer, length, buffer.length - length, null);
      if (read === 0) break;
      length += read;
      if (length > maxScenarioBytes) throw fileProblem(`is more than ${maxScenarioBytes / 1024 / 1024} MB: a scenario file is at most that`);
    }
    return buffer.subarray(0, length);
  } finally {
    closeSync(descriptor);
  }
}

/** A scenario is UTF-8 text: invalid bytes are refused at their line and column, not replaced. */
function decodeUtf8(bytes: Buffer, file: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const valid = validUtf8Prefix(bytes);
    const before = bytes.subarray(0, valid).toString('utf8').split('\n');
    throw new ScenarioError([{ file, line: before.length, column: before.at(-1)!.length + 1, path: '', message: `invalid UTF-8 (byte 0x${bytes[valid]!.toString(16).padStart(2, '0')} at byte offset ${valid}): a scenario file is UTF-8 text` }]);
  }
}

function validUtf8Prefix(bytes: Buffer): number {
  let low = 0;
  let high = bytes.length;
  const valid = (end: number) => {
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, end), { stream: true });
      return true;
    } catch {
      return false;
    }
  };
  // The longest prefix that decodes (a cut inside a character is fine in streaming mode).
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (valid(middle)) low = middle;
    else high = middle - 1;
  }
  return low;
}

function readFailure(error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'it is a directory';
    case 'ENOTDIR':
      return 'a part of the path is a file, not a directory';
    default:
      return error.code ?? error.message;
  }
}

/** `hash`: SHA-256 of the file's bytes; of the text's UTF-8 when the scenario comes as text. */
export function parseScenario(text: string, file = '<scenario>', hash = createHash('sha256').update(text).digest('hex')): LoadedScenario {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number) => {
    const position = lineCounter.linePos(offset);
    return { line: position.line, column: position.col };
  };
  if (document.errors.length > 0) {
    throw new ScenarioError(document.errors.map((error) => ({ file, ...at(error.pos[0]), path: '', message: yamlMessage(error.code, error.message) })));
  }
  // A `__proto__` key would become the prototype of its mapping: keys inherited from it would
  // slip past the check for unknown keys.
  const prototypeKeys: ScenarioProblem[] = [];
  visit(document, {
    Pair(_, pair) {
      if (isScalar(pair.key) && pair.key.value === '__proto__') prototypeKeys.push({ file, ...at(pair.key.range?.[0] ?? 0), path: '', message: 'unknown key "__proto__"' });
    },
  });
  if (prototypeKeys.length > 0) throw new ScenarioError(prototypeKeys);
  let raw: unknown;
  try {
    raw = document.toJS({ maxAliasCount: 100 });
  } catch (error) {
    // yaml refuses alias bombs and the like while building the value.
    throw new ScenarioError([{ file, line: 1, column: 1, path: '', message: `YAML: ${(error as Error).message.split('\n')[0]}` }]);
  }
  const problemAt = (path: readonly (string | number)[], message: string): ScenarioProblem => ({
    file,
    ...at(nodeAt(document, path)?.range?.[0] ?? 0),
    path: path.join('.'),
    message,
  });
  const result = scenarioSchema.safeParse(raw, { reportInput: true });
  if (!result.success) {
    throw new ScenarioError(byPlace(describeIssues(result.error.issues, raw).map((issue) => locate(issue, document, file, at))));
  }
  const loaded: LoadedScenario = { scenario: result.data, file, hash, problemAt };
  const problems = checkSemantics(loaded);
  if (problems.length > 0) throw new ScenarioError(byPlace(problems));
  return loaded;
}

function yamlMessage(code: ErrorCode, message: string): string {
  if (code === 'MULTIPLE_DOCS') return 'YAML: a scenario file holds one document; remove the "---" that starts a second one';
  return `YAML: ${message.split('\n')[0]}`;
}

function locate(issue: DescribedIssue, document: Document, file: string, at: (offset: number) => { line: number; column: number }): ScenarioProblem {
  const key = issue.path[issue.path.length - 1];
  let node: Node | undefined;
  if (issue.atKey && typeof key === 'string') node = keyNodeAt(nodeAt(document, issue.path.slice(0, -1)), key);
  // A missing key is reported where its mapping is named.
  else if (issue.missing && issue.path.length >= 2) node = keyNodeAt(nodeAt(document, issue.path.slice(0, -2)), String(issue.path[issue.path.length - 2]));
  node ??= nodeAt(document, issue.path);
  return { file, ...at(node?.range?.[0] ?? 0), path: issue.path.join('.'), message: issue.message };
}

function byPlace(problems: ScenarioProblem[]): ScenarioProblem[] {
  return problems.sort((a, b) => a.line - b.line || a.column - b.column);
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
    if (isScalar(pair.key) && String(pair.key.value) === key) return pair.key;
  }
  return undefined;
}
