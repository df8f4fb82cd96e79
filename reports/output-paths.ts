import { existsSync, mkdtempSync, readdirSync, rmdirSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, parse, relative, resolve, sep } from 'node:path';

/** The file that marks a directory as a clustersim report, so `--out` never clobbers others. */
export const reportMarker = 'summary.json';

/** An output that cannot be written where it was asked for. The CLI prints it and exits with code 2. */
export class OutputError extends Error {}

/**
 * Refuses an output directory that would lose someone's files or cannot be written: an empty
 * path, the root, the current directory or one above it (a report replaces its directory as a
 * whole), a path that is a file, a directory that is not empty and holds no clustersim report,
 * a mount point (it cannot be replaced), and a place whose parent is a file or not writable.
 * Checked before a run, so that a long run is not wasted.
 */
export function checkOutputDirectory(directory: string): void {
  const refuse = (why: string) => new OutputError(`refusing to write the report to ${describePath(directory)}: ${why}`);
  if (directory.trim() === '') throw refuse('the path is empty; name a directory of its own, e.g. --out out/my-run');
  const target = resolve(directory);
  if (target === parse(target).root) throw refuse('it is the root of the file system; name a directory of its own');
  const fromHere = relative(target, process.cwd());
  const holdsCurrentDirectory = fromHere === '' || !(fromHere === '..' || fromHere.startsWith(`..${sep}`) || isAbsolute(fromHere));
  if (holdsCurrentDirectory) throw refuse('it is the current directory or holds it; name a directory of its own');
  checkWritableParent(target, refuse);
  if (!existsSync(target)) return;
  const stats = statSync(target);
  if (!stats.isDirectory()) throw refuse('it is a file, not a directory');
  if (stats.dev !== statSync(dirname(target)).dev) throw refuse('it is a mount point, which cannot be replaced; name a directory inside it');
  const entries = readdirSync(target);
  if (entries.length > 0 && !entries.includes(reportMarker)) throw refuse(`it is not empty and holds no clustersim report (no ${reportMarker})`);
}

/**
 * Refuses an output file (a JUnit or Markdown summary) that cannot be written: an empty path, a
 * directory, a place whose nearest existing parent is a file or not writable.
 */
export function checkOutputFile(file: string): void {
  const refuse = (why: string) => new OutputError(`refusing to write ${describePath(file)}: ${why}`);
  if (file.trim() === '') throw refuse('the path is empty');
  const target = resolve(file);
  if (existsSync(target) && statSync(target).isDirectory()) throw refuse('it is a directory, not a file');
  checkWritableParent(target, refuse);
}

/** The nearest existing ancestor of `target` must be a directory where one can be made: the outputs are created under it. */
function checkWritableParent(target: string, refuse: (why: string) => OutputError): void {
  let ancestor = dirname(target);
  while (!existsSync(ancestor)) ancestor = dirname(ancestor);
  if (!statSync(ancestor).isDirectory()) throw refuse(`${ancestor} is a file, not a directory`);
  probeWritable(ancestor, (why) => refuse(`${ancestor} is not writable (${why})`));
}

/**
 * Makes and removes a directory in `folder`: permissions alone do not tell (a read-only mount,
 * procfs or sysfs, a file system out of inodes).
 */
function probeWritable(folder: string, refuse: (why: string) => OutputError): void {
  try {
    rmdirSync(mkdtempSync(join(folder, '.clustersim-probe-')));
  } catch (error) {
    throw refuse((error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no directory can be made there' : describeFailure(error));
  }
}

function describePath(path: string): string {
  return path === '' ? "'' (an empty path)" : path;
}

/** A file-system failure in words a user can act on. */
export function describeFailure(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOSPC':
      return 'no space left on the device';
    case 'EDQUOT':
      return 'the disk quota is exceeded';
    case 'ENOTDIR':
      return 'a part of the path is a file';
    case 'EROFS':
      return 'the file system is read-only';
    case 'EBUSY':
      return 'it is busy (a mount point, or in use by another process)';
    case 'ENOENT':
      return 'a part of the path does not exist';
    case 'EISDIR':
      return 'it is a directory';
    case 'EXDEV':
      return 'it is on another file system than its parent';
    case 'ENAMETOOLONG':
      return 'the name is too long';
    default:
      return code ?? (error as Error).message;
  }
}

/**
 * Refuses a suite's output directory (`check --out`: one report folder per scenario, each
 * checked again when written) that is empty, a file, or under a parent that cannot be written.
 */
export function checkSuiteDirectory(directory: string): void {
  const refuse = (why: string) => new OutputError(`refusing to write the reports to ${describePath(directory)}: ${why}`);
  if (directory.trim() === '') throw refuse('the path is empty; name a directory, e.g. --out out/check');
  const target = resolve(directory);
  if (existsSync(target)) {
    if (!statSync(target).isDirectory()) throw refuse('it is a file, not a directory');
    probeWritable(target, (why) => refuse(`it is not writable (${why})`));
    return;
  }
  checkWritableParent(target, refuse);
}
