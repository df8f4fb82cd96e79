import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { threadId } from 'node:worker_threads';
import { checkOutputDirectory, describeFailure, OutputError, reportMarker } from './output-paths.js';
import { exchangePaths } from './rename-exchange.js';

export { checkOutputDirectory, OutputError, reportMarker } from './output-paths.js';

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
  // The writer's process and thread: `check` writes from several threads of one process.
  const writer = `${process.pid}-${threadId}`;
  const staging = join(dirname(target), `.${basename(target)}.partial-${writer}`);
  const previous = join(dirname(target), `.${basename(target)}.previous-${writer}`);
  try {
    mkdirSync(dirname(target), { recursive: true });
    recoverInterruptedWrites(target);
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging);
    // summary.json last: its presence says the report is complete.
    const ordered = [...files.keys()].sort((a, b) => Number(a === reportMarker) - Number(b === reportMarker));
    for (const name of ordered) writeFileAtomically(join(staging, name), files.get(name)!);
    moveIntoPlace(staging, target, previous);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    if (existsSync(previous) && !existsSync(target)) renameSync(previous, target);
    throw new OutputError(`cannot write the report to ${directory}: ${describeFailure(error)}`);
  } finally {
    // Set aside by this writer: gone once a report, this one or another writer's, is in place.
    if (existsSync(target)) rmSync(previous, { recursive: true, force: true });
  }
}

/** Attempts at the swap when another writer of the same directory gets in between. */
const swapAttempts = 5;

/**
 * The staged report takes the old one's place. Where the two can be swapped in one step, a
 * reader finds the old report or the new one at every instant; else the old one moves aside
 * first, and for the instant between the two renames there is none. Two writers of one
 * directory may interleave (each sees the other's report appear between its two renames): the
 * swap is tried again, and the last writer's report stays.
 */
function moveIntoPlace(staging: string, target: string, previous: string): void {
  for (let attempt = 1; ; attempt++) {
    try {
      if (existsSync(target)) {
        if (exchangePaths(staging, target)) {
          // The old report is now where the new one was staged.
          rmSync(staging, { recursive: true, force: true });
          return;
        }
        rmSync(previous, { recursive: true, force: true });
        renameSync(target, previous);
      }
      renameSync(staging, target);
      return;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const raced = code === 'ENOTEMPTY' || code === 'EEXIST' || code === 'ENOENT';
      if (!raced || attempt === swapAttempts) throw error;
    }
  }
}

/**
 * Tidies up after a writer that was killed: its half-written staging directory goes, and if it
 * died between moving the old report aside and moving the new one in, the old one comes back.
 */
function recoverInterruptedWrites(target: string): void {
  const leftover = new RegExp(`^\\.${escapeRegExp(basename(target))}\\.(partial|previous)-(\\d+)(?:-\\d+)?$`);
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
