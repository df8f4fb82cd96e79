import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('clustersim <command> --help', () => {
  for (const command of ['run', 'check', 'schema', 'sweep', 'compare', 'host', 'merge']) {
    it(`${command} shows examples of itself`, () => {
      const help = spawnSync(process.execPath, ['bin/clustersim.mjs', command, '--help'], { encoding: 'utf8' });
      expect(help.status).toBe(0);
      expect(help.stdout).toMatch(/\nExamples?:\n/);
      expect(help.stdout).toContain(`  $ clustersim ${command} `);
    });
  }
});
