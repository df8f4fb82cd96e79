import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';

/** The file that marks a directory as a clustersim report, so `--out` never clobbers others. */
export const reportMarker = 'summary.json';

/** An output that cannot be written where it was asked for. The CLI prints it and exits with code 2. */
export class OutputError extends Error {}

/**
 * Refuses an output directory that would lose someone's files: a path that is a file, a
 * directory that is not empty and holds no clustersim report, or the current directory (or
 * one above it), which a report replaces as a whole. Checked before a run, so that a long run
 * is not wasted.
 */
export function checkOutputDirectory(directory: string): void {
  if (!existsSync(directory)) return;
  if (!statSync(directory).isDirectory()) throw new OutputError(`refusing to write the report to ${directory}: it is a file, not a directory`);
  const fromHere = relative(resolve(directory), process.cwd());
  const holdsCurrentDirectory = fromHere === '' || !(fromHere === '..' || fromHere.startsWith(`..${sep}`) || isAbsolute(fromHere));
  if (holdsCurrentDirectory) throw new OutputError(`refusing to write the report to ${directory}: it is the current directory or holds it; name a directory of its own`);
  const entries = readdirSync(directory);
  if (entries.length > 0 && !entries.includes(reportMarker)) {
    throw new OutputError(`refusing to write the report to ${directory}: it is not empty and holds no clustersim report (no ${reportMarker})`);
  }
}

/** Writes a file under a temporary name and renames it, so no reader sees half a file. */
export function writeFileAtomically(path: string, content: string): void {
  const temporary = join(dirname(path), `.${basename(path)}.tmp-${process.pid}`);
  try {
    const descriptor = openSync(temporary, 'w');
    try {
      writeSync(descriptor, content);
      fsyncSync(descriptor);
    } finally {
      closeSync(descriptor);
    }
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}

/**
 * Writes a whole report: its files go into a fresh directory beside the target, which then
 * takes the target's place. A reader (or a crash at any moment) sees the old report or the
 * new one, never a mix or half of one.
 */
export function writeReportFiles(directory: string, files: ReadonlyMap<string, string>): void {
  checkOutputDirectory(directory);
  const target = resolve(directory);
  const staging = join(dirname(target), `.${basename(target)}.partial-${process.pid}`);
  const previous = join(dirname(target), `.${basename(target)}.previous-${process.pid}`);
  try {
    mkdirSync(dirname(target), { recursive: true });
    recoverInterruptedWrites(target);
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging);
    // summary.json last: its presence says the report is complete.
    const ordered = [...files.keys()].sort((a, b) => Number(a === reportMarker) - Number(b === reportMarker));
    for (const name of ordered) writeFileAtomically(join(staging, name), files.get(name)!);
    if (existsSync(target)) {
      renameSync(target, previous);
      renameSync(staging, target);
      rmSync(previous, { recursive: true, force: true });
    } else {
      renameSync(staging, target);
    }
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    if (existsSync(previous) && !existsSync(target)) renameSync(previous, target);
    throw new OutputError(`cannot write the report to ${directory}: ${describeFailure(error)}`);
  }
}

/**
 * Tidies up after a writer that was killed: its half-written staging directory goes, and if it
 * died between moving the old report aside and moving the new one in, the old one comes back.
 */
function recoverInterruptedWrites(target: string): void {
  const leftover = new RegExp(`^\\.${escapeRegExp(basename(target))}\\.(partial|previous)-(\\d+)$`);
  for (const entry of readdirSync(dirname(target))) {
    const match = leftover.exec(entry);
    if (match === null || isAlive(Number(match[2]))) continue;
    const path = join(dirname(target), entry);
    if (match[1] === 'previous' && !existsSync(target)) renameSync(path, target);
    else rmSync(path, { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function describeFailure(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'ENOSPC') return 'no space left on the device';
  if (code === 'ENOTDIR') return 'a part of the path is a file';
  if (code === 'EROFS') return 'the file system is read-only';
  return code ?? (error as Error).message;
}
