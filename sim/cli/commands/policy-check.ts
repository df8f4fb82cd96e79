import { InvalidArgumentError, type Command } from 'commander';
import { exitCodes, parseSeed, type CommandResult } from '../exit-codes.js';

interface PolicyCheckOptions {
  seed?: number;
  questions?: number;
}

export function registerPolicyCheckCommand(program: Command, setResult: CommandResult): void {
  program
    .command('policy-check')
    .description(
      'check a routing policy (a module, or a gRPC service) against its contract: eligible servers only, affinity kept, deterministic',
    )
    .addHelpText(
      'after',
      `
Examples:
  $ clustersim policy-check ./policies/least-loaded.ts
  $ clustersim policy-check grpc://127.0.0.1:50051 --seed 7`,
    )
    .argument('<policy>', 'a policy module (.js, .mjs, .ts, .mts) or grpc://HOST:PORT')
    .option('--seed <n>', 'seed of the questions and of the run (default 1)', parseSeed)
    .option('--questions <n>', 'questions asked directly (default 500)', parseQuestions)
    .action(async (policy: string, options: PolicyCheckOptions) => setResult(await policyCheckCommand(policy, options)));
}

function parseQuestions(value: string): number {
  const count = Number(value);
  if (!Number.isInteger(count) || count < 1 || count > 1_000_000) throw new InvalidArgumentError('a whole number from 1 to 1000000');
  return count;
}

async function policyCheckCommand(policy: string, options: PolicyCheckOptions): Promise<number> {
  const { checkPolicyConformance } = await import('../../run/policy-conformance.js');
  const report = await checkPolicyConformance(policy, options);
  process.stdout.write(
    `${policy}: ${report.passed ? 'PASS' : 'FAIL'} (${report.questions} questions and two runs of the policy-check cell, seed ${report.seed})\n`,
  );
  for (const [rule, count] of Object.entries(report.countsByRule))
    process.stdout.write(`  ${rule}: ${count === 0 ? 'ok' : `${count} finding${count === 1 ? '' : 's'}`}\n`);
  for (const finding of report.findings) process.stdout.write(`  [${finding.rule}] ${finding.detail}\n`);
  return report.passed ? exitCodes.pass : exitCodes.fail;
}
