#!/usr/bin/env node
// Entry point of the clustersim command: loads the TypeScript sources through tsx.
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import('../sim/cli/main.ts');
await runCli(process.argv.slice(2));
