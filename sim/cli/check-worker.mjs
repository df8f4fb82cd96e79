// A worker thread of `clustersim check`: runs the scenarios the pool hands it, one at a time.
import { importModule } from '../import-module.mjs';

const { checkScenarioWithPolicy } = await importModule('../run/check-scenario', import.meta.url);

export default checkScenarioWithPolicy;
