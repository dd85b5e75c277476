import { rename } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { errorCode } from '../core/errno.js';
import { exists, fsyncDir } from './fs.js';

/** How many `name (n).md` candidates to try before giving up: a folder this crowded is a bug elsewhere. */
const MAX_SUFFIX = 10_000;

/** A move that failed; `code` is the underlying errno code (`ENOENT` when the source vanished). */
export class VaultMoveError extends Error {
  override readonly name = 'VaultMoveError';
  constructor(
    message: string,
    readonly code: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * The name to try on the n-th attempt: `plan.md`, then `plan (2).md`, `plan (3).md`… (the suffix
 * Obsidian and most file managers use, so a human recognises it). Pure.
 */
export function suffixedName(name: string, attempt: number): string {
  if (attempt <= 1) return name;
  const ext = extname(name);
  return `${name.slice(0, name.length - ext.length)} (${attempt})${ext}`;
}

/**
 * Moves `file` into `destDir` by one atomic rename and returns its new path; never overwrites: on a name
 * clash the first free `name (n).md` is used. Both directories are fsynced afterwards so the move
 * survives power loss.
 *
 * How the clobber is avoided: POSIX rename() silently replaces the target, so we check (lstat) and then
 * rename. The check-then-rename gap is race-free against other daemons because only the holder of the
 * vault lock (vault-lock.ts) moves files into the lifecycle folders (several hosts, SPEC §12: a database
 * lock serializes the moves into each final folder, daemon/settle.ts). We chose this over link()+unlink()
 * (link fails on EEXIST, so it is clobber-proof even against humans) because a crash between link and
 * unlink leaves the plan under two names in two folders, breaking "every plan in exactly one folder" in a
 * way recovery must detect by inode; link() also fails outright on FAT/exFAT/some network vaults. A
 * rename is atomic: after any crash the plan has exactly one name, and redoing the move is safe.
 */
export async function moveNoClobber(file: string, destDir: string): Promise<string> {
  const source = resolve(file);
  const targetDir = resolve(destDir);
  if (dirname(source) === targetDir) return source; // already there: a rename onto itself would only add a suffix
  return moveInto(source, dirname(source), targetDir, basename(source));
}

/**
 * Moves an entry whose name is not valid UTF-8 (so no string path can name it) into `destDir` under a
 * readable name: each undecodable byte becomes `_`.
 */
export async function moveBadlyNamed(dir: string, rawName: Buffer, destDir: string): Promise<string> {
  const readable = rawName.toString('utf8').replace(/\uFFFD/g, '_');
  const source = Buffer.concat([Buffer.from(`${resolve(dir)}/`), rawName]);
  return moveInto(source, resolve(dir), resolve(destDir), readable);
}

async function moveInto(source: string | Buffer, sourceDir: string, targetDir: string, name: string): Promise<string> {
  const shown = typeof source === 'string' ? source : join(sourceDir, name);
  for (let attempt = 1; attempt <= MAX_SUFFIX; attempt++) {
    const candidate = join(targetDir, suffixedName(name, attempt));
    if (await exists(candidate)) continue;
    try {
      await rename(source, candidate);
    } catch (error) {
      const code = errorCode(error);
      throw new VaultMoveError(
        `Cannot move ${shown} to ${targetDir}/ (${code ?? String(error)}): check the file still exists and both folders are on one writable filesystem.`,
        code,
        { cause: error },
      );
    }
    // Both entries must be durable before we return; the order between the two flushes does not matter.
    await Promise.all([fsyncDir(targetDir), fsyncDir(sourceDir)]);
    return candidate;
  }
  throw new VaultMoveError(
    `Cannot move ${shown} to ${targetDir}/: names ${name} up to ${suffixedName(name, MAX_SUFFIX)} are all taken; clean up that folder.`,
    'EEXIST',
  );
}

