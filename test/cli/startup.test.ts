import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const scratch = mkdtempSync(join(tmpdir(), 'clustersim-startup-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const recordImports = `data:text/javascript,import { register } from 'node:module'; register(${JSON.stringify(pathToFileURL('test/cli/record-imports.mjs').href)});`;

/** Runs the compiled command and returns what it printed and every module it loaded. */
function clustersim(...args: string[]) {
  const log = join(scratch, `imports-${args[0]}.log`);
  writeFileSync(log, '');
  const result = spawnSync(process.execPath, ['--import', recordImports, 'bin/clustersim.mjs', ...args], {
    encoding: 'utf8',
    env: { ...process.env, CLUSTERSIM_IMPORT_LOG: log },
  });
  const modules = readFileSync(log, 'utf8').split('\n').filter((url) => url !== '');
  return { ...result, modules };
}

// The simulator, the scenario loader and the charts (light modules such as reports/write.js may load).
const simulator = ['/dist/sim/run/', '/dist/sim/kernel/', '/dist/nodes/', '/dist/sim/scenario/load.js', '/dist/reports/report.js', '/dist/reports/charts/frame.js', '/dist/vendor/', '/node_modules/zod/', '/node_modules/yaml/', '/node_modules/d3'];

describe('start-up of the compiled command', () => {
  it('--version and --help load commander and the command registrations, not the simulator', () => {
    for (const flag of ['--version', '--help']) {
      const result = clustersim(flag);
      expect(result.status, result.stderr).toBe(0);
      expect(result.modules.some((url) => url.endsWith('/dist/sim/cli/main.js'))).toBe(true);
      expect(result.modules.filter((url) => simulator.some((part) => url.includes(part)))).toEqual([]);
      expect(result.modules.filter((url) => url.endsWith('.ts'))).toEqual([]);
    }
    expect(clustersim('--version').stdout.trim()).toBe('0.1.0');
  });

  it('a run loads the simulator and the bundled d3 from dist/, and neither gRPC nor the TypeScript sources', () => {
    const result = clustersim('run', 'scenarios/maintenance-affinity.yaml', '--quiet', '--out', join(scratch, 'run'));
    expect(result.status, result.stderr).toBe(0);
    expect(result.modules.some((url) => url.endsWith('/dist/sim/run/run.js'))).toBe(true);
    expect(result.modules.some((url) => url.endsWith('/dist/vendor/d3.js'))).toBe(true);
    expect(result.modules.filter((url) => url.includes('/node_modules/d3') || url.includes('/node_modules/zod/'))).toEqual([]);
    expect(result.modules.filter((url) => url.includes('grpc') || url.includes('/node_modules/tsx/') || url.endsWith('.ts'))).toEqual([]);
  });
});
