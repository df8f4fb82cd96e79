import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../sim/cli/main.js';

const directory = mkdtempSync(join(tmpdir(), 'clustersim-explore-cli-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

async function explore(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => out.push(String(chunk)) > 0);
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => err.push(String(chunk)) > 0);
  try {
    const code = await main(['explore', ...args]);
    return { code, out: out.join(''), err: err.join('') };
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
  }
}

describe('clustersim explore (command)', () => {
  it('exits 1 with a reproducer per distinct failure, and reports its progress on stderr', async () => {
    const out = join(directory, 'drops');
    const result = await explore(['test/explore/drops-cell.yaml', '--runs', '6', '--seed', '4', '--jobs', '1', '--out', out]);
    expect(result.code).toBe(1);
    expect(result.out).toMatch(/failure-1\.yaml: expect: requests\.http\.routedToMaintenance == 0 \(\d+ runs?\), shrunk from \d+ to 1 steps:/);
    expect(result.err).toMatch(/runs 6\/6, \d+ failing, \d+ distinct/);
    const findings = JSON.parse(readFileSync(join(out, 'explore.json'), 'utf8')) as { runs: { done: number }; failures: { file: string }[] };
    expect(findings.runs.done).toBe(6);
    for (const failure of findings.failures) expect(existsSync(join(out, failure.file))).toBe(true);
    expect(readFileSync(join(out, 'index.html'), 'utf8')).toContain('Failures by rule');
    // The reproducer gives `clustersim run` the same verdict.
    const run = await main(['run', join(out, 'failure-1.yaml'), '--out', join(directory, 'rerun'), '--quiet']);
    expect(run).toBe(1);
    // The same output directory may be written again.
    expect((await explore(['test/explore/drops-cell.yaml', '--runs', '2', '--seed', '4', '--jobs', '1', '--out', out])).code).toBeLessThanOrEqual(1);
  });

  it('exits 0 when every schedule holds, and 2 for an explore: section that cannot be explored', async () => {
    const held = await explore(['test/explore/small-cell.yaml', '--runs', '3', '--jobs', '1', '--out', join(directory, 'small'), '--quiet']);
    expect(held.code).toBe(0);
    const file = join(directory, 'members-without-clustercats.yaml');
    writeFileSync(file, readFileSync('test/explore/small-cell.yaml', 'utf8').replace('  runs: 40', '  runs: 40\n  kinds: [crash-member]'));
    const refused = await explore([file, '--runs', '1', '--out', join(directory, 'bad')]);
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/explore\.kinds has crash-member, which this topology has no target for/);
    const sipless = join(directory, 'sip-property-without-sip.yaml');
    writeFileSync(sipless, readFileSync('test/explore/small-cell.yaml', 'utf8').replace('  runs: 40', '  runs: 40\n  expect: [latency.sip.p99 < 5ms]'));
    // A located scenario error, which the CLI prints in one line with exit code 2, as for `run`.
    await expect(explore([sipless, '--runs', '1', '--out', join(directory, 'bad')])).rejects.toThrow(/\(with explore\.expect\):\d+:\d+: "latency\.sip\.p99 < 5ms": the scenario has no sip workload/);
  });
});
