import { z } from 'zod';
import { arrivalRateSchema, durationSchema, rateSchema, scenarioSchema } from './schema.js';

/** Where the JSON Schema of scenario files is shipped, for editors (`# yaml-language-server: $schema=...`). */
export const scenarioJsonSchemaFile = 'scenarios/scenario.schema.json';

// Durations and rates are text to JSON Schema; patterns let an editor check them as it does the parser.
const textPatterns = new Map<unknown, { pattern: string; description: string }>([
  [durationSchema.def.in.def, { pattern: '^\\s*\\d+(\\.\\d+)?\\s*(us|ms|s|m|h)\\s*$', description: 'A duration with a unit: us, ms, s, m or h (e.g. 250ms, 5m)' }],
  [rateSchema.def.in.def, { pattern: '^\\s*\\d+(\\.\\d+)?\\s*/\\s*(s|m|h)\\s*$', description: 'A rate with a unit: /s, /m or /h (e.g. 400/s)' }],
]);

const ratePattern = textPatterns.get(rateSchema.def.in.def)!;

/** The JSON Schema of what a scenario file may contain, generated from the one zod schema. */
export function scenarioJsonSchema(): string {
  const generated = z.toJSONSchema(scenarioSchema, {
    io: 'input',
    override: (context) => {
      // An arrival rate is read from text (400/s) as well as from a mapping: the schema says both.
      if (context.zodSchema._zod.def === arrivalRateSchema.def) {
        const { description, ...mapping } = context.jsonSchema;
        for (const key of Object.keys(context.jsonSchema)) delete context.jsonSchema[key as keyof typeof context.jsonSchema];
        Object.assign(context.jsonSchema, { description, anyOf: [{ type: 'string', ...ratePattern }, mapping] });
        return;
      }
      const text = textPatterns.get(context.zodSchema._zod.def);
      if (text === undefined) return;
      context.jsonSchema.pattern = text.pattern;
      context.jsonSchema.description ??= text.description;
    },
  });
  const { $schema, ...rest } = generated;
  const document = { $schema, title: 'clustersim scenario', ...rest };
  return `${JSON.stringify(document, null, 2)}\n`;
}
