// Module loader hooks for the start-up test: every module URL the process resolves is appended
// to the file named by CLUSTERSIM_IMPORT_LOG.
import { appendFileSync } from 'node:fs';

export async function resolve(specifier, context, nextResolve) {
  const resolved = await nextResolve(specifier, context);
  appendFileSync(process.env.CLUSTERSIM_IMPORT_LOG, `${resolved.url}\n`);
  return resolved;
}
