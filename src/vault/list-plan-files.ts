import type { Stats } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { errorCode } from './fsync-dir.js';
import { isPlanFileName } from './plan-file-name.js';

export interface PlanFileEntry {
  readonly name: string;
  readonly path: string;
  readonly mtimeMs: number;
  readonly size: number;
}

export interface PlanFileListing {
  /** Regular `*.md` files, oldest mtime first, then by name. */
  readonly files: readonly PlanFileEntry[];
  /** `*.md` entries that are symlinks: never followed, so the daemon can refuse them (SPEC §9.5). */
  readonly symlinks: readonly string[];
  /** `*.md` entries that are neither (directories, FIFOs, sockets…): never read. */
  readonly others: readonly string[];
}

/**
 * The plan files directly inside `dir` (no recursion). Uses lstat, never stat, so a symlink is reported as
 * such instead of being followed. An entry that vanishes between listing and lstat (a human moved it) is
 * simply left out.
 */
export async function listPlanFiles(dir: string): Promise<PlanFileListing> {
  const names = (await readdir(dir)).filter(isPlanFileName);
  const infos = await lstatAll(names.map((name) => join(dir, name)));
  const files: PlanFileEntry[] = [];
  const symlinks: string[] = [];
  const others: string[] = [];
  names.forEach((name, i) => {
    const info = infos[i];
    const path = join(dir, name);
    if (info === undefined) return;
    if (info.isSymbolicLink()) symlinks.push(path);
    else if (info.isFile()) files.push({ name, path, mtimeMs: info.mtimeMs, size: info.size });
    else others.push(path);
  });
  files.sort((a, b) => a.mtimeMs - b.mtimeMs || compareNames(a.name, b.name));
  return { files, symlinks: symlinks.sort(compareNames), others: others.sort(compareNames) };
}

/**
 * lstat of many paths, a few at a time: one after another, a folder of 60,000 notes took seconds (each
 * lstat is a thread-pool round trip); with LSTAT_WIDTH in flight the pool's threads overlap, about 4x
 * faster. A small worker loop rather than p-queue: per-path task objects would cost more than the lstat.
 * A path that vanished in between is undefined.
 */
const LSTAT_WIDTH = 32;

async function lstatAll(paths: readonly string[]): Promise<(Stats | undefined)[]> {
  const infos = new Array<Stats | undefined>(paths.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < paths.length) {
      const i = next++;
      try {
        infos[i] = await lstat(paths[i] as string);
      } catch (error) {
        if (errorCode(error) !== 'ENOENT') throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(LSTAT_WIDTH, paths.length) }, worker));
  return infos;
}

/** Code-unit order: stable across locales, unlike localeCompare. */
function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
