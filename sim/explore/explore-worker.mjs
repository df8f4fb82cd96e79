// A worker thread of an exploration: runs the schedules the pool hands it.
import { importModule } from '../import-module.mjs';

const { exploreJob } = await importModule('./jobs', import.meta.url);

export default exploreJob;
