// The package's entry: `import { loadScenario, run, compare } from 'clustersim'`. Typed end to
// end; the functions are thin layers over what the CLI's commands run.
export {
  loadScenario,
  run,
  check,
  type LoadOptions,
  type RunOptions,
  type CheckOptions,
  type RunSummary,
  type ScenarioOverlay,
} from './api/run.js';
export { compare, sweep, explore, type CompareOptions, type SweepOptions, type ExploreOptions } from './api/experiments.js';
export { LimitError, RunStoppedError } from './api/errors.js';
export { shippedScenario } from './api/shipped.js';
export {
  checkPolicyConformance,
  type ConformanceFinding,
  type ConformanceOptions,
  type ConformanceReport,
  type ConformanceRule,
} from './run/policy-conformance.js';
export { ScenarioError, formatProblem, type LoadedScenario, type ScenarioProblem } from './scenario/load.js';
export type { Scenario, ScenarioInput } from './scenario/schema.js';
export type { Summary } from '../reports/summary.js';
export type { ExpectationResult } from './run/expectations.js';
export type { ScenarioCheck } from './run/check-scenario.js';
export { CompareError, type CompareResult, type FigureComparison } from './experiments/compare.js';
export { SweepError, type SweepResult } from './experiments/sweep.js';
export type { Exploration, FailureGroup } from './explore/explore.js';
export { ExploreError } from './explore/space.js';
export { OutputError } from '../reports/output-paths.js';
export type { RoutingPolicyModule } from '../nodes/router/module-policy.js';
export type { ChooseRequest, ChooseResponse, ServerLoad } from '../gen/clustersim/v1/policy.js';
export { Protocol, RequestKind, ServerState, MaintenanceMode, type Request } from '../gen/clustersim/v1/cluster.js';
export type { RandomStream } from './kernel/random.js';
