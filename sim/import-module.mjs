// How a worker thread's .mjs entry point loads the module it runs: compiled, the JavaScript
// beside it in dist/; from the sources (under the tests), the TypeScript through tsx, which is
// a development dependency only.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Imports `path` (relative to `base`, without extension) as compiled JavaScript when it is there. */
export async function importModule(path, base) {
  const compiled = new URL(`${path}.js`, base);
  if (existsSync(fileURLToPath(compiled))) return import(compiled.href);
  const { register } = await import('tsx/esm/api');
  register();
  return import(new URL(`${path}.ts`, base).href);
}
