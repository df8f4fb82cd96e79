import type { Command } from 'commander';
import type { TlsFiles } from '../../distributed/host-server.js';
import { exitCodes, type CommandResult } from '../exit-codes.js';
import { firstTlsFileProblem } from '../tls-files.js';

interface HostOptions {
  listen: string;
  tlsCert?: string;
  tlsKey?: string;
  tlsClientCa?: string;
  exitWithStdin?: boolean;
  quiet?: boolean;
}

export function registerHostCommand(program: Command, setResult: CommandResult): void {
  program
    .command('host')
    .description('serve as a node host: hold a share of the actors of runs started with `clustersim run --hosts`')
    .addHelpText(
      'after',
      `
Examples:
  $ clustersim host --listen 127.0.0.1:7001 &
  $ clustersim run scenarios/quickstart.yaml --hosts 127.0.0.1:7001,127.0.0.1:7002`,
    )
    .option('--listen <host:port>', 'address to listen on (loopback unless told otherwise; port 0 picks a free one)', '127.0.0.1:7878')
    .option('--tls-cert <file>', 'PEM certificate chain: serve over TLS (with --tls-key)')
    .option('--tls-key <file>', 'PEM private key of the certificate')
    .option('--tls-client-ca <file>', "PEM authority that must have signed the clients' certificates")
    .option('--quiet', 'log nothing but refusals')
    .option('--exit-with-stdin', 'exit when standard input closes (for hosts started by `run --spawn-hosts`)')
    .action(async (options: HostOptions) => setResult(await hostCommand(options)));
}

async function hostCommand(options: HostOptions): Promise<number> {
  if ((options.tlsCert === undefined) !== (options.tlsKey === undefined)) {
    process.stderr.write('clustersim: give both --tls-cert and --tls-key, or neither\n');
    return exitCodes.usage;
  }
  const problem = firstTlsFileProblem({ '--tls-cert': options.tlsCert, '--tls-key': options.tlsKey, '--tls-client-ca': options.tlsClientCa });
  if (problem !== undefined) {
    process.stderr.write(`clustersim: ${problem}\n`);
    return exitCodes.usage;
  }
  let tls: TlsFiles | undefined;
  if (options.tlsCert !== undefined && options.tlsKey !== undefined) {
    tls = {
      certificate: options.tlsCert,
      privateKey: options.tlsKey,
      ...(options.tlsClientCa === undefined ? {} : { clientAuthority: options.tlsClientCa }),
    };
  }
  const { NodeHostStartError, startNodeHost } = await import('../../distributed/host-server.js');
  const host = await startNodeHost({
    listen: options.listen,
    ...(tls === undefined ? {} : { tls }),
    log: (line) => {
      if (options.quiet !== true || line.startsWith('refused')) process.stderr.write(`clustersim host: ${line}\n`);
    },
  }).catch((error: unknown) => {
    if (!(error instanceof NodeHostStartError)) throw error;
    process.stderr.write(`clustersim: ${error.message}\n`);
    return undefined;
  });
  if (host === undefined) return exitCodes.usage;
  process.stdout.write(`clustersim host listening on ${host.address}${tls === undefined ? '' : ' (TLS)'}\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
    if (options.exitWithStdin === true) {
      process.stdin.on('end', resolve);
      process.stdin.on('close', resolve);
      process.stdin.resume();
    }
  });
  if (options.exitWithStdin === true) process.stdin.destroy();
  await host.close();
  return exitCodes.pass;
}
