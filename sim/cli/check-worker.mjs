// A worker thread of `clustersim check`: loads the TypeScript sources through tsx, then runs
// the scenarios the pool hands it, one at a time.
import { register } from 'tsx/esm/api';

register();
const { checkScenario } = await import('../run/check-scenario.ts');

export default checkScenario;
