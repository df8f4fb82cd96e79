/** One figure of `npm run bench`: its value, and its baseline and target when it has them. */
export interface Figure {
  name: string;
  value: number;
  unit: string;
  /** Ratio against the baseline measured in the same run, when there is one. */
  ratio?: number;
  target?: string;
  /** Whether the figure meets its target, for the targets the benchmark can judge itself. */
  pass?: boolean;
  note?: string;
}
