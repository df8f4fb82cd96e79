#!/usr/bin/env node
// Entry point of the clustersim command: runs the compiled build in dist/, made on install
// (`npm run build`). The TypeScript sources run only under the tests and the benchmark.
let cli;
try {
  cli = await import('../dist/sim/cli/main.js');
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !String(error.message).includes('dist/sim/cli/main.js')) throw error;
  process.stderr.write('clustersim: the compiled build (dist/) is missing: run `npm run build` (or `npm ci`)\n');
  process.exit(70);
}
await cli.runCli(process.argv.slice(2));
