import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// bin/clustersim.mjs, seen from the sources (sim/distributed/) or from the build (dist/sim/distributed/):
// either way the hosts run the compiled command.
const entryPoint = fileURLToPath(new URL(`${import.meta.url.endsWith('.ts') ? '../..' : '../../..'}/bin/clustersim.mjs`, import.meta.url));
const startTimeoutMs = 30_000;
const stopTimeoutMs = 5_000;

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
export async function spawnLocalHosts(count: number): Promise<LocalHosts> {
  const processes: ChildProcess[] = [];
  const stop = async () => {
    await Promise.all(processes.map(stopProcess));
  };
  try {
    const addresses = await Promise.all(
      Array.from({ length: count }, () => {
        const child = spawn(process.execPath, [entryPoint, 'host', '--listen', '127.0.0.1:0', '--exit-with-stdin', '--quiet'], {
          stdio: ['pipe', 'pipe', 'inherit'],
        });
        processes.push(child);
        return listeningAddress(child);
      }),
    );
    return { addresses, processes, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Waits for the host's first line, `clustersim host listening on ADDRESS`. */
function listeningAddress(child: ChildProcess): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(
      () => reject(new Error(`node host process ${child.pid} did not start within ${startTimeoutMs / 1000} s`)),
      startTimeoutMs,
    );
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`node host process ${child.pid} exited with code ${code} before it listened`));
    });
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const match = /listening on (\S+)/.exec(output);
      if (match !== null) {
        clearTimeout(timer);
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
