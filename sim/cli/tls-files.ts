import { readFileSync } from 'node:fs';

/**
 * What is wrong with a PEM file named on the command line (`--tls-ca` and the like), in a line
 * for the user; undefined when it reads as PEM. Checked before anything starts, so that a wrong
 * path is exit code 2 and a message, not a failure in the middle of a TLS handshake.
 */
export function tlsFileProblem(option: string, file: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory' : (error as Error).message;
    return `cannot read ${option} ${file}: ${why}`;
  }
  if (!text.includes('-----BEGIN ')) return `${option} ${file} is not a PEM file (no -----BEGIN line)`;
  return undefined;
}

/** The first problem of the TLS files given, if any. */
export function firstTlsFileProblem(files: Readonly<Record<string, string | undefined>>): string | undefined {
  for (const [option, file] of Object.entries(files)) {
    const problem = file === undefined ? undefined : tlsFileProblem(option, file);
    if (problem !== undefined) return problem;
  }
  return undefined;
}
