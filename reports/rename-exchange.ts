import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The addon built on install (native/rename-exchange), found from the package root whether the sources or a build run. */
function loadExchange(): ((from: string, to: string) => number) | undefined {
  let folder = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(folder, 'package.json')) || !readFileSync(join(folder, 'package.json'), 'utf8').includes('"name": "clustersim"')) {
    const parent = dirname(folder);
    if (parent === folder) return undefined;
    folder = parent;
  }
  const addon = join(folder, 'native', 'rename-exchange', 'build', 'Release', 'rename_exchange.node');
  if (!existsSync(addon)) return undefined;
  try {
    return (createRequire(import.meta.url)(addon) as { exchange(from: string, to: string): number }).exchange;
  } catch {
    return undefined;
  }
}

const exchange = loadExchange();

/** Whether directories can be swapped at once here (the addon built); else two renames do it. */
export const canExchange = exchange !== undefined;

/**
 * Swaps two existing paths in one step (Linux renameat2 with RENAME_EXCHANGE). False when that
 * is not possible here (no addon, an old kernel, a file system without it): the caller falls back.
 */
export function exchangePaths(from: string, to: string): boolean {
  if (exchange === undefined) return false;
  const errno = exchange(from, to);
  if (errno === 0) return true;
  // EINVAL: the file system does not support the flag; ENOSYS: the kernel has no renameat2.
  if (errno === 22 || errno === 38) return false;
  throw Object.assign(new Error(`cannot swap ${from} and ${to} (errno ${errno})`), { code: errnoCode(errno) });
}

function errnoCode(errno: number): string {
  const codes: Record<number, string> = { 2: 'ENOENT', 13: 'EACCES', 16: 'EBUSY', 18: 'EXDEV', 20: 'ENOTDIR', 21: 'EISDIR', 28: 'ENOSPC', 30: 'EROFS', 1: 'EPERM' };
  return codes[errno] ?? `E${errno}`;
}
