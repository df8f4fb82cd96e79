import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The scenarios that ship with the package, e.g. `shippedScenario('quickstart')`: its absolute path. */
export function shippedScenario(name: string): string {
  // The same two levels up from sim/api/ in the sources and from dist/sim/api/ in the package.
  for (const root of ['../../scenarios/', '../../../scenarios/']) {
    const file = fileURLToPath(new URL(`${root}${name}.yaml`, import.meta.url));
    if (existsSync(file)) return file;
  }
  throw new Error(`no shipped scenario named ${name}`);
}
