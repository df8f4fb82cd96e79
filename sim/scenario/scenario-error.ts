// Kept apart from the loader (YAML, zod) so that the CLI can recognise the error without loading them.

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
  const place = problem.line === 0 ? problem.file : `${problem.file}:${problem.line}:${problem.column}`;
  return `${place}: ${problem.message}${where}`;
}
