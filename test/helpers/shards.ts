import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Five seconds of a two-node cluster under light HTTP load: a run takes tens of milliseconds. */
export const tinyScenario = `name: tiny
seed: 5
duration: 5s
cluster:
  nodes: { count: 2, servers: 1 }
  server: { threads: 4, queue: 20 }
  routers: 1
network:
  latency: { lognormal: { median: 300us, p99: 2ms } }
  minLatency: 100us
workload:
  http:
    rate: 10/s
    requests: { uniform: { min: 1, max: 3 } }
    thinkTime: { exponential: 1s }
    service: { lognormal: { median: 20ms, p99: 200ms } }
expect:
  - sessions.http.dropped == 0
`;

export function writeTinyScenario(directory: string, name = 'tiny.yaml', text = tinyScenario): string {
  const file = join(directory, name);
  writeFileSync(file, text);
  return file;
}

/** Every file under a directory, by its path relative to it, with its bytes as text. */
export function readTree(directory: string, prefix = ''): Map<string, string> {
  const files = new Map<string, string>();
  for (const name of readdirSync(directory).sort()) {
    const path = join(directory, name);
    if (statSync(path).isDirectory()) for (const [inner, text] of readTree(path, `${prefix}${name}/`)) files.set(inner, text);
    else files.set(`${prefix}${name}`, readFileSync(path, 'utf8'));
  }
  return files;
}

/** Runs the compiled command in a process of its own; resolves with its exit code and stderr. */
export function spawnClustersim(...commandArguments: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, ['bin/clustersim.mjs', ...commandArguments], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('exit', (code) => done({ code, stderr }));
  });
}
