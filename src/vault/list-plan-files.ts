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
  const files: PlanFileEntry[] = [];
  const symlinks: string[] = [];
  const others: string[] = [];
  for (const name of names) {
    const path = join(dir, name);
    let info;
    try {
      info = await lstat(path);
    } catch (error) {
      if (errorCode(error) === 'ENOENT') continue;
      throw error;
    }
    if (info.isSymbolicLink()) symlinks.push(path);
    else if (info.isFile()) files.push({ name, path, mtimeMs: info.mtimeMs, size: info.size });
    else others.push(path);
  }
  files.sort((a, b) => a.mtimeMs - b.mtimeMs || compareNames(a.name, b.name));
  return { files, symlinks: symlinks.sort(compareNames), others: others.sort(compareNames) };
}

/** Code-unit order: stable across locales, unlike localeCompare. */
function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
