// A worker thread of an experiment (sweep, compare): runs the jobs the pool hands it.
import { importModule } from '../import-module.mjs';

const { runJob } = await importModule('./run-job', import.meta.url);

export default runJob;
