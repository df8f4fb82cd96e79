/**
 * `npm run profile`: runs the mixed showcase scenario (the quickstart when it is absent) under
 * clinic flame, so the hot spots show in a flame graph.
 */
import { existsSync } from 'node:fs';
import { runScenario } from '../sim/run/run.js';
import { loadScenarioFile } from '../sim/scenario/load.js';

const file = process.argv[2] ?? (existsSync('scenarios/showcase.yaml') ? 'scenarios/showcase.yaml' : 'scenarios/quickstart.yaml');
const result = runScenario(loadScenarioFile(file));
console.log(`${file}: ${result.eventsProcessed} events`);
