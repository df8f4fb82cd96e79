// A worker thread of an experiment: loads the TypeScript sources through tsx, like bin/clustersim.mjs.
import { register } from 'tsx/esm/api';

register();
const { runJob } = await import('./run-job.ts');

export default runJob;
