import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';

// The package root: two folders up from sim/api/ in the sources, three from dist/sim/api/ when compiled.
const packageRoot = new URL(import.meta.url.endsWith('.ts') ? '../../' : '../../../', import.meta.url);

/** The scenarios that ship with the package, e.g. `shippedScenario('quickstart')`: its absolute path. */
export function shippedScenario(name: string): string {
  const file = fileURLToPath(new URL(`scenarios/${name}.yaml`, packageRoot));
  if (!existsSync(file)) throw new Error(`no shipped scenario named ${name} (looked for ${file})`);
  return file;
}
