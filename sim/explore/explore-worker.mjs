// A worker thread of an exploration: loads the TypeScript sources through tsx, like bin/clustersim.mjs.
import { register } from 'tsx/esm/api';

register();
const { exploreJob } = await import('./jobs.ts');

export default exploreJob;
