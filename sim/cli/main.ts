import { Command, CommanderError } from 'commander';
import { OutputError } from '../../reports/write.js';
import { ScenarioError } from '../scenario/scenario-error.js';
import { registerCheckCommand } from './commands/check.js';
import { registerCompareCommand } from './commands/compare.js';
import { registerHostCommand } from './commands/host.js';
import { registerPolicyCheckCommand } from './commands/policy-check.js';
import { registerRunCommand } from './commands/run.js';
import { registerSchemaCommand } from './commands/schema.js';
import { registerSweepCommand } from './commands/sweep.js';
import { DistributedRunError } from './distributed-run.js';
import { exitCodes } from './exit-codes.js';

/** Parses the command line and runs one command; returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  let exitCode: number = exitCodes.pass;
  const setResult = (code: number) => {
    exitCode = code;
  };
  const program = new Command()
    .name('clustersim')
    .description('Cluster simulator and test harness for routing, failover and maintenance mode')
    .version('0.1.0')
    .showHelpAfterError('(clustersim --help lists the commands and options)')
    .exitOverride();
  // One module per command. Each loads what it runs only when it runs: `--version` and `--help`
  // load commander and these registrations, not the simulator.
  registerRunCommand(program, setResult);
  registerCheckCommand(program, setResult);
  registerSchemaCommand(program, setResult);
  registerSweepCommand(program, setResult);
  registerCompareCommand(program, setResult);
  registerHostCommand(program, setResult);
  registerPolicyCheckCommand(program, setResult);
  (await import('./commands/explore.js')).registerExploreCommand(program, setResult);
  (await import('./commands/merge.js')).registerMergeCommand(program, setResult);

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : exitCodes.usage;
    throw error;
  }
  return exitCode;
}

/** Runs the CLI: known errors become a message and exit code 2, never a stack trace. */
export async function runCli(argv: readonly string[]): Promise<void> {
  // A reader that stops early (`clustersim schema | head`) is not an error of ours.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
  try {
    process.exitCode = await main(argv);
  } catch (error) {
    if (error instanceof ScenarioError || error instanceof OutputError || error instanceof DistributedRunError) {
      process.stderr.write(`clustersim: ${error.message}\n`);
      process.exitCode = exitCodes.usage;
      return;
    }
    // Not the user's doing: a bug. The stack trace is for its report; the code keeps it apart from a failed expectation.
    process.stderr.write(`clustersim: internal error, please report it with the scenario and seed:\n${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = exitCodes.internal;
  }
}
