import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../sim/cli/main.js';

const directory = mkdtempSync(join(tmpdir(), 'clustersim-check-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

function scenario(name: string, expectations: string[]): string {
  const file = join(directory, 'suite', `${name}.yaml`);
  writeFileSync(
    file,
    [
      `name: ${name}`,
      'seed: 3',
      'duration: 20s',
      'cluster: { nodes: { count: 2, servers: 1 } }',
      'workload:',
      '  http: { rate: 20/s, requests: 3, thinkTime: { constant: 100ms }, service: { constant: 5ms } }',
      'timeline:',
      '  - at: 5s',
      '    maintenance: { server: node1/app-1 }',
      'expect:',
      ...expectations.map((line) => `  - ${line}`),
      '',
    ].join('\n'),
  );
  return file;
}

async function check(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => out.push(String(chunk)) > 0);
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => err.push(String(chunk)) > 0);
  try {
    const code = await main(['check', ...args]);
    return { code, out: out.join(''), err: err.join('') };
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
  }
}

describe('clustersim check', () => {
  mkdirSync(join(directory, 'suite'));
  const good = scenario('holds', ['sessions.http.dropped == 0', 'violations.count == 0']);
  const bad = scenario('breaks', ['latency.http.p99 < 1us']);

  it('runs a directory of scenarios on worker threads and fails when one does not pass', async () => {
    const out = join(directory, 'out');
    const result = await check([join(directory, 'suite'), '--out', out, '--jobs', '2']);
    expect(result.code).toBe(1);
    expect(result.out).toMatch(/^PASS holds \(.*holds\.yaml\): \d+ sessions, 0 dropped, 0 rejected, p99 [\d.]+ms, 0 violations; 20s virtual in [\d.]+ s$/m);
    expect(result.out).toMatch(/^FAIL breaks .*1 expectations failed/m);
    expect(result.out).toContain('expectation latency.http.p99 < 1us: latency.http.p99 is');
    expect(result.err).toBe(`reproduce: npx clustersim run ${bad} --seed 3\n`);

    const junit = readFileSync(join(out, 'junit.xml'), 'utf8');
    expect(junit).toContain('tests="2" failures="1" errors="0"');
    expect(junit).toMatch(/<testcase classname="[^"]*breaks\.yaml" name="breaks" time="[\d.]+">\n {6}<failure message="1 expectation\(s\) failed, 0 violation\(s\)"/);
    const markdown = readFileSync(join(out, 'summary.md'), 'utf8');
    expect(markdown).toContain('## clustersim check: FAIL (1 of 2 scenarios pass)');
    expect(markdown).toContain(`npx clustersim run ${bad} --seed 3`);
    expect(JSON.parse(readFileSync(join(out, 'holds', 'summary.json'), 'utf8'))).toMatchObject({ verdict: 'pass', violations: { count: 0 } });
  });

  it('exits 0 when every scenario passes', async () => {
    const result = await check([good, '--out', join(directory, 'out-good'), '--jobs', '1']);
    expect(result.code).toBe(0);
    expect(result.out).toContain('1 of 1 pass');
  });

  it('reports an invalid scenario file as an error (exit 2) and a missing path as usage', async () => {
    const broken = join(directory, 'broken.yaml');
    writeFileSync(broken, 'name: broken\nduration: 1m\ncluster: { nodes: { count: 1, servers: 1 } }\nworkload: {}\ntimeline: [{ at: 1s, maintenance: { server: nowhere/app-9 } }]\n');
    const result = await check([broken, '--out', join(directory, 'out-broken')]);
    expect(result.code).toBe(2);
    expect(result.out).toMatch(/^ERROR .*broken\.yaml: .*unknown server "nowhere\/app-9"/m);
    expect((await check([join(directory, 'nothing-here')])).code).toBe(2);
  });
});
