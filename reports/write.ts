import { existsSync, mkdirSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The file that marks a directory as a clustersim report, so `--out` never clobbers others. */
export const reportMarker = 'summary.json';

export class OutputError extends Error {}

/** Refuses an output directory that exists, is not empty and holds no clustersim report. */
export function prepareOutputDirectory(directory: string): void {
  if (existsSync(directory)) {
    const entries = readdirSync(directory);
    if (entries.length > 0 && !entries.includes(reportMarker)) {
      throw new OutputError(`refusing to write into ${directory}: it is not empty and holds no clustersim report`);
    }
  }
  mkdirSync(directory, { recursive: true });
}

/** Writes a file under a temporary name and renames it, so no reader sees half a file. */
export function writeFileAtomically(path: string, content: string): void {
  const temporary = `${path}.tmp-${process.pid}`;
  writeFileSync(temporary, content);
  renameSync(temporary, path);
}

export function writeReportFiles(directory: string, files: ReadonlyMap<string, string>): void {
  prepareOutputDirectory(directory);
  // summary.json last: its presence says the report is complete.
  const ordered = [...files.keys()].sort((a, b) => Number(a === reportMarker) - Number(b === reportMarker));
  for (const name of ordered) writeFileAtomically(join(directory, name), files.get(name)!);
}
