import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { unlessMissing } from '../core/errno.js';
import { isPlanFileName } from './folders.js';

export interface PlanFileEntry {
  readonly name: string;
  readonly path: string;
  readonly mtimeMs: number;
  /** The inode's last change (a rename into the folder changes it, not mtime). */
  readonly ctimeMs: number;
  readonly size: number;
}

export interface PlanFileListing {
  /** Regular `*.md` files, oldest mtime first, then by name. */
  readonly files: readonly PlanFileEntry[];
  /** `*.md` entries that are symlinks: never followed, so the daemon can refuse them (SPEC §9.5). */
  readonly symlinks: readonly string[];
  /** `*.md` entries that are neither (directories, FIFOs, sockets…): never read. */
  readonly others: readonly string[];
  /** `*.md` entries whose names are not valid UTF-8, as raw bytes (no string can name them). */
  readonly badNames: readonly Buffer[];
}

/**
 * The plan files directly inside `dir` (no recursion). Uses lstat, never stat, so a symlink is reported as
 * such instead of being followed. An entry that vanishes between listing and lstat (a human moved it) is
 * simply left out.
 */
export async function listPlanFiles(dir: string): Promise<PlanFileListing> {
  const names: string[] = [];
  const badNames: Buffer[] = [];
  for (const raw of await readdir(dir, { encoding: 'buffer' })) {
    const name = utf8OrUndefined(raw);
    if (name === undefined) {
      if (isPlanFileName(raw.toString('utf8'))) badNames.push(raw);
    } else if (isPlanFileName(name)) {
      names.push(name);
    }
  }
  const kinds = await lstatAll(dir, names);
  const files: PlanFileEntry[] = [];
  const symlinks: string[] = [];
  const others: string[] = [];
  names.forEach((name, i) => {
    const kind = kinds[i];
    if (kind === undefined) return;
    const path = join(dir, name);
    if (kind === SYMLINK) symlinks.push(path);
    else if (kind === OTHER) others.push(path);
    else files.push({ name, path, mtimeMs: kind.mtimeMs, ctimeMs: kind.ctimeMs, size: kind.size });
  });
  files.sort((a, b) => a.mtimeMs - b.mtimeMs || compareNames(a.name, b.name));
  return { files, symlinks: symlinks.sort(compareNames), others: others.sort(compareNames), badNames: badNames.sort(Buffer.compare) };
}

/** Stateless (never used in streaming mode), so one decoder serves every name of every scan. */
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

function utf8OrUndefined(raw: Buffer): string | undefined {
  try {
    return STRICT_UTF8.decode(raw);
  } catch {
    return undefined;
  }
}

const SYMLINK = 'symlink';
const OTHER = 'other';
type Kind = { readonly mtimeMs: number; readonly ctimeMs: number; readonly size: number } | typeof SYMLINK | typeof OTHER;

/**
 * lstat of every name, a few at a time: one after another, a folder of 60,000 notes took seconds (each
 * lstat is a thread-pool round trip); with LSTAT_WIDTH in flight the pool's threads overlap, about 4x
 * faster. Only what the listing needs is kept, not the Stats objects (~2 KB each in the heap). A small
 * worker loop rather than p-queue: a task object per path would cost more than the lstat. A name that
 * vanished in between is undefined.
 */
const LSTAT_WIDTH = 32;

async function lstatAll(dir: string, names: readonly string[]): Promise<(Kind | undefined)[]> {
  const kinds = new Array<Kind | undefined>(names.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < names.length) {
      const i = next++;
      const info = await unlessMissing(lstat(join(dir, names[i] as string)), undefined);
      if (info) kinds[i] = info.isSymbolicLink() ? SYMLINK : info.isFile() ? { mtimeMs: info.mtimeMs, ctimeMs: info.ctimeMs, size: info.size } : OTHER;
    }
  };
  await Promise.all(Array.from({ length: Math.min(LSTAT_WIDTH, names.length) }, worker));
  return kinds;
}

/** Code-unit order: stable across locales, unlike localeCompare. */
function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
