import type { Command } from 'commander';
import { writeFileAtomically } from '../../../reports/write.js';
import { exitCodes, type CommandResult } from '../exit-codes.js';

export function registerSchemaCommand(program: Command, setResult: CommandResult): void {
  program
    .command('schema')
    .description('print the JSON Schema of scenario files (for editors), or write it to a file')
    .addHelpText('after', '\nExample:\n  $ clustersim schema --out scenarios/scenario.schema.json')
    .option('--out <file>', 'write it to this file instead of printing it')
    .action(async (options: { out?: string }) => {
      const { scenarioJsonSchema } = await import('../../scenario/json-schema.js');
      if (options.out === undefined) process.stdout.write(scenarioJsonSchema());
      else writeFileAtomically(options.out, scenarioJsonSchema());
      setResult(exitCodes.pass);
    });
}
