import { isMap, isSeq, parseDocument, type Document } from 'yaml';
import { parseScenario, ScenarioError, type LoadedScenario, type ScenarioProblem } from '../scenario/load.js';

/** A change to a scenario document: a value set at a path, or a whole overlay document merged in. */
export type Change =
  | { kind: 'set'; path: readonly (string | number)[]; value: unknown; origin: string }
  | { kind: 'overlay'; document: unknown; origin: string };

/** A scenario with changes applied: its text, which runs and reproduces like any scenario file. */
export interface Variant {
  text: string;
  /** The file the variant came from, with what was changed, for messages. */
  label: string;
  loaded: LoadedScenario;
}

/**
 * Applies changes to a scenario's YAML text and validates the result with the one schema, so
 * that a bad value gets the same message as in a file: `cluster.nodes.count=0` reports
 * "Too small ... at cluster.nodes.count (set by cluster.nodes.count=0)". Edits keep the rest of
 * the document's layout, so positions of untouched lines stay those of the original file.
 */
export function applyChanges(text: string, file: string, changes: readonly Change[]): Variant {
  const document = parseDocument(text, { uniqueKeys: true });
  if (document.errors.length > 0) return { text, label: file, loaded: parseScenario(text, file) }; // parseScenario reports them
  const origins: { path: string; origin: string }[] = [];
  for (const change of changes) {
    if (change.kind === 'set') {
      setAt(document, change.path, change.value, change.origin, file);
      origins.push({ path: change.path.join('.'), origin: change.origin });
    } else {
      for (const path of mergeInto(document, [], change.document, change.origin, file)) origins.push({ path, origin: change.origin });
    }
  }
  const changedText = document.toString({ lineWidth: 0 });
  const label = changes.length === 0 ? file : `${file} (${changes.map((change) => change.origin).join(', ')})`;
  try {
    return { text: changedText, label, loaded: parseScenario(changedText, file) };
  } catch (error) {
    if (!(error instanceof ScenarioError)) throw error;
    throw new ScenarioError(error.problems.map((problem) => attribute(problem, origins)));
  }
}

/** Deep merge: mappings merge key by key; anything else (a list, a value) replaces; null deletes. */
function mergeInto(document: Document, path: (string | number)[], overlay: unknown, origin: string, file: string): string[] {
  if (overlay !== null && typeof overlay === 'object' && !Array.isArray(overlay)) {
    const existing = path.length === 0 ? document.contents : document.getIn(path, true);
    if (path.length === 0 || isMap(existing)) {
      return Object.entries(overlay as Record<string, unknown>).flatMap(([key, value]) => mergeInto(document, [...path, key], value, origin, file));
    }
  }
  if (overlay === null) {
    document.deleteIn(path);
    return [path.join('.')];
  }
  setAt(document, path, overlay, origin, file);
  return [path.join('.')];
}

function setAt(document: Document, path: readonly (string | number)[], value: unknown, origin: string, file: string): void {
  // yaml creates missing mappings on the way, but cannot step through a scalar or past a list's end.
  for (let depth = 1; depth < path.length; depth++) {
    const parent = document.getIn(path.slice(0, depth), true);
    if (parent !== undefined && !isMap(parent) && !isSeq(parent)) {
      throw problem(file, `cannot set ${path.join('.')}: ${path.slice(0, depth).join('.')} is a value, not a mapping or a list (${origin})`);
    }
    if (isSeq(parent) && typeof path[depth] !== 'number') {
      throw problem(file, `cannot set ${path.join('.')}: ${path.slice(0, depth).join('.')} is a list, index it with a number (${origin})`);
    }
    // An index names an item of the list, or the place just past its end (a new last item).
    const index = path[depth];
    const items = isSeq(parent) ? parent.items.length : 0;
    const lastStep = depth === path.length - 1;
    if (typeof index === 'number' && (isSeq(parent) || parent === undefined) && (lastStep ? index > items : index >= items)) {
      const has = parent === undefined ? 'does not exist' : `has ${items} item${items === 1 ? '' : 's'}`;
      throw problem(file, `cannot set ${path.join('.')}: ${path.slice(0, depth).join('.')} ${has} (${origin})`);
    }
  }
  document.setIn(path, document.createNode(value));
}

function problem(file: string, message: string): ScenarioError {
  return new ScenarioError([{ file, line: 0, column: 0, path: '', message }]);
}

/** Names the change that a problem comes from, when its path lies inside a changed one. */
function attribute(problem: ScenarioProblem, origins: readonly { path: string; origin: string }[]): ScenarioProblem {
  const source = [...origins].reverse().find(({ path }) => problem.path === path || problem.path.startsWith(`${path}.`) || path.startsWith(`${problem.path}.`));
  return source === undefined ? problem : { ...problem, message: `${problem.message} (set by ${source.origin})` };
}
