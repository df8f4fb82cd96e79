import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { clustersimVersion } from '../../reports/summary.js';
import { formatShard, type Shard } from './shard.js';

/** The commands whose work can be split into shards. */
export type ShardedCommand = 'sweep' | 'compare' | 'check' | 'explore';

/** The file of a partial result in a shard's output directory. */
export const partialResultFile = 'shard.json';

const format = 'clustersim-shard/1';

/** An input the work was planned from, by path and SHA-256; with its text when the merge plans from it again. */
export interface ShardInput {
  file: string;
  sha256: string;
  text?: string;
}

/**
 * What a shard did: its manifest (command, version, inputs, settings, shard I/N, the items it
 * covers) and one result per item it covers, so that a merge can check that the shards are
 * of one piece and then feed all items to the report code the unsharded command uses.
 */
export interface PartialResult<Item = unknown, Extra = unknown> {
  format: typeof format;
  command: ShardedCommand;
  clustersim: string;
  shard: Shard;
  inputs: ShardInput[];
  /** The options that shape the work (parameters, seeds, tolerances...), as the merge needs them. */
  settings: Record<string, unknown>;
  /** Items of the whole work, over all shards. */
  itemCount: number;
  /** The items of this shard, by index in the whole work; `results` holds theirs in the same order. */
  items: number[];
  results: Item[];
  /** Set when a signal stopped the shard before its share was done: it cannot be merged. */
  interrupted: boolean;
  /** What the command keeps beside the items (explore: its failure groups). */
  extra?: Extra;
}

export function shardInput(file: string, text: string, keepText: boolean): ShardInput {
  return { file, sha256: createHash('sha256').update(text).digest('hex'), ...(keepText ? { text } : {}) };
}

export function partialResult<Item, Extra>(fields: Omit<PartialResult<Item, Extra>, 'format' | 'clustersim'>): PartialResult<Item, Extra> {
  return { format, clustersim: clustersimVersion, ...fields };
}

/**
 * JSON that gives back the very numbers written: NaN, ±Infinity and -0 (a figure can be any of
 * them) would otherwise come back as null or 0, and the merged report would differ from the
 * unsharded one.
 */
export function partialResultJson(partial: PartialResult): string {
  return `${JSON.stringify(partial, (_key, value: unknown) => (typeof value === 'number' && (!Number.isFinite(value) || Object.is(value, -0)) ? { number: String(Object.is(value, -0) ? '-0' : value) } : value), 2)}\n`;
}

function parsePartialResult(text: string): unknown {
  return JSON.parse(text, (_key, value: unknown) => {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      const keys = Object.keys(value);
      const number = (value as { number?: unknown }).number;
      if (keys.length === 1 && typeof number === 'string') return Number(number);
    }
    return value;
  });
}

/** Partial results that cannot be merged: a missing, duplicated, interrupted or foreign shard. */
export class MergeError extends Error {}

/** A partial result and the directory it was read from. */
export interface ShardDirectory<Item = unknown, Extra = unknown> {
  directory: string;
  partial: PartialResult<Item, Extra>;
}

