import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { runCli } from '../../sim/cli/main.js';
import { scenarioJsonSchema, scenarioJsonSchemaFile } from '../../sim/scenario/json-schema.js';
import { parseDuration, parseRate } from '../../sim/scenario/units.js';

describe('the shipped JSON Schema of scenario files', () => {
  it('is the one generated from the zod schema (run `npm run schema` after changing sim/scenario/schema.ts)', () => {
    expect(readFileSync(scenarioJsonSchemaFile, 'utf8')).toBe(scenarioJsonSchema());
  });

  it('`clustersim schema` prints it', async () => {
    let printed = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((printed += String(chunk)), true));
    try {
      await runCli(['schema']);
    } finally {
      vi.restoreAllMocks();
    }
    expect(process.exitCode ?? 0).toBe(0);
    expect(printed).toBe(scenarioJsonSchema());
  });

  const schema = JSON.parse(scenarioJsonSchema()) as { properties: Record<string, { pattern?: string; properties?: Record<string, { pattern?: string }> }>; required: string[] };

  it('describes scenario files as written: required keys, durations and rates as text', () => {
    expect(schema.required).toEqual(['name', 'duration', 'cluster', 'workload']);
    expect(Object.keys(schema.properties)).toContain('limits');
  });

  // An editor that checks with the patterns accepts what the parser accepts, no more, no less.
  it('its duration and rate patterns agree with the parser', () => {
    const durationPattern = new RegExp(schema.properties.duration!.pattern!);
    const rate = (schema.properties.workload!.properties!.http as { properties: Record<string, { anyOf: { pattern?: string }[] }> }).properties.rate!;
    const ratePattern = new RegExp(rate.anyOf[0]!.pattern!);
    const text = fc.oneof(
      fc.string({ maxLength: 8 }),
      fc.tuple(fc.oneof(fc.nat(1000).map(String), fc.constantFrom('1.5', '0', '-2', '.5', '1.', '1e3')), fc.constantFrom('', ' '), fc.constantFrom('us', 'ms', 's', 'm', 'h', 'd', 'sec', '/s', '/m', '/h', '/ms', '/ d', 'S')).map((parts) => parts.join('')),
    );
    fc.assert(
      fc.property(text, (value) => {
        expect(durationPattern.test(value), value).toBe(typeof parseDuration(value) === 'number');
        expect(ratePattern.test(value), value).toBe(typeof parseRate(value) === 'number');
      }),
      { numRuns: 3_000, seed: 7 },
    );
  });
});
