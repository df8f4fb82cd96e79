import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// bin/clustersim.mjs, seen from the sources (sim/distributed/) or from the build (dist/sim/distributed/):
// either way the hosts run the compiled command.
const entryPoint = fileURLToPath(new URL(`${import.meta.url.endsWith('.ts') ? '../..' : '../../..'}/bin/clustersim.mjs`, import.meta.url));
const stopTimeoutMs = 5_000;

/**
 * How long `count` hosts may take to start. They start at once and share the machine's cores:
 * loading the sources takes a few seconds of CPU for each, so the limit grows with their number.
 */
export function hostsStartTimeoutMs(count: number): number {
  return 20_000 + 10_000 * count;
}

/** A host process that could not start: exited, or too slow. Says which of the hosts it was. */
export class HostStartError extends Error {}

/** The start of the hosts was given up: `signal` aborted (Ctrl-C, SIGTERM). */
export class HostStartAborted extends Error {}

export interface SpawnOptions {
  /** How long the hosts may take to start (default: hostsStartTimeoutMs(count)). */
  startTimeoutMs?: number;
  /** When it aborts, the hosts started so far are stopped and the start fails with HostStartAborted. */
  signal?: AbortSignal;
}

export interface LocalHosts {
  addresses: string[];
  /** The host processes, for a test that kills one. */
  processes: ChildProcess[];
  /** Stops every host and waits for it to exit (SIGKILL after a grace period). */
  stop(): Promise<void>;
}

/**
 * Starts `count` node hosts as child processes on 127.0.0.1 with free ports. Each host exits
 * when its standard input closes, so none outlives this process even if it dies abruptly.
 */
export async function spawnLocalHosts(count: number, options: SpawnOptions = {}): Promise<LocalHosts> {
  const startTimeoutMs = options.startTimeoutMs ?? hostsStartTimeoutMs(count);
  const processes: ChildProcess[] = [];
  const stop = async () => {
    await Promise.all(processes.map(stopProcess));
  };
  const started = { count: 0 };
  const aborted = new Promise<never>((_, reject) => {
    const abort = () => reject(new HostStartAborted('the start of the node hosts was interrupted'));
    if (options.signal?.aborted === true) abort();
    options.signal?.addEventListener('abort', abort, { once: true });
  });
  // Aborted once the hosts have started, it is of no interest here.
  aborted.catch(() => undefined);
  try {
    const starting = Promise.all(
      Array.from({ length: count }, (_, index) => {
        const child = spawn(process.execPath, [entryPoint, 'host', '--listen', '127.0.0.1:0', '--exit-with-stdin', '--quiet'], {
          stdio: ['pipe', 'pipe', 'inherit'],
          // Their own process group: a Ctrl-C at the terminal reaches the run, which stops them once it has their records.
          detached: true,
        });
        processes.push(child);
        return listeningAddress(child, `node host ${index + 1} of ${count} (process ${child.pid})`, startTimeoutMs, started);
      }),
    );
    starting.catch(() => undefined);
    const addresses = await Promise.race([starting, aborted]);
    return { addresses, processes, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Waits for the host's first line, `clustersim host listening on ADDRESS`. */
function listeningAddress(child: ChildProcess, name: string, startTimeoutMs: number, started: { count: number }): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(
      () => reject(new HostStartError(`${name} did not start within ${startTimeoutMs / 1000} s (${started.count} had started; the machine may be busy)`)),
      startTimeoutMs,
    );
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new HostStartError(`${name} exited (${signal ?? `code ${code}`}) before it listened`));
    });
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const match = /listening on (\S+)/.exec(output);
      if (match !== null) {
        clearTimeout(timer);
        started.count++;
        resolve(match[1]!);
      }
    });
  });
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const killer = setTimeout(() => child.kill('SIGKILL'), stopTimeoutMs);
    child.once('exit', () => {
      clearTimeout(killer);
      resolve();
    });
    child.stdin?.end();
    child.kill('SIGTERM');
  });
}