/** Reads the partial results of `directories`, refusing any that is not a whole, consistent set of shards. */
export function readShards(directories: readonly string[]): ShardDirectory[] {
  if (directories.length === 0) throw new MergeError('name the shards\' output directories to merge');
  const shards = directories.map((directory) => ({ directory, partial: readPartialResult(directory) }));
  const first = shards[0]!;
  const name = (shard: ShardDirectory) => `${shard.directory} (shard ${formatShard(shard.partial.shard)})`;
  const otherVersion = shards.find((shard) => shard.partial.clustersim !== clustersimVersion);
  if (otherVersion !== undefined) throw new MergeError(`${name(otherVersion)} was written by clustersim ${otherVersion.partial.clustersim}, and this is ${clustersimVersion}: merge with the version that ran the shards`);
  for (const shard of shards.slice(1)) {
    const [a, b] = [first.partial, shard.partial];
    if (a.command !== b.command) throw new MergeError(`${name(first)} is a ${a.command} shard and ${name(shard)} a ${b.command} shard: merge shards of one command`);
    if (a.shard.count !== b.shard.count) throw new MergeError(`${name(first)} is one of ${a.shard.count} shards and ${name(shard)} one of ${b.shard.count}: run every shard with the same N`);
    const unmatched = (inputs: readonly ShardInput[], others: readonly ShardInput[]) => inputs.filter((input) => !others.some((other) => other.file === input.file && other.sha256 === input.sha256));
    const differing = [...unmatched(a.inputs, b.inputs), ...unmatched(b.inputs, a.inputs)].map((input) => input.file);
    if (differing.length > 0) throw new MergeError(`${name(first)} and ${name(shard)} were run on different inputs: ${[...new Set(differing)].join(', ')} differ (path or SHA-256)`);
    if (JSON.stringify(a.settings) !== JSON.stringify(b.settings) || a.itemCount !== b.itemCount) {
      throw new MergeError(`${name(first)} and ${name(shard)} were run with different options: ${JSON.stringify(a.settings)} against ${JSON.stringify(b.settings)}`);
    }
  }
  const count = first.partial.shard.count;
  const byIndex = new Map<number, ShardDirectory>();
  for (const shard of shards) {
    const same = byIndex.get(shard.partial.shard.index);
    if (same !== undefined) throw new MergeError(`shard ${formatShard(shard.partial.shard)} is given twice: ${same.directory} and ${shard.directory}`);
    byIndex.set(shard.partial.shard.index, shard);
  }
  const missing = Array.from({ length: count }, (_, index) => index).filter((index) => !byIndex.has(index));
  if (missing.length > 0) throw new MergeError(`missing shard${missing.length === 1 ? '' : 's'} ${missing.map((index) => `${index}/${count}`).join(', ')} (given: ${shards.map(name).join(', ')})`);
  const interrupted = shards.find((shard) => shard.partial.interrupted);
  if (interrupted !== undefined) throw new MergeError(`${name(interrupted)} was interrupted before its share was done: run that shard again`);
  return [...byIndex.entries()].sort(([a], [b]) => a - b).map(([, shard]) => shard);
}

function readPartialResult(directory: string): PartialResult {
  const path = join(directory, partialResultFile);
  if (!existsSync(path)) throw new MergeError(`${directory} holds no partial result (no ${partialResultFile}): give the --out directories of commands run with --shard`);
  let partial: unknown;
  try {
    partial = parsePartialResult(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new MergeError(`${path} cannot be read: ${(error as Error).message}`);
  }
  if (partial === null || typeof partial !== 'object' || (partial as { format?: unknown }).format !== format) throw new MergeError(`${path} is not a clustersim partial result (${format})`);
  return partial as PartialResult;
}

/** Every item's result of the whole work, in the order of the unsharded command. */
export function allResults<Item>(shards: readonly ShardDirectory<Item>[]): Item[] {
  const itemCount = shards[0]!.partial.itemCount;
  const results: (Item | undefined)[] = new Array<Item | undefined>(itemCount);
  for (const { directory, partial } of shards) {
    partial.items.forEach((item, position) => {
      if (item < 0 || item >= itemCount || results[item] !== undefined) throw new MergeError(`${directory}: item ${item} is out of range or covered twice`);
      results[item] = partial.results[position];
    });
  }
  const uncovered = results.findIndex((result) => result === undefined);
  if (uncovered !== -1) throw new MergeError(`no shard holds the result of item ${uncovered} of ${itemCount}`);
  return results as Item[];
}

/**
 * Writes a shard's partial result as a report directory of its own: shard.json, and the
 * summary.json that marks the directory as clustersim's (so a rerun of the shard may replace it).
 */
export function partialResultFiles(partial: PartialResult): Map<string, string> {
  const marker = { shard: formatShard(partial.shard), command: partial.command, interrupted: partial.interrupted, items: partial.items.length, partialResult: partialResultFile };
  return new Map([
    [partialResultFile, partialResultJson(partial)],
    ['summary.json', `${JSON.stringify(marker, null, 2)}\n`],
  ]);
}
